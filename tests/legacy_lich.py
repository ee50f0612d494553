"""Projects as the original, cookiecutter-based `lich init` leaves them, built here (tests download
nothing): the same files, names, imports, settings, pytest.ini, requirements, CI workflows,
tests, runner files, compose and PROJECT_CONFIG as its template renders for its options
(`task_runner`, `database`, `auth_strategy`, `use_redis`, `use_structured_logging`, and the ones
only PROJECT_CONFIG records: `use_i18n`, `is_microservice`, `object_storage`), reduced to what
the adoption meets. Written for these tests from what the original renders; the code is this
repository's own.

What the original does that matters here:
- it writes both runners' files (`internal/workers/*.py`, `internal/celery_app.py`,
  `internal/celery_tasks.py`) whatever the choice, full of example stubs (three workflows, four
  activities, nine Celery tasks, four beat entries), and `celery` and `none` render the same
  files;
- its requirements name neither `temporalio` nor `celery`, and lack `email-validator` although
  the DTOs use `EmailStr` (the app and some tests fail without it);
- `pkg/config/settings.py` builds a module-level `settings` (no `get_settings`), reading
  `.env` relative to the working directory; with `use_redis` it reads `REDIS_HOST`, `REDIS_PORT`
  and `REDIS_PASSWORD` for the app's own cache (database 0);
- `backend/pytest.ini` configures pytest; one test replaces `sys.modules["pkg.config.settings"]`;
  one test needs a database and fails without one;
- `.gitignore` ignores `venv/` but not `.venv/`;
- the Temporal worker reads `TEMPORAL_HOST` as host:port while `.env.example` gives a bare host,
  and its task queue is `<project_slug>-tasks` (underscores kept); Celery's broker defaults to
  `redis://localhost:6379/1`, its results to `/2`, and its queue is Celery's default, `celery`;
- `docker-compose.yml` has no backend service; the database, Redis (with `use_redis`: image
  `redis:7-alpine`, volume `redis_data`, append-only) and the Temporal services sit on its own
  `internal_net` network, Traefik on `public_net`; Temporal gets `temporalio/auto-setup`;
- its CI (`ci-backend.yml` on push, `ci.yml` by hand) installs `backend/requirements.txt`;
- `.lich/PROJECT_CONFIG.yaml` records `features.temporal: yes|no` and never Celery.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RUNNERS = ("none", "celery", "temporal")
DATABASES = ("postgresql", "mongodb")
AUTH_STRATEGIES = ("jwt_builtin", "keycloak", "none")


@dataclass(frozen=True)
class Options:
    """lich init's answers (its cookiecutter.json names, as booleans where it says yes/no)."""

    task_runner: str = "none"
    database: str = "postgresql"
    auth_strategy: str = "jwt_builtin"
    use_redis: bool = True
    use_structured_logging: bool = True
    use_i18n: bool = False
    is_microservice: bool = False
    object_storage: str = "none"


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


