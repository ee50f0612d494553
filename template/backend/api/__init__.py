"""HTTP layer: FastAPI application and routes."""
