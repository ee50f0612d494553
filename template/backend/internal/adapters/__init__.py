"""Adapters: implementations of the ports (internal/ports/)."""