def files(name: str, slug: str, options: Options) -> dict[str, str]:
    o = options
    postgres = o.database == "postgresql"
    jwt, keycloak = o.auth_strategy == "jwt_builtin", o.auth_strategy == "keycloak"
    found = {
        ".lich/PROJECT_CONFIG.yaml": project_config(name, slug, o),
        ".gitignore": GITIGNORE,
        ".env.example": env_example(slug, o),
        "docker-compose.yml": compose(slug, o),
        "README.md": f"# {name}\n\nA brief description of the project\n",
        ".github/workflows/ci.yml": CI_ALL,
        ".github/workflows/ci-backend.yml": CI_BACKEND,
        ".github/workflows/ci-web.yml": CI_WEB,
        "backend/requirements.txt": requirements(o),
        "backend/pytest.ini": PYTEST_INI,
        "backend/Dockerfile": DOCKERFILE,
        "backend/Dockerfile.worker": DOCKERFILE_WORKER,
        "backend/main.py": main_py(name, slug, o),
        "backend/api/__init__.py": '"""API package."""\n',
        "backend/api/http/__init__.py": API_HTTP_INIT_AUTH
        if o.auth_strategy != "none"
        else API_HTTP_INIT,
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
        "backend/internal/adapters/cache/redis_cache.py": REDIS_CACHE if o.use_redis else NO_CACHE,
        "backend/internal/services/__init__.py": SERVICES_INIT,
        "backend/internal/services/user_service.py": USER_SERVICE,
        "backend/internal/services/auth_deps.py": (
            AUTH_JWT if jwt else AUTH_KEYCLOAK if keycloak else AUTH_NONE
        ),
        "backend/internal/workers/__init__.py": WORKERS_INIT,
        "backend/internal/workers/main.py": WORKERS_MAIN.replace("{slug}", slug),
        "backend/internal/workers/workflows.py": WORKERS_WORKFLOWS,
        "backend/internal/workers/activities.py": WORKERS_ACTIVITIES,
        "backend/internal/celery_app.py": CELERY_APP.replace("{slug}", slug),
        "backend/internal/celery_tasks.py": CELERY_TASKS,
        "backend/pkg/__init__.py": '"""Shared packages."""\n',
        "backend/pkg/config/__init__.py": PKG_CONFIG_INIT,
        "backend/pkg/config/settings.py": settings_py(slug, o),
        "backend/pkg/logger/__init__.py": PKG_LOGGER_INIT,
        "backend/pkg/logger/setup.py": LOGGER_STRUCTLOG
        if o.use_structured_logging
        else LOGGER_PLAIN,
        "backend/pkg/errors/__init__.py": PKG_ERRORS_INIT,
        "backend/pkg/errors/exceptions.py": PKG_ERRORS,
        "backend/tests/__init__.py": "",
        "backend/tests/test_user_entity.py": TEST_USER_ENTITY,
        "backend/tests/test_dto_validation.py": TEST_DTO,
        "backend/tests/test_admin_seed.py": TEST_ADMIN_SEED,
        "backend/tests/test_api_integration.py": TEST_API,
    }
    if o.auth_strategy != "none":
        found["backend/api/http/auth.py"] = API_AUTH
    return found


def render(
    destination: Path,
    name: str,
    runner: str,
    database: str = "postgresql",
    **options: object,
) -> Path:
    """Write the project `lich init` makes for these answers into `destination`."""
    slug = name.lower().replace(" ", "_").replace("-", "_")
    chosen = Options(task_runner=runner, database=database, **options)  # type: ignore[arg-type]
    for path, text in files(name, slug, chosen).items():
        target = destination / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return destination


# ---------------------------------------------------------------- files that vary with options


def project_config(name: str, slug: str, o: Options) -> str:
    ports = ["  web: 3000", "  api: 8000"]
    ports.append("  postgres: 5432" if o.database == "postgresql" else "  mongodb: 27017")
    ports += ["  redis: 6379"] if o.use_redis else []
    ports += ["  temporal: 7233", "  temporal_ui: 8088"] if o.task_runner == "temporal" else []
    return f"""\
# Project Configuration

# This file is machine-readable for AI agents

project:
  name: "{name}"
  slug: "{slug}"
  type: "{"microservice" if o.is_microservice else "saas_platform"}"
  description: "A brief description of the project"

author:
  name: "Your Name"
  email: "your@email.com"

stack:
  backend: fastapi
  frontend: nextjs
  database: {o.database}
  cache: {yes(o.use_redis)}
  auth: {o.auth_strategy}
  microservice: {yes(o.is_microservice)}
  object_storage: {o.object_storage}

features:
  i18n: {yes(o.use_i18n)}
  tls: no
  temporal: {yes(o.task_runner == "temporal")}
  structured_logging: {yes(o.use_structured_logging)}

settings:
  default_language: en
  domain: localhost

ports:
{chr(10).join(ports)}
"""


