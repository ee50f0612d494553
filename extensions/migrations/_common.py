"""Shared helpers for the update migrations and the adoption command.

Plain Python (standard library, PyYAML and copier, all present wherever copier runs), because
copier starts these scripts with its own interpreter (`{{ _copier_python }}`), not the project's.
PyYAML and copier are imported where they are used, so `extensions/adopt.py` runs on any python3.

Imports: every script under extensions/ (the migrations, adopt.py) and the repository's own
tools put extensions/ on sys.path once and import siblings by name from there (`facts`,
`answers`, `migrations._common`, `adoption.plan`). Only context.py loads its siblings by path:
one copier process renders two template versions, and each must read its own.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import facts
from answers import is_true
from facts import ANSWERS_FILE as ANSWERS_FILE  # re-exported, as RUNNERS
from facts import RUNNERS as RUNNERS  # re-exported: the runners, stated once in facts.py

# How migration messages name each runner ("Task runner: Celery -> no runner.").
RUNNER_TITLES = {**facts.RUNNER_TITLES, "none": "no runner"}
# The subject of the commit extensions/adopt.py makes (since 2.0.0), followed by the runner.
ADOPTION_COMMIT = "Adopt the Lich copier template"
# Where files of a removed runner (or of an older layout) are kept when the user had edited them.
KEPT_DIR = "lich-kept"

# Files an earlier template version generated at another path (old path -> new path, with the
# version that moved them in the comment). after_update.py merges the user's edits of the old
# file into the new one whenever the old render had the old path and the new render has the new
# one, so it needs no version numbers (a template without git tags moves files too).
MOVED_FILES: dict[str, str] = {
    # 1.0.0: settings got a package of their own.
    "backend/pkg/settings.py": "backend/pkg/config/settings.py",
    # 2.0.0: Lich's own layout.
    "backend/api/main.py": "backend/main.py",
    "backend/api/routes/__init__.py": "backend/api/http/__init__.py",
    "backend/api/routes/health.py": "backend/api/http/health.py",
    "backend/api/routes/emails.py": "backend/api/http/emails.py",
    "backend/internal/emails.py": "backend/internal/services/email_service.py",
    "backend/internal/jobs/__init__.py": "backend/internal/adapters/jobs/__init__.py",
    "backend/internal/jobs/port.py": "backend/internal/ports/jobs.py",
    "backend/internal/jobs/celery_dispatcher.py": "backend/internal/adapters/jobs/celery.py",
    "backend/internal/jobs/temporal_dispatcher.py": "backend/internal/adapters/jobs/temporal.py",
    "backend/internal/jobs/inprocess_dispatcher.py": "backend/internal/adapters/jobs/inprocess.py",
    "backend/pkg/email/outbox.py": "backend/internal/adapters/mail/file_outbox.py",
    "backend/pkg/logging.py": "backend/pkg/logger/setup.py",
    "backend/Dockerfile.worker": "backend/Dockerfile",
    "backend/tests/test_health.py": "backend/tests/test_main.py",
    # 2.2.0: the worker's traces and error reports joined its metrics.
    "backend/internal/celery_metrics.py": "backend/internal/celery_telemetry.py",
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


def run(
    command: Sequence[str | Path],
    cwd: Path | None = None,
    *,
    failure: str | None = None,
    timeout: float | None = None,
    input: str | bytes | None = None,
    text: bool = True,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[Any]:
    """Every command the migrations, the adoption and the repository's tests run: output
    captured; with `failure`, an exit other than 0 stops with that message and the end of what
    the command said."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        input=input,
        capture_output=True,
        text=text,
        timeout=timeout,
        check=False,
    )
    if failure is not None and result.returncode != 0:
        said = result.stdout + result.stderr
        said = said if text else said.decode(errors="replace")
        raise MigrationError(f"{failure}:\n{said.strip()[-2000:]}")
    return result


def git(project: Path, *args: str, check: bool = True) -> str:
    failure = f"git {' '.join(args)} failed in {project}" if check else None
    return str(run(["git", *args], project, failure=failure).stdout)


def git_show(project: Path, path: str, ref: str = "HEAD") -> bytes | None:
    """A file's content at `ref` (`:3` for a conflict's template side), or None.

    Paths are relative to the project, which may be a subdirectory of its repository.
    """
    result = run(["git", "show", f"{ref}:./{path}"], project, text=False)
    return bytes(result.stdout) if result.returncode == 0 else None


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
        runner = "temporal" if is_true(answers["use_temporal"]) else "none"
    return str(runner or "none")


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
                    # Marked as a replay of recorded answers (`_src_path`, as copier marks its
                    # own), which the template checks as such, not as a command line.
                    data={**user_answers(answers), "_src_path": src_path},
                    vcs_ref=vcs_ref,
                    defaults=True,
                    unsafe=True,
                    quiet=True,
                    skip_tasks=True,
                )
            # Any failure means: try the next source. SystemExit too: the template stops a
            # render it refuses that way, and the update must go on keeping files instead.
            except (Exception, SystemExit) as error:
                errors.append(f"{source}: {error}")
                continue
            yield destination
            return
        raise MigrationError("could not render the template: " + "; ".join(errors))


# Where before_update.py keeps copier's render of the old template version for after_update.py:
# in the repository's git directory (out of the work tree and of every commit), under the
# HEAD commit it belongs to.
OLD_RENDER_DIR = "lich-old-render"


