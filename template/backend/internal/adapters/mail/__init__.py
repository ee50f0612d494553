"""Mail adapters."""