def env_example(slug: str, o: Options) -> str:
    parts = [
        "# Environment Configuration\n# Copy this file to .env and fill in the values\n\n"
        f"PROJECT_NAME={slug}\nENVIRONMENT=development\nDEBUG=true\n"
    ]
    if o.database == "postgresql":
        parts.append(
            "\nDB_HOST=localhost\nDB_PORT=5432\nDB_USER=app\nDB_PASSWORD=app_secret_change_me\n"
            f"DB_NAME={slug}\n"
        )
    else:
        parts.append(
            "\nMONGODB_HOST=localhost\nMONGODB_PORT=27017\nMONGODB_USER=app\n"
            f"MONGODB_PASSWORD=app_secret_change_me\nMONGODB_DB={slug}\n"
        )
    if o.use_redis:
        parts.append(
            "\n# REDIS\nREDIS_HOST=localhost\nREDIS_PORT=6379\nREDIS_PASSWORD=\n"
            "REDIS_URL=redis://${REDIS_HOST}:${REDIS_PORT}/0\n"
        )
    if o.auth_strategy == "jwt_builtin":
        parts.append(
            "\n# JWT\nJWT_SECRET_KEY=dev-secret-key-change-in-production\nJWT_ALGORITHM=HS256\n"
            "JWT_ACCESS_TOKEN_EXPIRE_MINUTES=30\n"
        )
    elif o.auth_strategy == "keycloak":
        parts.append(
            f"\n# KEYCLOAK\nKEYCLOAK_URL=http://localhost:8080\nKEYCLOAK_REALM={slug}\n"
            "KEYCLOAK_CLIENT_SECRET=your-client-secret-here\n"
        )
    if o.task_runner == "temporal":
        parts.append(
            "\n# TEMPORAL\nTEMPORAL_HOST=localhost\nTEMPORAL_PORT=7233\n"
            "TEMPORAL_NAMESPACE=default\n"
        )
    parts.append(
        "\nAPI_HOST=0.0.0.0\nAPI_PORT=8000\n"
        "CORS_ORIGINS=http://localhost:3000,http://localhost:3002\n"
        f"\nLOG_FORMAT={'json' if o.use_structured_logging else 'text'}\nLOG_LEVEL=INFO\n"
        "\nSECRET_KEY=your-secret-key-change-me-in-production\n"
    )
    return "".join(parts)


def compose(slug: str, o: Options) -> str:
    postgres = o.database == "postgresql"
    blocks = [
        f"""\
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
"""
    ]
    if postgres:
        blocks.append(
            f"""
  postgres:
    image: postgres:16-alpine
    container_name: "{slug}_postgres"
    environment:
      POSTGRES_USER: "${{DB_USER:-app}}"
      POSTGRES_PASSWORD: "${{DB_PASSWORD:-app_secret}}"
      POSTGRES_DB: "${{DB_NAME:-{slug}}}"
    volumes:
      - postgres_data:/var/lib/postgresql/data
    networks:
      - internal_net
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U $${{POSTGRES_USER}}"]
      interval: 10s
      timeout: 5s
      retries: 5
"""
        )
    else:
        blocks.append(
            f"""
  mongodb:
    image: mongo:7
    container_name: "{slug}_mongodb"
    volumes:
      - mongodb_data:/data/db
    networks:
      - internal_net
"""
        )
    if o.use_redis:
        blocks.append(
            f"""
  redis:
    image: redis:7-alpine
    container_name: "{slug}_redis"
    restart: unless-stopped
    ports:
      - "6379:6379"
    volumes:
      - redis_data:/data
    networks:
      - internal_net
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 10s
      timeout: 5s
      retries: 5
    command: redis-server --appendonly yes
"""
        )
    if o.auth_strategy == "keycloak":
        blocks.append(
            """
  keycloak:
    image: quay.io/keycloak/keycloak:23.0
    command: start-dev
    ports:
      - "8080:8080"
    networks:
      - internal_net
      - public_net
"""
        )
    if o.task_runner == "temporal":
        blocks.append(
            f"""
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
      - public_net
    depends_on:
      - temporal
"""
        )
    blocks.append(
        f"""
  adminer:
    image: adminer:4
    ports:
      - "8091:8080"
    networks:
      - internal_net
      - public_net
    depends_on:
      - {"postgres" if postgres else "mongodb"}

networks:
  internal_net:
    driver: bridge
  public_net:
    driver: bridge

volumes:
  {"postgres_data" if postgres else "mongodb_data"}:
"""
    )
    if o.use_redis:
        blocks.append("  redis_data:\n")
    return "".join(blocks)


def requirements(o: Options) -> str:
    lines = [
        "# Backend Dependencies\n\n# Core\nfastapi>=0.109.0\nuvicorn[standard]>=0.27.0\n"
        "pydantic>=2.5.0\npydantic-settings>=2.1.0\npython-dotenv>=1.0.0\n\n# Database\n"
    ]
    if o.database == "postgresql":
        lines.append("sqlalchemy[asyncio]>=2.0.25\nasyncpg>=0.29.0\n")
    else:
        lines.append("motor>=3.3.0\n")
    if o.use_redis:
        lines.append("\n# Cache\nredis>=5.0.0\n")
    if o.auth_strategy == "jwt_builtin":
        lines.append("\n# Auth - JWT\npython-jose[cryptography]>=3.3.0\n")
    elif o.auth_strategy == "keycloak":
        lines.append("\n# Auth - Keycloak\npython-jose[cryptography]>=3.3.0\n")
    lines.append("\n# HTTP Client\nhttpx>=0.26.0\n")
    if o.use_structured_logging:
        lines.append("\n# Logging\nstructlog>=24.1.0\n")
    lines.append(
        "\n# Testing\npytest>=7.4.0\npytest-asyncio>=0.23.0\n\n# Development\nruff>=0.1.0\n"
    )
    return "".join(lines)


