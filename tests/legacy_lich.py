"""Projects as the original, cookiecutter-based `lich init` leaves them, built here (tests download
nothing): the same files, names, imports, settings, pytest.ini, requirements, tests, compose and
PROJECT_CONFIG as its template renders for each `task_runner` and `database` option, reduced to
what the adoption meets. Written for these tests from what the original renders; the code is
this repository's own.

What the original does that matters here:
- it writes both runners' files (`internal/workers/*.py`, `internal/celery_app.py`,
  `internal/celery_tasks.py`) whatever the choice, and `celery` and `none` render the same files;
- its requirements name neither `temporalio` nor `celery`, and lack `email-validator` although
  the DTOs use `EmailStr` (the app and some tests fail without it);
- `pkg/config/settings.py` builds a module-level `settings` (no `get_settings`), reading
  `.env` relative to the working directory;
- `backend/pytest.ini` configures pytest; one test replaces `sys.modules["pkg.config.settings"]`;
  one test needs a database and fails without one;
- `.gitignore` ignores `venv/` but not `.venv/`;
- the Temporal worker reads `TEMPORAL_HOST` as host:port while `.env.example` gives a bare host,
  and its task queue is `<project_slug>-tasks` (underscores kept); Celery's broker defaults to
  `redis://localhost:6379/1` and its queue is Celery's default, `celery`;
- `docker-compose.yml` has no backend service; Temporal gets `temporalio/auto-setup` and
  `temporalio/ui` services only when chosen;
- `.lich/PROJECT_CONFIG.yaml` records `features.temporal: yes|no` and never Celery.
"""

from __future__ import annotations

from pathlib import Path

RUNNERS = ("none", "celery", "temporal")
DATABASES = ("postgresql", "mongodb")


def files(name: str, slug: str, runner: str, database: str) -> dict[str, str]:
    postgres = database == "postgresql"
    temporal = runner == "temporal"
    return {
        ".lich/PROJECT_CONFIG.yaml": PROJECT_CONFIG.format(
            name=name,
            slug=slug,
            database=database,
            temporal="yes" if temporal else "no",
            db_port="  postgres: 5432" if postgres else "  mongodb: 27017",
            temporal_ports="  temporal: 7233\n  temporal_ui: 8088\n" if temporal else "",
        ),
        ".gitignore": GITIGNORE,
        ".env.example": ENV_EXAMPLE.format(
            slug=slug,
            database=DB_ENV_POSTGRES.format(slug=slug)
            if postgres
            else DB_ENV_MONGO.format(slug=slug),
            temporal=TEMPORAL_ENV if temporal else "",
        ),
        "docker-compose.yml": COMPOSE.format(
            slug=slug,
            database=COMPOSE_POSTGRES if postgres else COMPOSE_MONGO,
            temporal=COMPOSE_TEMPORAL.format(slug=slug) if temporal else "",
            volume="postgres_data" if postgres else "mongodb_data",
        ),
        "README.md": f"# {name}\n\nA brief description of the project\n",
        ".github/workflows/ci-backend.yml": CI_BACKEND,
        "backend/requirements.txt": REQUIREMENTS.format(
            database=REQ_POSTGRES if postgres else REQ_MONGO
        ),
        "backend/pytest.ini": PYTEST_INI,
        "backend/Dockerfile": DOCKERFILE,
        "backend/Dockerfile.worker": DOCKERFILE_WORKER,
        "backend/main.py": MAIN.format(name=name, slug=slug),
        "backend/api/__init__.py": '"""API package."""\n',
        "backend/api/http/__init__.py": API_HTTP_INIT,
        "backend/api/http/health.py": API_HEALTH.format(slug=slug),
        "backend/api/http/users.py": API_USERS,
        "backend/api/middleware/__init__.py": '"""Middleware package."""\n',
        "backend/api/middleware/timing.py": MIDDLEWARE_TIMING,
        "backend/internal/__init__.py": '"""Internal business logic."""\n',
        "backend/internal/entities/__init__.py": '"""Domain entities."""\n',
        "backend/internal/entities/user.py": ENTITY_USER,
        "backend/internal/dto/__init__.py": '"""Data transfer objects."""\n',
        "backend/internal/dto/requests.py": DTO_REQUESTS,
        "backend/internal/dto/responses.py": DTO_RESPONSES,
        "backend/internal/ports/__init__.py": '"""Ports (interfaces)."""\n',
        "backend/internal/ports/repositories.py": PORTS_REPOSITORIES,
        "backend/internal/adapters/__init__.py": '"""Adapters (implementations)."""\n',
        "backend/internal/adapters/db/__init__.py": '"""Database adapters."""\n',
        "backend/internal/adapters/db/connection.py": DB_POSTGRES if postgres else DB_MONGO,
        "backend/internal/adapters/cache/__init__.py": '"""Cache adapters."""\n',
        "backend/internal/adapters/cache/redis_cache.py": REDIS_CACHE,
        "backend/internal/services/__init__.py": '"""Services (use cases)."""\n',
        "backend/internal/services/user_service.py": USER_SERVICE,
        "backend/internal/workers/__init__.py": WORKERS_INIT,
        "backend/internal/workers/main.py": WORKERS_MAIN.format(slug=slug),
        "backend/internal/workers/workflows.py": WORKERS_WORKFLOWS,
        "backend/internal/workers/activities.py": WORKERS_ACTIVITIES,
        "backend/internal/celery_app.py": CELERY_APP.format(slug=slug),
        "backend/internal/celery_tasks.py": CELERY_TASKS,
        "backend/pkg/__init__.py": '"""Shared packages."""\n',
        "backend/pkg/config/__init__.py": PKG_CONFIG_INIT,
        "backend/pkg/config/settings.py": SETTINGS.format(
            slug=slug, database=SETTINGS_POSTGRES if postgres else SETTINGS_MONGO
        ),
        "backend/pkg/logger/__init__.py": PKG_LOGGER_INIT,
        "backend/pkg/logger/setup.py": LOGGER_SETUP,
        "backend/pkg/errors/__init__.py": PKG_ERRORS_INIT,
        "backend/pkg/errors/exceptions.py": PKG_ERRORS,
        "backend/tests/__init__.py": "",
        "backend/tests/test_user_entity.py": TEST_USER_ENTITY,
        "backend/tests/test_dto_validation.py": TEST_DTO,
        "backend/tests/test_admin_seed.py": TEST_ADMIN_SEED,
        "backend/tests/test_api_integration.py": TEST_API,
    }


