"""Helpers for the `copier update` tests: committed projects, throwaway tagged template repos."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.helpers import BIN, ROOT, UNIT_TESTS, project_files, python_env, run

GIT_IDENTITY = ["-c", "user.name=Lich Test", "-c", "user.email=test@example.com"]
TEMPLATE_PATHS = ("copier.yml", "template", "extensions")


def git(cwd: Path, *args: str) -> str:
    return run(["git", *GIT_IDENTITY, *args], cwd).stdout


def commit_all(project: Path, message: str) -> None:
    if not (project / ".git").exists():
        git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "--allow-empty", "-m", message)


def is_clean(project: Path) -> bool:
    return git(project, "status", "--porcelain") == ""


def template_repo(destination: Path, versions: list[tuple[str, Callable[[Path], None]]]) -> Path:
    """A git repo of this template with one commit and tag per (tag, change) in order.

    Each change function edits the checkout (copied fresh from the working tree) before its tag.
    """
    destination.mkdir(parents=True)
    for tag, change in versions:
        for name in TEMPLATE_PATHS:
            target = destination / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, target)
        change(destination)
        commit_all(destination, f"template {tag}")
        git(destination, "tag", tag)
    return destination


def copier(project: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the copier CLI as a user would; never raises, the test looks at what was shown."""
    return subprocess.run(
        [str(BIN / "copier"), *args],
        cwd=cwd or project,
        env={**python_env(), "HOME": str(Path.home())},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def update(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return copier(project, "update", "--trust", "--defaults", *args)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def clone_project(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, symlinks=True)
    return destination


def snapshot(project: Path) -> dict[str, bytes]:
    """Every file of the project (`.env` and kept files included), by path."""
    return {name: (project / name).read_bytes() for name in sorted(project_files(project))}


def run_project_suite(project: Path, integration: bool = True) -> str:
    """The generated project's own tests, with this venv's Python (as test_project_suites does).

    `integration=False` skips the tests that start real servers and worker processes, for runs
    whose runner files another test already proves end to end.
    """
    marker = () if integration else UNIT_TESTS
    result = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *marker],
        project / "backend",
        python_env(),
    )
    assert " passed" in result.stdout and " failed" not in result.stdout
    return result.stdout


def unmerged(project: Path) -> list[str]:
    return git(project, "diff", "--name-only", "--diff-filter=U").split()


def conflict_markers(project: Path) -> list[str]:
    return sorted(
        name
        for name in project_files(project)
        if "<<<<<<< " in (project / name).read_text(errors="replace")
    )