def main_py(name: str, slug: str, o: Options) -> str:
    redis = (
        "    from internal.adapters.cache.redis_cache import init_redis\n    await init_redis()\n"
        if o.use_redis
        else ""
    )
    return f'''"""
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
{redis}    yield
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


def settings_py(slug: str, o: Options) -> str:
    database = (
        SETTINGS_POSTGRES.replace("{slug}", slug)
        if o.database == "postgresql"
        else SETTINGS_MONGO.replace("{slug}", slug)
    )
    redis = SETTINGS_REDIS if o.use_redis else ""
    auth = (
        SETTINGS_JWT
        if o.auth_strategy == "jwt_builtin"
        else SETTINGS_KEYCLOAK.replace("{slug}", slug)
        if o.auth_strategy == "keycloak"
        else ""
    )
    log_format = "json" if o.use_structured_logging else "text"
    return f'''"""
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
{database}{redis}{auth}
    log_level: str = Field(default="INFO")
    log_format: str = Field(default="{log_format}")
    secret_key: str = Field(default="your-secret-key-change-me-in-production")

    class Config:
        env_file = ".env"
        env_file_encoding = "utf-8"
        case_sensitive = False
        extra = "ignore"


settings = Settings()
'''


# ---------------------------------------------------------------- fixed files

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

CI_BACKEND = """\
name: CI - Backend
on:
  push:
    branches: [main]
    paths: ["backend/**"]
jobs:
  backend-test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install dependencies
        working-directory: ./backend
        run: pip install -r requirements.txt
      - name: Lint
        working-directory: ./backend
        run: pip install ruff && ruff check .
      - name: Test
        working-directory: ./backend
        run: pytest -v || echo "No tests yet"
"""
CI_ALL = """\
name: CI - All (Manual)
on:
  workflow_dispatch:
jobs:
  backend-test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install dependencies
        working-directory: ./backend
        run: pip install -r requirements.txt
      - name: Test
        working-directory: ./backend
        run: pytest -v || echo "No tests yet"
  web-build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - working-directory: ./apps/web
        run: npm ci && npm run build
"""
CI_WEB = """\
name: CI - Web
on:
  push:
    paths: ["apps/web/**"]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - working-directory: ./apps/web
        run: npm ci && npm run build
"""

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
# Override with docker-compose command for Celery
CMD ["python", "-m", "internal.workers.main"]
"""

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
API_HTTP_INIT_AUTH = '''"""
API Router Aggregation.
"""
from fastapi import APIRouter

from .auth import router as auth_router
from .health import router as health_router
from .users import router as users_router

router = APIRouter()
router.include_router(health_router, tags=["Health"])
router.include_router(auth_router, prefix="/v1/auth", tags=["Authentication"])
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
API_AUTH = """from fastapi import APIRouter, Depends

from internal.dto.responses import UserResponse
from internal.entities.user import User
from internal.services.auth_deps import get_current_user

router = APIRouter()


@router.get("/me", response_model=UserResponse)
async def me(user: User = Depends(get_current_user)):
    return UserResponse(id=user.id or "", email=user.email, role=user.role.value)
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
    redis_client = redis.from_url(settings.redis_url, decode_responses=True)


async def get_cached(key: str):
    return await redis_client.get(key) if redis_client else None
"""
NO_CACHE = '"""Redis cache is not enabled for this project."""\n'
SERVICES_INIT = '''"""Services package - Business logic."""
from .user_service import UserService
from .auth_deps import get_current_user