def render(destination: Path, name: str, runner: str, database: str = "postgresql") -> Path:
    """Write the project `lich init` makes for these answers into `destination`."""
    slug = name.lower().replace(" ", "_").replace("-", "_")
    for path, text in files(name, slug, runner, database).items():
        target = destination / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return destination


PROJECT_CONFIG = """\
# Project Configuration

# This file is machine-readable for AI agents

project:
  name: "{name}"
  slug: "{slug}"
  type: "saas_platform"
  description: "A brief description of the project"

author:
  name: "Your Name"
  email: "your@email.com"

stack:
  backend: fastapi
  frontend: nextjs
  database: {database}
  cache: yes
  auth: jwt_builtin

features:
  i18n: no
  tls: no
  temporal: {temporal}
  structured_logging: yes

settings:
  default_language: en
  domain: localhost

ports:
  api: 8000
{db_port}
  redis: 6379
{temporal_ports}"""

GITIGNORE = """\
# Dependencies
node_modules/
venv/
__pycache__/
*.pyc
.pytest_cache/

# Environment
.env
.env.local

# IDE
.idea/
.vscode/

# Build outputs
dist/
build/
*.egg-info/

# Logs
*.log
"""

ENV_EXAMPLE = """\
# Environment Configuration
# Copy this file to .env and fill in the values

PROJECT_NAME={slug}
ENVIRONMENT=development
DEBUG=true
{database}
REDIS_HOST=localhost
REDIS_PORT=6379
REDIS_PASSWORD=
{temporal}
API_HOST=0.0.0.0
API_PORT=8000
CORS_ORIGINS=http://localhost:3000,http://localhost:3002

LOG_FORMAT=json
LOG_LEVEL=INFO

SECRET_KEY=your-secret-key-change-me-in-production
"""
DB_ENV_POSTGRES = """DB_HOST=localhost
DB_PORT=5432
DB_USER=app
DB_PASSWORD=app_secret_change_me
DB_NAME={slug}
"""
DB_ENV_MONGO = """MONGODB_HOST=localhost
MONGODB_PORT=27017
MONGODB_USER=app
MONGODB_PASSWORD=app_secret_change_me
MONGODB_DB={slug}
"""
TEMPORAL_ENV = """TEMPORAL_HOST=localhost
TEMPORAL_PORT=7233
TEMPORAL_NAMESPACE=default
"""

