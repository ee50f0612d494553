"""Before every `copier update`: refuse a .env it cannot extend; warn about work left behind.

    {{ _copier_python }} extensions/migrations/before_update.py '<-d data as JSON>'

Runs in the project before copier writes anything, so stopping here leaves the tree as it was.
The answers given with `-d` were checked before this runs (extensions/context.py stops copier at
its first render); this checks that `.env` can be extended, then what the runner being left still
holds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # extensions/, as in every script

from migrations._common import (
    ANSWERS_FILE,
    RUNNER_TITLES,
    MigrationError,
    fail,
    git,
    git_show,
    is_project_repo,
    old_render_store,
    parse_answers,
    project_dir,
    run,
    runner_of,
    say,
)

PROBE = Path(__file__).resolve().parent / "probe.py"
PROBE_TIMEOUT = 15.0


def check_env(project: Path) -> None:
    """`.env` must be text the update can extend: stop now, not after the switch was applied."""
    env_file = project / ".env"
    try:
        env_file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return
    except UnicodeDecodeError as error:
        fail(
            f".env is not UTF-8 text (byte {error.object[error.start]:#04x} at offset "
            f"{error.start}), so new settings cannot be added to it.",
            "Convert it, e.g. from Latin-1:",
            "iconv -f latin1 -t utf-8 .env > .env.new && mv .env.new .env",
            "and run the update again.",
        )


def probe(project: Path, runner: str) -> dict[str, Any]:
    python = project / "backend" / ".venv" / "bin" / "python"
    if not python.exists():
        return {"ok": False, "error": "backend/.venv is missing (make install creates it)"}
    try:
        result = run([python, PROBE, runner], project / "backend", timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"no answer within {PROBE_TIMEOUT:.0f} s"}
    lines = result.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return {"ok": False, "error": (result.stderr.strip().splitlines() or ["no output"])[-1]}


def warn_about_queued_work(project: Path, old: dict[str, Any], data: dict[str, Any]) -> None:
    """Leaving a runner (or a Celery broker) strands what it still holds: say so, loudly."""
    runner = runner_of(old)
    new_runner = data.get("task_runner", runner)
    leaving_broker = runner == new_runner == "celery" and data.get(
        "celery_broker", old.get("celery_broker")
    ) != old.get("celery_broker")
    if runner == "none" or (new_runner == runner and not leaving_broker):
        return
    title = RUNNER_TITLES[runner]
    what = f"the {old.get('celery_broker', 'redis')} broker" if leaving_broker else title
    say(f"Checking {title} for queued or running work before leaving {what}...")
    result = probe(project, runner)
    if not result.get("ok"):
        say(
            f"  Could not check {title} ({result.get('error')}).\n"
            f"  If {title} runs anywhere for this project, drain it before you deploy this switch\n"
            "  (README of the template: 'Change your task runner later', or docs/workers.md)."
        )
        return
    queued, running = int(result["queued"]), int(result["running"])
    if queued or running:
        say(
            f"  WARNING: {title} still holds work: {queued} queued, {running} running "
            f"({result.get('detail', '')}).\n"
            f"  Code for {title} goes away with this update; that work will not run unless you\n"
            f"  drain it first: keep the current deployment's workers running, stop sending new\n"
            f"  work, and deploy this switch once {title} shows 0 queued and 0 running."
        )
    else:
        say(f"  {title} holds no queued or running work ({result.get('detail', '')}).")


def save_old_render(project: Path) -> Path | None:
    """Keep copier's render of the old template version for after_update.py.

    Copier renders the old version (the recorded answers at the recorded commit) into a temporary
    folder before this script runs, to diff it with the new one, and deletes it before
    after_update.py runs; after_update.py needs it to tell the files you edited from the ones you
    did not. Keeping a copy costs milliseconds; rendering it again cost a second.

    The folder is found by what it holds: copier's `old_copy` folders whose answers file is this
    project's, byte for byte, and which copier has not yet made a git repository (it does so
    right after this script). Two such folders of two concurrent updates hold the same render (same
    answers, same commit). None found (another copier version, an edited answers file): nothing
    is kept, and after_update.py renders the old version itself.
    """
    store = old_render_store(project)
    shutil.rmtree(store, ignore_errors=True)
    answers = git_show(project, ANSWERS_FILE)
    if answers is None:
        return None
    prefix = git(project, "rev-parse", "--show-prefix").strip()  # the project's folder in its repo
    renders = [
        folder / prefix
        for folder in Path(tempfile.gettempdir()).glob("copier*.old_copy.*")
        if not (folder / ".git").exists() and _read(folder / prefix / ANSWERS_FILE) == answers
    ]
    if not renders:
        return None
    head = git(project, "rev-parse", "HEAD").strip()
    newest = max(renders, key=lambda folder: folder.stat().st_mtime_ns)
    return Path(shutil.copytree(newest, store / head, symlinks=True))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def main() -> None:
    project = project_dir()
    data = json.loads(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else {}
    if not is_project_repo(project):
        return
    answers_path = project / ANSWERS_FILE
    try:
        old = parse_answers(answers_path.read_text(encoding="utf-8"), ANSWERS_FILE)
    except (OSError, MigrationError) as error:
        fail(
            str(error),
            f"Restore it from git (git checkout -- {ANSWERS_FILE}) and change answers with -d.",
        )
    check_env(project)
    warn_about_queued_work(project, old, data)
    save_old_render(project)


if __name__ == "__main__":
    main()
