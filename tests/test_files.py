"""Which files each runner generates, asserted as one table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, project_files

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
    "backend/internal/adapters/jobs/temporal.py",
    "backend/tests/test_temporal_activities.py",
    "backend/tests/test_temporal_workflows.py",
    "backend/tests/test_temporal_server.py",
}
CELERY_FILES = {
    "backend/internal/celery_app.py",
    "backend/internal/celery_tasks.py",
    "backend/internal/adapters/jobs/celery.py",
    "backend/tests/test_celery_tasks.py",
    "backend/tests/test_celery_integration.py",
}
NONE_FILES = {
    "backend/internal/adapters/jobs/inprocess.py",
    "backend/tests/test_emails_api.py",
}
# Lich's backend layout (main.py, api/http/, internal/ports|adapters|services|entities|dto,
# pkg/config/settings.py, pkg/logger/) and the rest every project has.
COMMON_FILES = {
    ".copier-answers.yml",
    ".env.example",
    ".gitignore",
    ".lich/PROJECT_CONFIG.yaml",
    "Makefile",
    "README.md",
    "docker-compose.yml",
    "compose/jobs.yml",
    "compose/jobs.env",
    "docs/workers.md",
    "docs/workers.fa.md",
    "backend/.dockerignore",
    "backend/Dockerfile",
    "backend/pyproject.toml",
    "backend/uv.lock",
    "backend/main.py",
    "backend/api/http/__init__.py",
    "backend/api/http/health.py",
    "backend/api/http/emails.py",
    "backend/api/middleware/__init__.py",
    "backend/internal/dto/emails.py",
    "backend/internal/entities/email.py",
    "backend/internal/ports/jobs.py",
    "backend/internal/ports/mail.py",
    "backend/internal/adapters/jobs/__init__.py",
    "backend/internal/adapters/mail/file_outbox.py",
    "backend/internal/services/email_service.py",
    "backend/pkg/config/settings.py",
    "backend/pkg/config/jobs.py",
    "backend/pkg/logger/__init__.py",
    "backend/pkg/logger/setup.py",
    "backend/devtools/servers.py",
    "backend/devtools/stack.py",
    "backend/devtools/dev.py",
    "backend/devtools/demo.py",
    "backend/devtools/env.py",
    "backend/tests/conftest.py",
    "backend/tests/test_main.py",
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


def test_the_two_workers_pages_branch_alike() -> None:
    """docs/workers.md and its Persian twin, hand-written each: the same `{% if %}` branches in
    the same order, so no runner or option gets a paragraph in one language only (the rendered
    pages are compared per matrix entry in test_generate.py)."""
    docs = ROOT / "template" / "docs"
    english, persian = (
        re.findall(r"{%-?\s*(.*?)\s*-?%}", (docs / name).read_text(encoding="utf-8"))
        for name in ("workers.md.jinja", "workers.fa.md.jinja")
    )
    assert english, "no Jinja tags found: has the page moved?"
    assert persian == english