COMPOSE = """\
version: "3.8"

services:
  traefik:
    image: traefik:v3.0
    container_name: "{slug}_traefik"
    ports:
      - "80:80"
      - "8090:8080"
    networks:
      - public_net
{database}
  redis:
    image: redis:7-alpine
    container_name: "{slug}_redis"
    ports:
      - "6379:6379"
    volumes:
      - redis_data:/data
    networks:
      - internal_net
    command: redis-server --appendonly yes
{temporal}
  adminer:
    image: adminer:4
    ports:
      - "8091:8080"
    networks:
      - internal_net

networks:
  internal_net:
    driver: bridge
  public_net:
    driver: bridge

volumes:
  {volume}:
  redis_data:
"""
COMPOSE_POSTGRES = """
  postgres:
    image: postgres:16-alpine
    environment:
      POSTGRES_USER: "${DB_USER:-app}"
      POSTGRES_PASSWORD: "${DB_PASSWORD:-app_secret}"
    volumes:
      - postgres_data:/var/lib/postgresql/data
    networks:
      - internal_net
"""
COMPOSE_MONGO = """
  mongodb:
    image: mongo:7
    volumes:
      - mongodb_data:/data/db
    networks:
      - internal_net
"""
COMPOSE_TEMPORAL = """
  temporal:
    image: temporalio/auto-setup:1.22
    container_name: "{slug}_temporal"
    ports:
      - "7233:7233"
    networks:
      - internal_net

  temporal-ui:
    image: temporalio/ui:2.22.1
    ports:
      - "8088:8080"
    environment:
      TEMPORAL_ADDRESS: temporal:7233
    networks:
      - internal_net
    depends_on:
      - temporal
"""

CI_BACKEND = """\
name: Backend CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r backend/requirements.txt && cd backend && pytest
"""

REQUIREMENTS = """\
# Backend Dependencies

# Core
fastapi>=0.109.0
uvicorn[standard]>=0.27.0
pydantic>=2.5.0
pydantic-settings>=2.1.0
python-dotenv>=1.0.0

# Database
{database}
# Cache
redis>=5.0.0

# Auth - JWT
python-jose[cryptography]>=3.3.0
passlib[bcrypt]>=1.7.4

# HTTP Client
httpx>=0.26.0

# Logging
structlog>=24.1.0

# Testing
pytest>=7.4.0
pytest-asyncio>=0.23.0

# Development
ruff>=0.1.0
"""
REQ_POSTGRES = "sqlalchemy[asyncio]>=2.0.25\nasyncpg>=0.29.0\n"
REQ_MONGO = "motor>=3.3.0\n"

PYTEST_INI = """\
[pytest]
asyncio_mode = auto
testpaths = tests
python_files = test_*.py
addopts = -v --tb=short
filterwarnings =
    ignore::DeprecationWarning
"""

DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "main.py"]
"""
DOCKERFILE_WORKER = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "-m", "internal.workers.main"]
"""

MAIN = '''"""
{name} - Backend API
"""
import uvicorn
from contextlib import asynccontextmanager
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pkg.logger.setup import setup_logging, get_logger
from pkg.config.settings import settings
from api.http import router as api_router


@asynccontextmanager
async def lifespan(app: FastAPI):
    setup_logging()
    logger = get_logger(__name__)
    logger.info("Starting {name} API")
    from internal.adapters.db.connection import init_db
    await init_db()
    yield
    logger.info("Shutting down {name} API")


app = FastAPI(title="{name} API", docs_url="/api/docs", lifespan=lifespan)
app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.cors_origins,
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.include_router(api_router, prefix="/api")


@app.get("/health")
async def health_check():
    return {{"status": "healthy", "service": "{slug}-api"}}


if __name__ == "__main__":
    uvicorn.run("main:app", host=settings.api_host, port=settings.api_port, reload=settings.debug)
'''

