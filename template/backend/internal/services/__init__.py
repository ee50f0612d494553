"""Use cases: business logic over the ports."""
