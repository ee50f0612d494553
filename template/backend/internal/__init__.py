"""Business logic: entities, DTOs, ports and their adapters, services, and the background jobs."""
