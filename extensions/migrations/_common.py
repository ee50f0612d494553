"""Shared helpers for the update migrations and the adoption command.

Plain Python (standard library, PyYAML and copier, all present wherever copier runs), because
copier starts these scripts with its own interpreter (`{{ _copier_python }}`), not the project's.
PyYAML and copier are imported where they are used, so `extensions/adopt.py` runs on any python3.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ANSWERS_FILE = ".copier-answers.yml"
RUNNERS = ("temporal", "celery", "none")
RUNNER_TITLES = {"temporal": "Temporal", "celery": "Celery", "none": "no runner"}
# Where files of a removed runner (or of an older layout) are kept when the user had edited them.
KEPT_DIR = "lich-kept"

# Files an earlier template version generated at another path, by the version that moved them.
# after_update.py merges the user's edits of the old file into the new one when an update
# crosses that version (VERSION_PEP440_FROM < version <= VERSION_PEP440_TO, set by copier).
MOVED_FILES: dict[str, dict[str, str]] = {
    "1.0.0": {"backend/pkg/settings.py": "backend/pkg/config/settings.py"},
}

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")


class MigrationError(Exception):
    """A problem the user must fix; the message says what and how."""


def say(message: str = "") -> None:
    """Migration output goes to stderr, where copier shows its own progress."""
    print(message, file=sys.stderr, flush=True)


def fail(title: str, *lines: str) -> None:
    """Stop the update before anything changed, with the problem and the way forward."""
    say(f"\nLich update stopped: {title}")
    for line in lines:
        say(f"  {line}")
    say("Nothing was changed.\n")
    raise SystemExit(1)


def git(project: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise MigrationError(f"git {' '.join(args)} failed in {project}: {result.stderr.strip()}")
    return result.stdout


def git_show(project: Path, path: str, ref: str = "HEAD") -> bytes | None:
    """A file's content at `ref` (`:3` for a conflict's template side), or None.

    Paths are relative to the project, which may be a subdirectory of its repository.
    """
    result = subprocess.run(
        ["git", "show", f"{ref}:./{path}"], cwd=project, capture_output=True, check=False
    )
    return result.stdout if result.returncode == 0 else None


def is_project_repo(project: Path) -> bool:
    """True in a git work tree whose HEAD holds an answers file; false in copier's temp renders."""
    inside = git(project, "rev-parse", "--is-inside-work-tree", check=False).strip()
    return inside == "true" and git_show(project, ANSWERS_FILE) is not None


def parse_answers(text: str | bytes, origin: str) -> dict[str, Any]:
    import yaml  # imported here so the adoption command runs on a bare python3

    try:
        answers = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise MigrationError(f"{origin} is not valid YAML: {error}") from error
    if not isinstance(answers, dict):
        raise MigrationError(f"{origin} does not hold a mapping of answers")
    return answers


def head_answers(project: Path) -> dict[str, Any]:
    """The answers as committed before this update (copier rewrites the file on disk)."""
    content = git_show(project, ANSWERS_FILE)
    if content is None:
        raise MigrationError(f"{ANSWERS_FILE} is not committed in {project}")
    return parse_answers(content, f"{ANSWERS_FILE} at HEAD")


def runner_of(answers: dict[str, Any]) -> str:
    """The task runner an answers mapping means, legacy `use_temporal` included."""
    runner = answers.get("task_runner")
    if runner is None and "use_temporal" in answers:
        runner = "temporal" if as_bool(answers["use_temporal"]) else "none"
    return str(runner or "none")


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on"}
    return bool(value)


def user_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The questions' answers, without copier's private `_` keys."""
    return {key: value for key, value in answers.items() if not key.startswith("_")}


@contextmanager
def rendered(
    src_path: str, vcs_ref: str | None, answers: dict[str, Any], candidates: tuple[str, ...] = ()
) -> Iterator[Path]:
    """The template rendered with `answers` into a temporary directory.

    `candidates` are other places holding the same template history (the clone copier already
    made for this update), tried first because they need no network.
    """
    import copier  # imported here: ~0.3 s, and only some migrations need it

    errors = []
    with tempfile.TemporaryDirectory(prefix="lich-render.") as tmp:
        for source in (*candidates, src_path):
            destination = Path(tmp) / f"render{len(errors)}"
            try:
                copier.run_copy(
                    source,
                    destination,
                    data=user_answers(answers),
                    vcs_ref=vcs_ref,
                    defaults=True,
                    unsafe=True,
                    quiet=True,
                    skip_tasks=True,
                )
            except Exception as error:  # any failure means: try the next source
                errors.append(f"{source}: {error}")
                continue
            yield destination
            return
        raise MigrationError("could not render the template: " + "; ".join(errors))


def files_in(root: Path) -> set[str]:
    """Paths of the files under `root` (a render or a project), relative to it, without `.git`."""
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def tracked_files(project: Path, ref: str = "HEAD") -> list[str]:
    return git(project, "ls-tree", "-r", "--name-only", "-z", ref).split("\0")[:-1]


def env_entries(text: str) -> Iterator[tuple[str, str, str]]:
    """(key, value, line) of each KEY=VALUE line of a dotenv text; comments and blanks skipped."""
    for line in text.splitlines():
        match = _ENV_LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            yield match.group(1), match.group(2).strip(), line


def read_env(path: Path) -> dict[str, str]:
    """KEY=VALUE pairs of a dotenv file, values without their quotes ({} without the file)."""
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    return {key: value.strip("\"'") for key, value, _ in env_entries(text)}


def env_keys(text: str) -> list[str]:
    return [key for key, _, _ in env_entries(text)]


def template_example(project: Path) -> str | None:
    """The new `.env.example`: the template's side (git stage 3) when the update left a conflict."""
    if git(project, "ls-files", "-u", "--", ".env.example", check=False).strip():
        theirs = git_show(project, ".env.example", ref=":3")
        return theirs.decode() if theirs is not None else None
    example = project / ".env.example"
    return example.read_text(encoding="utf-8") if example.is_file() else None


def sync_env(project: Path, reason: str, example: str | None = None) -> tuple[list[str], list[str]]:
    """Append to `.env` the keys `.env.example` has and `.env` lacks; the user's values stay.

    `example` is the wanted `.env.example` text (default: the project's, or the template's side
    of a conflict). Returns (added keys, keys `.env` still sets that the project no longer
    reads). Running it twice adds nothing the second time.
    """
    env_file = project / ".env"
    example = example if example is not None else template_example(project)
    if not env_file.is_file() or example is None:
        return [], []
    current = env_file.read_text(encoding="utf-8")
    present = set(env_keys(current))
    missing = [(key, line) for key, _, line in env_entries(example) if key not in present]
    added = [key for key, _ in missing]
    if missing:
        block = "\n".join(line for _, line in missing)
        separator = "" if current.endswith("\n") or not current else "\n"
        env_file.write_text(
            f"{current}{separator}\n# Added by {reason}; values from .env.example\n{block}\n",
            encoding="utf-8",
        )
    old_example = git_show(project, ".env.example")
    known_before = set(env_keys(old_example.decode())) if old_example else set()
    unused = sorted((present & known_before) - set(env_keys(example)))
    return added, unused


def project_dir() -> Path:
    """Migrations run in the project (copier's working directory for them)."""
    return Path(os.getcwd())