__all__ = ["UserService", "get_current_user"]
'''
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
# lich init's two bearer-token dependencies: the same start, their own check.
_BEARER = """from typing import Optional

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
{imports}
from internal.entities.user import User
from pkg.config.settings import settings

security = HTTPBearer(auto_error=False)


async def get_current_user(
    credentials: Optional[HTTPAuthorizationCredentials] = Depends(security),
) -> User:
{check}"""
AUTH_JWT = _BEARER.format(
    imports="from jose import JWTError, jwt\n",
    check="""\
    if not credentials:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Authentication required")
    try:
        payload = jwt.decode(
            credentials.credentials, settings.jwt_secret_key, algorithms=[settings.jwt_algorithm]
        )
    except JWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Invalid token")
    if not payload.get("sub"):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Invalid token")
    return User(email=payload.get("email", ""), id=payload["sub"])
""",
)
AUTH_KEYCLOAK = _BEARER.format(
    imports="",
    check="""\
    # Tokens are verified against {settings.keycloak_url}/realms/{settings.keycloak_realm}.
    if not credentials:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Authentication required")
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Keycloak is not reachable")
""",
)
AUTH_NONE = """from typing import Optional

from internal.entities.user import User


async def get_current_user() -> Optional[User]:
    return None
"""

# lich init's Temporal files: three example workflows and four activities, all registered.
WORKERS_INIT = """# Temporal Workers Package
#   1. Start Temporal server: docker compose up temporal
#   2. Start worker: python -m internal.workers.main

from internal.workers.workflows import (
    EmailNotificationWorkflow,
    DataProcessingWorkflow,
    ScheduledReportWorkflow,
)
from internal.workers.activities import (
    send_email_activity,
    process_data_activity,
    generate_report_activity,
    upload_to_s3_activity,
    SendEmailInput,
)

__all__ = [
    "EmailNotificationWorkflow",
    "DataProcessingWorkflow",
    "ScheduledReportWorkflow",
    "send_email_activity",
    "process_data_activity",
    "generate_report_activity",
    "upload_to_s3_activity",
    "SendEmailInput",
]
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

from internal.workers.workflows import (
    EmailNotificationWorkflow,
    DataProcessingWorkflow,
    ScheduledReportWorkflow,
)
from internal.workers.activities import (
    send_email_activity,
    process_data_activity,
    generate_report_activity,
    upload_to_s3_activity,
)

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
        workflows=[
            EmailNotificationWorkflow,
            DataProcessingWorkflow,
            ScheduledReportWorkflow,
        ],
        activities=[
            send_email_activity,
            process_data_activity,
            generate_report_activity,
            upload_to_s3_activity,
        ],
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
from typing import List

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from internal.workers.activities import (
        SendEmailInput,
        ProcessDataInput,
        GenerateReportInput,
    )


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


@workflow.defn
class DataProcessingWorkflow:
    def __init__(self) -> None:
        self.progress = 0

    @workflow.query
    def get_progress(self) -> int:
        return self.progress

    @workflow.run
    async def run(self, items: List[str]) -> dict:
        for index, item in enumerate(items):
            await workflow.execute_activity(
                "process_data_activity",
                ProcessDataInput(data_id=item),
                start_to_close_timeout=timedelta(minutes=5),
            )
            self.progress = int((index + 1) / len(items) * 100)
        return {"processed": len(items)}


@workflow.defn
class ScheduledReportWorkflow:
    @workflow.run
    async def run(self, report_type: str) -> dict:
        return await workflow.execute_activity(
            "generate_report_activity",
            GenerateReportInput(report_type=report_type),
            start_to_close_timeout=timedelta(minutes=10),
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


@dataclass
class ProcessDataInput:
    data_id: str


@dataclass
class GenerateReportInput:
    report_type: str


@dataclass
class UploadToS3Input:
    file_path: str
    bucket: str
    key: str


@activity.defn
async def send_email_activity(input: SendEmailInput) -> bool:
    logger.info(f"Sending email to {input.to}: {input.subject}")
    # TODO: Implement actual email sending
    return True


@activity.defn
async def process_data_activity(input: ProcessDataInput) -> dict:
    activity.heartbeat("processing")
    return {"data_id": input.data_id, "status": "completed"}


@activity.defn
async def generate_report_activity(input: GenerateReportInput) -> dict:
    return {"report_type": input.report_type, "status": "generated"}


@activity.defn
async def upload_to_s3_activity(input: UploadToS3Input) -> dict:
    return {"bucket": input.bucket, "key": input.key, "status": "uploaded"}
"""
# lich init's Celery files: nine example tasks, four beat entries, a base task class.
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
    include=[
        "internal.celery_tasks",
    ],
)
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    timezone="UTC",
    enable_utc=True,
    result_expires=3600,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_default_retry_delay=60,
    task_max_retries=3,
)

app.conf.beat_schedule = {
    "cleanup-old-data": {
        "task": "internal.celery_tasks.cleanup_old_data",
        "schedule": crontab(hour=0, minute=0),
        "args": (30,),
    },
    "weekly-report": {
        "task": "internal.celery_tasks.generate_weekly_report",
        "schedule": crontab(hour=9, minute=0, day_of_week=1),
    },
    "health-check": {
        "task": "internal.celery_tasks.health_check",
        "schedule": 300.0,
    },
    "sync-external-data": {
        "task": "internal.celery_tasks.sync_external_data",
        "schedule": crontab(minute=0),
    },
}


class BaseTask:
    autoretry_for = (Exception,)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True


if __name__ == "__main__":
    app.start()
"""
CELERY_TASKS = """# Celery Task Examples
#   from internal.celery_tasks import send_email
#   result = send_email.delay("user@example.com", "Hello", "World")
import logging
from datetime import datetime, timedelta
from typing import List, Optional

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=3)
def send_email(self, to: str, subject: str, body: str, template: Optional[str] = None):
    logger.info(f"Sending email to {to}: {subject}")
    # TODO: Implement actual email sending
    return True


@shared_task
def send_bulk_emails(recipients: List[str], subject: str, body: str):
    for recipient in recipients:
        send_email.delay(recipient, subject, body)
    return {"sent": len(recipients)}


@shared_task(bind=True)
def process_data(self, data_id: str, options: Optional[dict] = None):
    self.update_state(state="PROCESSING", meta={"progress": 0})
    return {"data_id": data_id, "status": "completed"}


@shared_task
def generate_weekly_report():
    report_date = datetime.utcnow().strftime("%Y-%m-%d")
    return {"report_date": report_date, "status": "generated"}


@shared_task
def generate_custom_report(report_type: str, start_date: str, end_date: str):
    return {"report_type": report_type, "status": "generated"}


@shared_task
def cleanup_old_data(days: int = 30):
    cutoff_date = datetime.utcnow() - timedelta(days=days)
    logger.info(f"Cleaning up data older than {cutoff_date}")
    return {"deleted": 0, "cutoff_date": cutoff_date.isoformat()}


@shared_task
def health_check():
    return {"healthy": True}


@shared_task
def sync_external_data():
    return {"synced": 0, "timestamp": datetime.utcnow().isoformat()}


@shared_task
def upload_to_s3(file_path: str, bucket: str, key: str):
    return {"bucket": bucket, "key": key, "status": "uploaded"}
"""
PKG_CONFIG_INIT = '''"""Config package."""
from .settings import settings

