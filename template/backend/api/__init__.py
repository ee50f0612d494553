"""HTTP layer: routers in api/http/, middleware in api/middleware/."""
