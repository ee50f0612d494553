"""Which files each runner generates, asserted as one table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import project_files

# Files at the seed's paths (shared/seed/background-workers.en.md) and the runner's companions.
TEMPORAL_FILES = {
    "backend/internal/workers/__init__.py",
    "backend/internal/workers/main.py",
    "backend/internal/workers/workflows.py",
    "backend/internal/workers/activities.py",
    "backend/internal/workers/client.py",
    "backend/internal/workers/schedules.py",
    "backend/internal/workers/health.py",
    "backend/internal/workers/process.py",
    "backend/tests/test_temporal_activities.py",
    "backend/tests/test_temporal_workflows.py",
    "backend/tests/test_temporal_server.py",
    "backend/internal/jobs/temporal_dispatcher.py",
    "backend/Dockerfile.worker",
}
CELERY_FILES = {
    "backend/internal/celery_app.py",
    "backend/internal/celery_tasks.py",
    "backend/internal/jobs/celery_dispatcher.py",
    "backend/Dockerfile.worker",
}
NONE_FILES = {
    "backend/internal/jobs/inprocess_dispatcher.py",
    "backend/tests/test_emails_api.py",
}
COMMON_FILES = {
    ".copier-answers.yml",
    ".env.example",
    ".gitignore",
    ".lich/PROJECT_CONFIG.yaml",
    "Makefile",
    "README.md",
    "docker-compose.yml",
    "docs/workers.md",
    "backend/.dockerignore",
    "backend/pyproject.toml",
    "backend/Dockerfile",
    "backend/api/main.py",
    "backend/api/routes/health.py",
    "backend/api/routes/emails.py",
    "backend/internal/emails.py",
    "backend/internal/jobs/__init__.py",
    "backend/internal/jobs/port.py",
    "backend/pkg/config/settings.py",
    "backend/pkg/email/outbox.py",
    "backend/pkg/logging.py",
    "backend/devtools/servers.py",
    "backend/devtools/stack.py",
    "backend/devtools/dev.py",
    "backend/devtools/demo.py",
    "backend/tests/conftest.py",
    "backend/tests/test_health.py",
    "backend/tests/test_outbox.py",
}
EXPECTED = {
    "none": (COMMON_FILES | NONE_FILES, TEMPORAL_FILES | CELERY_FILES),
    "celery": (COMMON_FILES | CELERY_FILES, (TEMPORAL_FILES | NONE_FILES) - CELERY_FILES),
    "temporal": (COMMON_FILES | TEMPORAL_FILES, (CELERY_FILES | NONE_FILES) - TEMPORAL_FILES),
}


@pytest.mark.parametrize("runner", sorted(EXPECTED))
def test_runner_files_are_present_or_absent(runner: str, generate: Any, tmp_path: Path) -> None:
    present, absent = EXPECTED[runner]
    files = project_files(generate(tmp_path / "project", task_runner=runner))
    assert present - files == set(), "missing files"
    assert absent & files == set(), "files of a runner that was not chosen"
    if runner != "temporal":
        assert not any(name.startswith("backend/internal/workers/") for name in files)
