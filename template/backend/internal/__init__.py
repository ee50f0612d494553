"""Application code: use cases, background jobs and their wiring."""
