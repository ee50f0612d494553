"""The FastAPI application.

From backend/: `uvicorn main:app --reload`, or `python main.py` (host, port and reload from
settings). Routes are joined in api/http/__init__.py.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.errors import EXCEPTION_HANDLERS
from api.http import router as api_router
from pkg.config.settings import settings
from pkg.logger import setup_logging
from pkg.telemetry import setup_error_reports, setup_metrics, setup_telemetry

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    setup_logging()
    logger.info("starting %s (%s)", settings.project_name, settings.environment)
    yield
    logger.info("stopping %s", settings.project_name)


# FastAPI's own request metrics, on GET /metrics. OTEL_EXPORTER_OTLP_ENDPOINT set: every request
# is a span too, and a job's trace goes on into the worker. SENTRY_DSN set: unhandled errors are
# reported. The probes are left out: they would be most of the spans and measures.
setup_metrics()
setup_telemetry("api")
setup_error_reports("api")
PROBES = ("/health", "/ready", "/metrics")

# In production the API does not publish its own description (/docs, /redoc, /openapi.json).
public_docs = settings.environment != "production"
app = FastAPI(
    title=settings.project_name,
    version="0.1.0",
    lifespan=lifespan,
    docs_url="/docs" if public_docs else None,
    redoc_url="/redoc" if public_docs else None,
    openapi_url="/openapi.json" if public_docs else None,
    exception_handlers=EXCEPTION_HANDLERS,
    telemetry={"exclude": lambda scope: scope.get("path") in PROBES},
)
app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.cors_origins,
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.include_router(api_router)


if __name__ == "__main__":
    uvicorn.run("main:app", host=settings.api_host, port=settings.api_port, reload=settings.debug)