def old_render_store(project: Path) -> Path:
    return Path(git(project, "rev-parse", "--absolute-git-dir").strip()) / OLD_RENDER_DIR


def stored_old_render(project: Path) -> Path | None:
    """The old version's render kept by before_update.py for this HEAD, if any."""
    head = git(project, "rev-parse", "HEAD", check=False).strip()
    stored = old_render_store(project) / head
    return stored if head and stored.is_dir() else None


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

    The project's own `backend/devtools/env.py` does the writing, so a secret the example leaves
    empty gets a generated value exactly as `make install` would give it. `example` is the wanted
    `.env.example` text (default: the project's, or the template's side of a conflict). Returns
    (added keys, keys `.env` still sets that the project no longer reads). Running it twice adds
    nothing the second time.
    """
    env_file = project / ".env"
    example = example if example is not None else template_example(project)
    writer = project / "backend" / "devtools" / "env.py"
    if not env_file.is_file() or example is None or not writer.is_file():
        return [], []
    present = set(env_keys(env_file.read_text(encoding="utf-8")))
    with tempfile.NamedTemporaryFile("w", suffix=".env.example", encoding="utf-8") as wanted:
        wanted.write(example)
        wanted.flush()
        run(
            [sys.executable, writer, "--update", "--example", wanted.name, "--reason", reason],
            project / "backend",
            failure="could not add the new settings to .env",
        )
    added = [key for key in env_keys(env_file.read_text(encoding="utf-8")) if key not in present]
    old_example = git_show(project, ".env.example")
    known_before = set(env_keys(old_example.decode())) if old_example else set()
    unused = (present & known_before) - set(env_keys(example)) - app_setting_keys(project)
    return added, sorted(unused)


def app_setting_keys(project: Path) -> set[str]:
    """The variables the app's own settings read (the fields of every class in its
    pkg/config/settings.py): never "no longer read", whatever the task runner."""
    import ast

    path = project / "backend" / "pkg" / "config" / "settings.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return set()
    return {
        node.target.id.upper()
        for cls in tree.body
        if isinstance(cls, ast.ClassDef)
        for node in cls.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


# The task runner's part of .lich/PROJECT_CONFIG.yaml: (section, key) lines, and whole sections.
RUNNER_CONFIG_LINES = (("stack", "task_runner"), ("features", "temporal"), ("features", "celery"))
RUNNER_CONFIG_SECTIONS = ("celery", "temporal")


def yaml_sections(text: str) -> dict[str, tuple[int, int]]:
    """Top-level keys of a block-style YAML text: name -> (first line, line after the block)."""
    lines = text.splitlines()
    starts = [
        (number, line.split(":", 1)[0])
        for number, line in enumerate(lines)
        if re.match(r"^[A-Za-z_][\w-]*:", line)
    ]
    return {
        name: (start, starts[index + 1][0] if index + 1 < len(starts) else len(lines))
        for index, (start, name) in enumerate(starts)
    }


def with_runner_lines(ours: str, theirs: str) -> str:
    """`ours` (a project's own PROJECT_CONFIG.yaml) with the task-runner lines of `theirs` (the
    template's): `stack.task_runner`, `features.temporal|celery`, the `celery:`/`temporal:`
    sections. Every other line of `ours` stays as it is."""
    their_lines = theirs.splitlines()
    lines = ours.splitlines()
    for name in RUNNER_CONFIG_SECTIONS:  # drop ours, then add theirs, whole
        if name in (sections := yaml_sections("\n".join(lines))):
            start, end = sections[name]
            while end > start and not lines[end - 1].strip():
                end -= 1
            del lines[start:end]
    for section, key in RUNNER_CONFIG_LINES:
        theirs_at = yaml_sections(theirs).get(section)
        wanted = (
            next(
                (line for line in their_lines[slice(*theirs_at)] if line.startswith(f"  {key}:")),
                None,
            )
            if theirs_at
            else None
        )
        sections = yaml_sections("\n".join(lines))
        if section not in sections:
            continue
        start, end = sections[section]
        found = [n for n in range(start + 1, end) if lines[n].startswith(f"  {key}:")]
        if found and wanted:
            lines[found[0]] = wanted
        elif found:
            del lines[found[0]]
        elif wanted:
            last = max(n for n in range(start, end) if lines[n].strip())
            lines.insert(last + 1, wanted)
    blocks = [
        "\n".join(their_lines[slice(*span)]).rstrip()
        for name, span in yaml_sections(theirs).items()
        if name in RUNNER_CONFIG_SECTIONS
    ]
    text = "\n".join(lines).rstrip() + "\n"
    return text + "".join(f"\n{block}\n" for block in blocks)


def module_of(path: str) -> str:
    """backend/internal/workers/main.py -> internal.workers.main (packages without __init__)."""
    parts = Path(path).with_suffix("").parts[1:]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_sources(project: Path) -> dict[str, str]:
    """The project's Python files under backend/ (not its venv, caches or kept files), by path."""
    skipped = {".venv", "venv", "__pycache__", "var", "node_modules", KEPT_DIR}
    backend = project / "backend"
    return {
        path.relative_to(project).as_posix(): path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(backend.rglob("*.py"))
        if not skipped.intersection(path.relative_to(project).parts)
    }


def imports_of(source: str) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in `source`; `from a import b` gives both `a`
    and `a.b`, since b may be a module."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def project_dir() -> Path:
    """Migrations run in the project (copier's working directory for them)."""
    return Path(os.getcwd())
