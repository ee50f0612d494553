"""Helpers shared by the template tests: generate projects, run their tools, read their files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.processes import (
    BIN,
    HOST,
    Valkey,
    free_port,
    stop,
    temporal_dev_server,
    valkey_server,
    wait_listening,
)

# The process helpers live in tests/processes.py (the benchmarks use them too); tests import
# them from here with the rest.
__all__ = [
    "BIN",
    "HOST",
    "Valkey",
    "free_port",
    "stop",
    "temporal_dev_server",
    "valkey_server",
    "wait_listening",
]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "extensions"))

import facts  # noqa: E402, F401 - the template's facts (runners, versions, images), stated once
from migrations._common import run as run_command  # noqa: E402 - the repository's one way

# Lines for the end of the test report (what ran on stand-ins, what was skipped and why): tests
# append to `config.stash[NOTES]`; conftest.py gathers them from every xdist worker.
NOTES = pytest.StashKey[list[str]]()
# pytest's arguments for a generated project's tests without its integration tests (real servers
# and worker processes): for runs where those ran already, or run elsewhere on the same files
# (test_project_suites runs them per runner, from a fresh clone).
UNIT_TESTS = ("-m", "not integration")

# Answers every test starts from; a test overrides what it is about.
DEFAULT_ANSWERS: dict[str, Any] = {
    "project_name": "Lich Test",
    "author_name": "Test Author",
    "author_email": "test@example.com",
}

# Every valid combination of runner and runner options.
MATRIX: list[dict[str, Any]] = [
    {"task_runner": "none"},
    *(
        {
            "task_runner": "celery",
            "celery_broker": broker,
            "celery_beat": beat,
            "celery_flower": flower,
        }
        for broker in ("redis", "rabbitmq")
        for beat in (True, False)
        for flower in (True, False)
    ),
    {"task_runner": "temporal", "temporal_ui": True},
    {"task_runner": "temporal", "temporal_ui": False, "temporal_namespace": "billing"},
    # The app's own Redis (use_redis), with each runner: Celery shares it.
    *({"task_runner": runner, "use_redis": True} for runner in ("none", "celery", "temporal")),
]


def matrix_id(answers: dict[str, Any]) -> str:
    return "-".join(
        str(value) if not isinstance(value, bool) else f"{key.split('_')[-1]}={value}"
        for key, value in answers.items()
    )


def run(
    command: list[str | Path],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    *,
    check: bool = True,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command, `env` over this process's environment; with `check`, a failure raises with
    the command's output, so the test report shows it."""
    environment = {**os.environ, **(env or {})}
    result = run_command(command, cwd, env=environment, timeout=timeout, input=input)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, command))} exited {result.returncode} in {cwd}\n"
            f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}"
        )
    return result


def project_files(project: Path) -> set[str]:
    """Paths of the generated files, relative to the project, without git and cache noise."""
    ignored = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".venv", "var"}
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and not ignored.intersection(path.relative_to(project).parts)
    }


def read_answers(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def read_env(path: Path) -> dict[str, str]:
    """KEY=VALUE pairs of a dotenv file (comment lines skipped, values as written)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs if not key.startswith("#")}


def env_keys(project: Path, name: str = ".env.example") -> set[str]:
    """The keys a dotenv file of the project sets (comment and blank lines skipped)."""
    lines = (project / name).read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


def python_env() -> dict[str, str]:
    """Environment for a generated project's tools: this venv first on PATH, no stray config.

    HOME keeps uv's and pip's caches; UV_SYSTEM_CERTS makes uv trust the system's certificate
    store, as pip does, so it reaches the package index through an intercepting proxy too.
    """
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "UV_SYSTEM_CERTS": "1",
    }


def debian_tool(name: str, package: str) -> str:
    """A command from a Debian package (kubectl, promtool), installed when missing and the tests
    run as root; the test is skipped where neither holds."""
    if found := shutil.which(name):
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        command = ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", package]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(command, capture_output=True, env=env, check=False)
        if found := shutil.which(name):
            return found
    pytest.skip(f"no {name} here, and {package} cannot be installed (not root, or no apt-get)")