API_HTTP_INIT = '''"""
API Router Aggregation.
"""
from fastapi import APIRouter

from .health import router as health_router
from .users import router as users_router

router = APIRouter()
router.include_router(health_router, tags=["Health"])
router.include_router(users_router, prefix="/v1/users", tags=["Users"])
'''
API_HEALTH = """from fastapi import APIRouter
from internal.dto.responses import HealthResponse

router = APIRouter()


@router.get("/health", response_model=HealthResponse)
async def health_check():
    return HealthResponse(status="healthy", service="{slug}-api", version="1.0.0")
"""
API_USERS = """from fastapi import APIRouter

from internal.dto.requests import CreateUserRequest
from internal.dto.responses import UserResponse

router = APIRouter()


@router.post("", response_model=UserResponse)
async def create_user(request: CreateUserRequest):
    return UserResponse(id="1", email=request.email, role="user")
"""
MIDDLEWARE_TIMING = """import time

from starlette.middleware.base import BaseHTTPMiddleware


class TimingMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        start = time.time()
        response = await call_next(request)
        response.headers["X-Response-Time"] = str(time.time() - start)
        return response
"""
ENTITY_USER = """from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Optional


class UserRole(str, Enum):
    USER = "user"
    ADMIN = "admin"
    SUPER_ADMIN = "super_admin"


class UserStatus(str, Enum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass
class User:
    email: str
    id: Optional[str] = None
    first_name: Optional[str] = None
    last_name: Optional[str] = None
    role: UserRole = UserRole.USER
    status: UserStatus = UserStatus.PENDING
    created_at: datetime = field(default_factory=datetime.utcnow)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def activate(self) -> None:
        self.status = UserStatus.ACTIVE
"""
DTO_REQUESTS = """from typing import Optional
from pydantic import BaseModel, EmailStr, Field, field_validator


class CreateUserRequest(BaseModel):
    email: EmailStr
    password: str = Field(..., min_length=8, max_length=100)
    username: Optional[str] = Field(None, min_length=3, max_length=50)

    @field_validator("password")
    @classmethod
    def validate_password(cls, v: str) -> str:
        if not any(c.isdigit() for c in v):
            raise ValueError("Password must contain at least one digit")
        return v
"""
DTO_RESPONSES = """from typing import Optional
from pydantic import BaseModel


class HealthResponse(BaseModel):
    status: str
    service: str
    version: str


class UserResponse(BaseModel):
    id: str
    email: str
    role: str
    full_name: Optional[str] = None
"""
PORTS_REPOSITORIES = """from abc import ABC, abstractmethod
from typing import Optional

from internal.entities.user import User


class UserRepository(ABC):
    @abstractmethod
    async def get_by_email(self, email: str) -> Optional[User]: ...

    @abstractmethod
    async def create(self, user: User) -> User: ...
"""
DB_POSTGRES = """from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import declarative_base

from pkg.config.settings import settings

engine = create_async_engine(settings.database_url, pool_pre_ping=True)
Base = declarative_base()


async def init_db():
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
"""
DB_MONGO = """from motor.motor_asyncio import AsyncIOMotorClient

from pkg.config.settings import settings

client = None


async def init_db():
    global client
    client = AsyncIOMotorClient(settings.mongodb_url, serverSelectionTimeoutMS=2000)
    await client.admin.command("ping")
"""
REDIS_CACHE = """import redis.asyncio as redis

from pkg.config.settings import settings

redis_client = None


async def init_redis():
    global redis_client
    redis_client = redis.from_url(settings.redis_url)
"""
USER_SERVICE = """from internal.entities.user import User
from internal.ports.repositories import UserRepository
from pkg.errors.exceptions import ConflictError


class UserService:
    def __init__(self, user_repo: UserRepository):
        self.user_repo = user_repo

    async def create_user(self, request) -> User:
        if await self.user_repo.get_by_email(request.email):
            raise ConflictError("User with this email already exists")
        return await self.user_repo.create(User(email=request.email))
"""
WORKERS_INIT = """# Temporal Workers Package
#   1. Start Temporal server: docker compose up temporal
#   2. Start worker: python -m internal.workers.main

from internal.workers.workflows import EmailNotificationWorkflow
from internal.workers.activities import send_email_activity, SendEmailInput

__all__ = ["EmailNotificationWorkflow", "send_email_activity", "SendEmailInput"]
"""
WORKERS_MAIN = """# Temporal Worker Main Entry Point
# Run with: python -m internal.workers.main
import asyncio
import logging
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from temporalio.client import Client
from temporalio.worker import Worker

from internal.workers.workflows import EmailNotificationWorkflow
from internal.workers.activities import send_email_activity

logging.basicConfig(level=logging.INFO)
logger = logging.getLogger(__name__)


async def main():
    host = os.getenv("TEMPORAL_HOST", "localhost:7233")
    namespace = os.getenv("TEMPORAL_NAMESPACE", "default")
    task_queue = os.getenv("TEMPORAL_TASK_QUEUE", "{slug}-tasks")
    client = await Client.connect(host, namespace=namespace)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[EmailNotificationWorkflow],
        activities=[send_email_activity],
    )
    await worker.run()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        logger.info("Worker stopped")
"""
WORKERS_WORKFLOWS = """# Temporal Workflow Examples
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from internal.workers.activities import SendEmailInput


@workflow.defn
class EmailNotificationWorkflow:
    @workflow.run
    async def run(self, input: "SendEmailInput") -> bool:
        return await workflow.execute_activity(
            "send_email_activity",
            input,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=workflow.RetryPolicy(maximum_attempts=3),
        )
"""
WORKERS_ACTIVITIES = """# Temporal Activity Examples
import logging
from dataclasses import dataclass
from typing import Optional

from temporalio import activity

logger = logging.getLogger(__name__)


@dataclass
class SendEmailInput:
    to: str
    subject: str
    body: str
    template: Optional[str] = None


@activity.defn
async def send_email_activity(input: SendEmailInput) -> bool:
    logger.info(f"Sending email to {input.to}: {input.subject}")
    # TODO: Implement actual email sending
    return True
"""
CELERY_APP = """# Celery Application Configuration
#   1. Start Redis: docker compose up redis
#   2. Start worker: celery -A internal.celery_app worker -l INFO
#   3. Start beat: celery -A internal.celery_app beat -l INFO
import os
from celery import Celery
from celery.schedules import crontab

BROKER_URL = os.getenv("CELERY_BROKER_URL", "redis://localhost:6379/1")
RESULT_BACKEND = os.getenv("CELERY_RESULT_BACKEND", "redis://localhost:6379/2")

app = Celery(
    "{slug}",
    broker=BROKER_URL,
    backend=RESULT_BACKEND,
    include=["internal.celery_tasks"],
)
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_default_retry_delay=60,
    task_max_retries=3,
)
app.conf.beat_schedule = {{
    "cleanup-old-data": {{
        "task": "internal.celery_tasks.cleanup_old_data",
        "schedule": crontab(hour=0, minute=0),
        "args": (30,),
    }},
}}
"""
CELERY_TASKS = """# Celery Task Examples
import logging
from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=3)
def send_email(self, to: str, subject: str, body: str):
    logger.info(f"Sending email to {to}")
    # TODO: email sending logic
    return True


@shared_task
def cleanup_old_data(days: int = 30):
    logger.info(f"Cleaning data older than {days} days")
    return {"deleted": 0}
"""
PKG_CONFIG_INIT = '''"""Config package."""
from .settings import settings

__all__ = ["settings"]
'''
SETTINGS = '''"""
Settings configuration using Pydantic Settings.
"""
from typing import List
from pydantic_settings import BaseSettings
from pydantic import Field


class Settings(BaseSettings):
    project_name: str = Field(default="{slug}")
    environment: str = Field(default="development")
    debug: bool = Field(default=True)
    api_host: str = Field(default="0.0.0.0")
    api_port: int = Field(default=8000)
    cors_origins: List[str] = Field(default=["http://localhost:3000"])
{database}
    redis_host: str = Field(default="localhost")
    redis_port: int = Field(default=6379)
    redis_password: str = Field(default="")

    @property
    def redis_url(self) -> str:
        return f"redis://{{self.redis_host}}:{{self.redis_port}}/0"

    log_level: str = Field(default="INFO")
    log_format: str = Field(default="json")
    secret_key: str = Field(default="your-secret-key-change-me-in-production")

    class Config:
        env_file = ".env"
        env_file_encoding = "utf-8"
        case_sensitive = False
        extra = "ignore"


settings = Settings()
'''
SETTINGS_POSTGRES = """    db_host: str = Field(default="localhost")
    db_port: int = Field(default=5432)
    db_user: str = Field(default="app")
    db_password: str = Field(default="app_secret")
    db_name: str = Field(default="legacy")

    @property
    def database_url(self) -> str:
        return f"postgresql+asyncpg://{self.db_user}:{self.db_password}@{self.db_host}:{self.db_port}/{self.db_name}"
"""
SETTINGS_MONGO = """    mongodb_host: str = Field(default="localhost")
    mongodb_port: int = Field(default=27017)
    mongodb_db: str = Field(default="legacy")

    @property
    def mongodb_url(self) -> str:
        return f"mongodb://{self.mongodb_host}:{self.mongodb_port}/{self.mongodb_db}"
"""
PKG_LOGGER_INIT = '''"""Logger package."""
from .setup import setup_logging, get_logger

__all__ = ["setup_logging", "get_logger"]
'''
LOGGER_SETUP = '''"""
Structured logging setup using structlog.
"""
import logging
import structlog
from pkg.config.settings import settings


def setup_logging():
    structlog.configure(
        processors=[
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
    )
    logging.basicConfig(format="%(message)s", level=getattr(logging, settings.log_level.upper()))


def get_logger(name: str = None):
    return structlog.get_logger(name)
'''
PKG_ERRORS_INIT = '''"""Errors package."""
from .exceptions import AppException, ConflictError, NotFoundError

__all__ = ["AppException", "ConflictError", "NotFoundError"]
'''
PKG_ERRORS = """class AppException(Exception):
    status_code = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFoundError(AppException):
    status_code = 404


class ConflictError(AppException):
    status_code = 409
"""
TEST_USER_ENTITY = """from internal.entities.user import User, UserRole, UserStatus


class TestUser:
    def test_full_name(self):
        user = User(email="a@example.com", first_name="Ada", last_name="Lovelace")
        assert user.full_name == "Ada Lovelace"

    def test_defaults(self):
        user = User(email="a@example.com")
        assert user.role == UserRole.USER
        assert user.status == UserStatus.PENDING

    def test_activate(self):
        user = User(email="a@example.com")
        user.activate()
        assert user.status == UserStatus.ACTIVE
"""
TEST_DTO = """import pytest
from pydantic import ValidationError

from internal.dto.requests import CreateUserRequest


class TestCreateUserRequest:
    def test_valid(self):
        request = CreateUserRequest(email="a@example.com", password="Secret123")
        assert request.email == "a@example.com"

    def test_password_needs_a_digit(self):
        with pytest.raises(ValidationError):
            CreateUserRequest(email="a@example.com", password="NoDigitsHere")
"""
TEST_ADMIN_SEED = """import sys
from unittest.mock import AsyncMock, MagicMock

import pytest

# Mock settings before importing modules that use them
sys.modules["pkg.config.settings"] = MagicMock()

from internal.services.user_service import UserService
from internal.entities.user import User


@pytest.mark.asyncio
async def test_admin_seeding_logic():
    user_repo = MagicMock()
    user_repo.get_by_email = AsyncMock(return_value=None)
    user_repo.create = AsyncMock(return_value=User(email="admin@example.com", id="1"))
    service = UserService(user_repo)
    request = MagicMock(email="admin@example.com")
    user = await service.create_user(request)
    assert user.email == "admin@example.com"
"""
TEST_API = """import pytest
from fastapi.testclient import TestClient

from main import app


def test_health_endpoint():
    # The lifespan connects to the database: without one this test fails, as it does in the
    # original template.
    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 200
"""
