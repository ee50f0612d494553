"""The task-runner layer's routes on an application of their own, as main.py mounts them.

The tests serve it (`uvicorn --factory devtools.jobs_api:create_app`) to hold the jobs routes to
their contract without the rest of the application, and what it needs (a database, in most Lich
projects).
"""

from fastapi import FastAPI

from api.errors import EXCEPTION_HANDLERS
from api.http.emails import router as emails_router
from api.http.health import router as health_router
from api.http.ready import router as ready_router


def create_app() -> FastAPI:
    app = FastAPI(exception_handlers=EXCEPTION_HANDLERS)
    app.include_router(health_router, tags=["Health"])
    app.include_router(ready_router, tags=["Health"])
    app.include_router(emails_router, prefix="/emails", tags=["Emails"])
    return app
