"""Each generated project's own test suite passes: once from this environment (fast), and once in a
fresh virtual environment installed from the project's own pyproject (catches a missing dependency).
"""

from __future__ import annotations

import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import python_env, run

RUNNERS = ["none", "celery", "temporal"]


@pytest.mark.parametrize("runner", RUNNERS)
def test_generated_suite_passes(runner: str, generate: Any, tmp_path: Path) -> None:
    backend = generate(tmp_path / "project", task_runner=runner) / "backend"
    result = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], backend, python_env()
    )
    assert " passed" in result.stdout
    assert " failed" not in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("runner", RUNNERS)
def test_generated_project_installs_from_its_own_pyproject(
    runner: str, generate: Any, tmp_path: Path
) -> None:
    """`pip install -e . --group dev` in a new venv, then the project's lint and tests with it."""
    backend = generate(tmp_path / "project", task_runner=runner) / "backend"
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    run([python, "-m", "pip", "install", "-q", "--upgrade", "pip>=25.1"], backend)
    run([python, "-m", "pip", "install", "-q", "-e", ".", "--group", "dev"], backend)
    run([python, "-m", "ruff", "check", "--no-cache", "."], backend)
    result = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], backend)
    assert " passed" in result.stdout
