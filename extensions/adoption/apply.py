"""Doing it: checks first, then every change in one commit, or none at all."""

from __future__ import annotations

import shutil
import tempfile
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from facts import UV_VERSION
from migrations._common import ADOPTION_COMMIT, ANSWERS_FILE, git, run

from adoption.env import complete_env, required_keys
from adoption.evidence import Evidence
from adoption.plan import plan_adoption
from adoption.project import AdoptError, Plan, Project


def is_lich_project(project: Path) -> bool:
    if (project / ".lich" / "PROJECT_CONFIG.yaml").is_file():
        return True
    backend = project / "backend"
    return all(
        (backend / part).exists() for part in ("main.py", "api/http", "pkg/config/settings.py")
    )


def check_project(project: Path) -> None:
    if not project.is_dir():
        raise AdoptError(f"{project} is not a directory.")
    if git(project, "rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
        raise AdoptError(f"{project} is not a git work tree: run `git init` and commit it first.")
    if not git(project, "rev-parse", "--verify", "-q", "HEAD", check=False).strip():
        raise AdoptError(f"{project} has no commit yet: commit it first.")
    if (project / ANSWERS_FILE).exists():
        raise AdoptError(
            f"{project} already has {ANSWERS_FILE}: it is under a copier template already. "
            "Use `copier update --trust` there."
        )
    if not is_lich_project(project):
        raise AdoptError(
            f"{project} is not a Lich project: it has no .lich/PROJECT_CONFIG.yaml, and no "
            "backend/main.py with backend/api/http/ and backend/pkg/config/settings.py (what "
            "`lich init` makes). Point the command at the project's root folder."
        )
    # Only the project's own folder counts (as for `copier update`): in a monorepo, the other
    # projects' work in progress is none of the adoption's business.
    if git(project, "status", "--porcelain", "--", ".", check=False).strip():
        raise AdoptError(
            f"{project} has uncommitted changes or untracked files: commit them first, so the "
            "adoption is one reviewable commit."
        )


@contextmanager
def all_or_nothing(project: Path) -> Iterator[None]:
    """On any failure, put the project's folder back exactly as it was (it was clean and
    committed); the rest of the repository is never touched."""
    env = project / ".env"
    env_before = env.read_bytes() if env.exists() else None
    try:
        yield
    except BaseException:
        git(project, "reset", "-q", "HEAD", "--", ".", check=False)
        git(project, "checkout", "-q", "HEAD", "--", ".", check=False)
        git(project, "clean", "-q", "-f", "-d", "--", ".", check=False)
        if env_before is not None:
            env.write_bytes(env_before)
        elif env.exists():
            env.unlink()
        raise


def find_uv(tmp: Path) -> str:
    """uv from PATH, or the locked version installed with pip into a scratch environment."""
    found = shutil.which("uv")
    if found:
        return found
    venv.create(tmp / "uv", with_pip=True)
    run(
        [tmp / "uv" / "bin" / "python", "-m", "pip", "install", "-q", f"uv=={UV_VERSION}"],
        failure=f"could not install uv {UV_VERSION} with pip",
    )
    return str(tmp / "uv" / "bin" / "uv")


def apply(project: Path, plan: Plan) -> None:
    for path in plan.delete:
        (project / path).unlink()
    for path, content in plan.write.items():
        target = project / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def lock(project: Path, uv: str) -> None:
    run(
        [uv, "lock", "--quiet"],
        project / "backend",
        failure="uv could not lock the dependencies (requirements.txt's and the template's): "
        "relax the pin it names below in backend/requirements.txt, commit, and run again",
    )


def commit(project: Path, runner: str) -> None:
    """One commit of the project's folder only (in a monorepo, nothing of the others)."""
    git(project, "add", "-A", "--", ".")
    identity = (
        []
        if git(project, "config", "user.email", check=False).strip()
        else ["-c", "user.name=Lich adopt", "-c", "user.email=adopt@lich.invalid"]
    )
    message = f"{ADOPTION_COMMIT} (task runner: {runner})"
    run(
        ["git", *identity, "commit", "-q", "-m", message, "--", "."],
        project,
        failure="git commit failed (a commit hook of the project?)",
    )


def adopt(
    project: Path, template: str, vcs_ref: str | None, forced: str | None
) -> tuple[str, dict[str, Any], Evidence, Plan]:
    check_project(project)
    with tempfile.TemporaryDirectory(prefix="lich-adopt.") as scratch:
        tmp = Path(scratch)
        runner, answers, evidence, plan, example = plan_adoption(
            Project(project), template, vcs_ref, forced, tmp
        )
        uv = find_uv(tmp)
        with all_or_nothing(project):
            apply(project, plan)
            lock(project, uv)
            _, env_line = complete_env(project, runner, example, required_keys(plan))
            plan.report.append(env_line)
            commit(project, runner)
    return runner, answers, evidence, plan
