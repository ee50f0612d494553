"""Each generated project's own test suite passes: once from this environment (fast), and once in a
fresh virtual environment installed from the project's own pyproject (catches a missing dependency).
"""

from __future__ import annotations

import shutil
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import facts, python_env, read_env, run

RUNNERS = list(facts.RUNNERS)


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
    """A new venv with only what the project's own pyproject declares, then its lint and tests.

    Through its Makefile (`make install lint test`, as its README says) where make exists;
    otherwise through the same pip commands, so a missing dependency is caught either way.
    """
    project = generate(tmp_path / "project", task_runner=runner)
    backend = project / "backend"
    if shutil.which("make"):
        make = ["make", "--no-print-directory", f"PYTHON={sys.executable}"]
        run([*make, "install"], project)
        env, example = read_env(project / ".env"), read_env(project / ".env.example")
        assert set(env) == set(example)
        for key, value in example.items():
            secret = key.endswith(("_PASSWORD", "_BASIC_AUTH"))
            assert env[key] == value or (secret and not value and len(env[key]) >= 24), key
        run([*make, "lint"], project)
        result = run([*make, "test"], project)
    else:
        venv.create(backend / ".venv", with_pip=True)
        python = backend / ".venv" / "bin" / "python"
        run([python, "-m", "pip", "install", "-q", f"uv=={facts.UV_VERSION}"], backend)
        run([backend / ".venv" / "bin" / "uv", "sync", "--locked"], backend)
        run([python, "-m", "ruff", "check", "--no-cache", "."], backend)
        result = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], backend)
    assert " passed" in result.stdout
