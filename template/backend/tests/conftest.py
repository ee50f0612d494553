"""Shared fixtures: every test gets its own outbox directory.

The tests carry their own configuration (markers here, event loop scopes in the modules), so they
run the same under the pyproject.toml settings or a project's own pytest.ini.
"""

import contextlib
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from pkg.config.jobs import job_settings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration: needs a real broker or server (started embedded when none is set)"
    )
    # The jobs layer imports the project's own packages (internal.services, internal.dto...).
    # Imported now, before any test module, it cannot be broken by a test that swaps a module in
    # sys.modules for a mock (lich init's test_admin_seed.py does so with pkg.config.settings);
    # if it does not import at all, its own tests report why.
    for module in ("internal.adapters.jobs", "devtools.stack"):
        with contextlib.suppress(Exception):
            importlib.import_module(module)


@pytest.fixture(autouse=True)
def outbox_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "outbox"
    monkeypatch.setattr(job_settings, "outbox_dir", directory)
    yield directory


@pytest.fixture
def jobs_api() -> FastAPI:
    """The e-mail job routes on an application of their own, as main.py mounts them.

    Imported here, not at the top: the other tests of the project never import them.
    """
    from devtools.jobs_api import create_app

    return create_app()
