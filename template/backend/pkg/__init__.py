"""Reusable building blocks: configuration, logging."""
