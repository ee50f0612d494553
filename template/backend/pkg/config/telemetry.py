"""Settings of traces, error reports and metrics (pkg/telemetry/), from the environment, then
`.env`, like every setting. OpenTelemetry's own `OTEL_*` variables are read by its SDK
(pkg/telemetry/tracing.py). This file belongs to the Lich template: application settings go in
pkg/config/settings.py.
"""

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BACKEND_DIR = Path(__file__).resolve().parents[2]
# The project's .env first, then an optional backend/.env that overrides it.
ENV_FILES = (BACKEND_DIR.parent / ".env", BACKEND_DIR / ".env")


class TelemetrySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=ENV_FILES, env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    # A Sentry project's DSN: unhandled errors of the API and the jobs are reported there.
    sentry_dsn: SecretStr | None = None
    # Where workers serve their Prometheus metrics (0.0.0.0 in containers); the API serves its own
    # on GET /metrics.
    metrics_host: str = "127.0.0.1"


telemetry_settings = TelemetrySettings()
