"""Shared fixtures: every test gets its own outbox directory and fresh settings."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from pkg.config.settings import get_settings


@pytest.fixture(autouse=True)
def outbox_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "outbox"
    monkeypatch.setenv("OUTBOX_DIR", str(directory))
    get_settings.cache_clear()
    yield directory
    get_settings.cache_clear()