__all__ = ["settings"]
'''
SETTINGS_POSTGRES = """    db_host: str = Field(default="localhost")
    db_port: int = Field(default=5432)
    db_user: str = Field(default="app")
    db_password: str = Field(default="app_secret")
    db_name: str = Field(default="{slug}")

    @property
    def database_url(self) -> str:
        return f"postgresql+asyncpg://{self.db_user}:{self.db_password}@{self.db_host}:{self.db_port}/{self.db_name}"
"""
SETTINGS_MONGO = """    mongodb_host: str = Field(default="localhost")
    mongodb_port: int = Field(default=27017)
    mongodb_db: str = Field(default="{slug}")

    @property
    def mongodb_url(self) -> str:
        return f"mongodb://{self.mongodb_host}:{self.mongodb_port}/{self.mongodb_db}"
"""
SETTINGS_REDIS = """
    redis_host: str = Field(default="localhost")
    redis_port: int = Field(default=6379)
    redis_password: str = Field(default="")

    @property
    def redis_url(self) -> str:
        if self.redis_password:
            return f"redis://:{self.redis_password}@{self.redis_host}:{self.redis_port}/0"
        return f"redis://{self.redis_host}:{self.redis_port}/0"
"""
SETTINGS_JWT = """
    jwt_secret_key: str = Field(default="your-secret-key-change-me")
    jwt_algorithm: str = Field(default="HS256")
    jwt_access_token_expire_minutes: int = Field(default=30)
"""
SETTINGS_KEYCLOAK = """
    keycloak_url: str = Field(default="http://localhost:8080")
    keycloak_realm: str = Field(default="{slug}")
    keycloak_client_secret: str = Field(default="")
"""
PKG_LOGGER_INIT = '''"""Logger package."""
from .setup import setup_logging, get_logger

__all__ = ["setup_logging", "get_logger"]
'''
LOGGER_STRUCTLOG = '''"""
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
LOGGER_PLAIN = '''"""
Standard logging setup.
"""
import logging
from pkg.config.settings import settings


def setup_logging():
    logging.basicConfig(
        format="%(asctime)s - %(name)s - %(levelname)s - %(message)s",
        level=getattr(logging, settings.log_level.upper()),
    )


def get_logger(name: str = None):
    return logging.getLogger(name)
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
