"""The FastAPI application.

From backend/: `uvicorn main:app --reload`, or `python main.py` (host, port and reload from
settings). Routes are joined in api/http/__init__.py.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.http import router as api_router
from pkg.config.settings import settings
from pkg.logger import get_logger, setup_logging

logger = get_logger(__name__)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    setup_logging()
    logger.info("starting %s (%s)", settings.project_name, settings.environment)
    yield
    logger.info("stopping %s", settings.project_name)


# In production the API does not publish its own description (/docs, /redoc, /openapi.json).
public_docs = settings.environment != "production"
app = FastAPI(
    title=settings.project_name,
    version="0.1.0",
    lifespan=lifespan,
    docs_url="/docs" if public_docs else None,
    redoc_url="/redoc" if public_docs else None,
    openapi_url="/openapi.json" if public_docs else None,
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
