"""Shared fixtures: every test gets its own outbox directory.

The tests carry their own configuration (markers here, event loop scopes in the modules), so they
run the same under the pyproject.toml settings or a project's own pytest.ini.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from api.http.emails import router as emails_router
from pkg.config.jobs import job_settings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration: needs a real broker or server (started embedded when none is set)"
    )


@pytest.fixture(autouse=True)
def outbox_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "outbox"
    monkeypatch.setattr(job_settings, "outbox_dir", directory)
    yield directory


@pytest.fixture
def jobs_api() -> FastAPI:
    """The e-mail job routes on an application of their own, as main.py mounts them."""
    app = FastAPI()
    app.include_router(emails_router, prefix="/emails")
    return app
