from __future__ import annotations

from pathlib import Path
from typing import Any

import copier
import pytest

from tests.helpers import DEFAULT_ANSWERS


@pytest.fixture(scope="session")
def copier_template_paths() -> list[str]:
    """What pytest-copier snapshots into its tagged throwaway template repo."""
    return ["copier.yml", "template", "extensions"]


@pytest.fixture(scope="session")
def copier_defaults() -> dict[str, Any]:
    return dict(DEFAULT_ANSWERS)


@pytest.fixture(scope="session")
def generate(copier_template: Path):
    """`generate(dst, **answers)`: a real `copier copy` of the tagged template snapshot."""

    def _generate(dst: Path, **answers: Any) -> Path:
        copier.run_copy(
            str(copier_template),
            dst,
            data={**DEFAULT_ANSWERS, **answers},
            defaults=True,
            unsafe=True,
            quiet=True,
        )
        return dst

    return _generate
