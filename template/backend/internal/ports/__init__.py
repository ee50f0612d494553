"""Ports: the interfaces business logic depends on; internal/adapters/ implements them."""
