"""After every `copier update`: make sure nothing the user wrote was lost, and bring `.env` along.

    {{ _copier_python }} extensions/migrations/after_update.py <new template clone>

Copier deletes every file the old version generated and the new one does not, edited or not
(a runner switch removes the old runner's files this way). Update needs a clean tree, so `HEAD`
still holds the project as it was: a file tracked in HEAD and missing now was deleted by this
update. Its HEAD content is compared with what the old template version rendered (same answers,
same commit): if they differ, the user edited it, and it is kept under `lich-kept/`.

Files an older version generated at another path (`MOVED_FILES`) are not kept aside: the user's
edits are merged into the file at its new path (`git merge-file`).

No Python file is left with conflict markers, whether copier's own merge or a moved file's merge
produced them: the file takes the template's new version, and the user's version (as committed
before the update) goes to `lich-kept/` beside the other kept files, named in the output. Other
files (README, Makefile, .env.example...) keep copier's markers, for the user to resolve.

`.env` is the user's (untracked): keys `.env.example` now has are appended, values kept, and
passwords the example leaves empty generated. Beat's state file from before 2.0.0
(`backend/celerybeat-schedule*`, no longer ignored by git) is removed: beat rebuilds it.

Running it twice changes nothing the second time: kept files are written once (identical files
are reused), merges of already-merged edits are clean, `.env` keys are added once.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # extensions/, as in every script

from migrations._common import (
    ANSWERS_FILE,
    KEPT_DIR,
    MOVED_FILES,
    RUNNER_TITLES,
    MigrationError,
    env_entries,
    files_in,
    git,
    git_show,
    head_answers,
    imports_of,
    is_project_repo,
    module_of,
    old_render_store,
    parse_answers,
    project_dir,
    python_sources,
    read_env,
    rendered,
    run,
    runner_of,
    say,
    stored_old_render,
    sync_env,
    tracked_files,
    with_runner_lines,
)

# Beat's state file before 2.0.0 (2.0.0 keeps it in backend/var/, which git ignores).
OLD_BEAT_STATE = "backend/celerybeat-schedule"


def kept_label(old: dict[str, Any], new: dict[str, Any]) -> str:
    old_runner, new_runner = runner_of(old), runner_of(new)
    if old_runner != new_runner:
        return "no-runner" if old_runner == "none" else old_runner
    return f"from-{old.get('_commit', 'unknown')}"


def keep(project: Path, label: str, files: dict[str, bytes]) -> Path:
    """Write `files` under lich-kept/<label>/, in a fresh folder if an earlier one differs."""
    for attempt in range(1, 100):
        root = project / KEPT_DIR / (label if attempt == 1 else f"{label}-{attempt}")
        clash = any(
            (root / path).exists() and (root / path).read_bytes() != content
            for path, content in files.items()
        )
        if not clash:
            break
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.write_bytes(content)
    return root


def merge_moved(project: Path, old_path: str, new_path: str, base: bytes, ours: bytes) -> bool:
    """Merge the user's edits of `old_path` into `new_path`; True when it merged cleanly.

    A conflicting merge is written with its markers, except into a Python file, which then stays
    as the template wrote it.
    """
    target = project / new_path
    with tempfile.TemporaryDirectory(prefix="lich-merge.") as tmp:
        mine, ancestor = Path(tmp, "mine"), Path(tmp, "base")
        mine.write_bytes(ours)
        ancestor.write_bytes(base)
        labels = ["-L", f"your {old_path}", "-L", "old template", "-L", f"new template {new_path}"]
        result = run(["git", "merge-file", *labels, mine, ancestor, target], text=False)
        if result.returncode < 0 or result.returncode > 127:
            raise MigrationError(f"git merge-file failed: {result.stderr.decode().strip()}")
        clean = result.returncode == 0
        if clean or not new_path.endswith(".py"):
            target.write_bytes(mine.read_bytes())
    return clean


def deleted_files(project: Path) -> list[str]:
    """Files tracked in HEAD that this update removed (the tree was clean before it)."""
    return [
        path
        for path in tracked_files(project)
        if not os.path.lexists(project / path) and not path.startswith(f"{KEPT_DIR}/")
    ]


def render_old(
    project: Path, old: dict[str, Any], deleted: list[str]
) -> tuple[dict[str, bytes], set[str]]:
    """The old template version's content of the deleted files, and its whole file list: from
    copier's own render, kept by before_update.py, or rendered again when there is none."""
    stored = stored_old_render(project)
    if stored is not None:
        return old_render_of(stored, deleted)
    clone = sys.argv[1] if len(sys.argv) > 1 else ""
    try:
        with rendered(
            str(old.get("_src_path", "")), old.get("_commit"), old, (clone,) if clone else ()
        ) as old_render:
            return old_render_of(old_render, deleted)
    except MigrationError as error:
        say(f"Could not render the previous template version ({error});")
        say("every file this update deleted is kept, edited or not.")
        return {}, set(deleted)


def old_render_of(root: Path, deleted: list[str]) -> tuple[dict[str, bytes], set[str]]:
    old_files = files_in(root)
    return {path: (root / path).read_bytes() for path in deleted if path in old_files}, old_files


def settle_python_conflicts(project: Path, kept: dict[str, bytes]) -> list[str]:
    """Python files copier left with conflict markers take the template's version; the user's
    version joins the kept files. Returns their paths."""
    settled = []
    for path in sorted(unmerged_paths(project)):
        if not path.endswith(".py"):
            continue
        template = git_show(project, path, ref=":3")
        if template is None:  # the template deleted it: keep the user's file as it is
            continue
        kept[path] = git_show(project, path) or (project / path).read_bytes()
        (project / path).write_bytes(template)
        git(project, "reset", "-q", "--", path)  # resolved: the index leaves the conflict
        settled.append(path)
    return settled


def unmerged_paths(project: Path) -> set[str]:
    entries = git(project, "ls-files", "-u", "-z", check=False).split("\0")
    return {entry.split("\t", 1)[1] for entry in entries if "\t" in entry}


def settle_project_config(project: Path) -> bool:
    """A project's own PROJECT_CONFIG.yaml (adopted from lich init) conflicts with the template's
    on every switch: it keeps its lines, with the task runner's set as the template's."""
    path = ".lich/PROJECT_CONFIG.yaml"
    if path not in unmerged_paths(project):
        return False
    ours, theirs = git_show(project, path, ref=":2"), git_show(project, path, ref=":3")
    if ours is None or theirs is None:
        return False
    (project / path).write_text(with_runner_lines(ours.decode(), theirs.decode()), encoding="utf-8")
    git(project, "reset", "-q", "--", path)
    return True


# Lists of settings, not prose: a conflict in one is merged key by key.
SETTINGS_FILES = (".env.example", "deploy/k8s/config.env", "deploy/k8s/secrets.env.example")


def settle_settings_files(project: Path) -> list[str]:
    """Each conflicted settings file, merged key by key. Returns the report's lines."""
    unmerged = unmerged_paths(project)
    return [line for path in SETTINGS_FILES if path in unmerged for line in settle(project, path)]


def settle(project: Path, path: str) -> list[str]:
    """The template's new file, with each value you had changed kept where the key is still
    there, and the keys only you have added at the end."""
    base, ours, theirs = (git_show(project, path, ref=f":{stage}") for stage in (1, 2, 3))
    if ours is None or theirs is None:
        return []
    before = {key: value for key, value, _ in env_entries((base or b"").decode())}
    mine = {key: (value, line) for key, value, line in env_entries(ours.decode())}
    wanted = {key for key, _, _ in env_entries(theirs.decode())}
    changed = {k: line for k, (v, line) in mine.items() if k in before and before[k] != v}
    lines = []
    for line in theirs.decode().splitlines():
        key = line.split("=", 1)[0].strip() if "=" in line and not line.startswith("#") else ""
        lines.append(changed.get(key, line))
    added = [line for key, (_, line) in mine.items() if key not in before and key not in wanted]
    if added:
        lines += ["", "# Yours (kept by copier update)", *added]
    (project / path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(project, "reset", "-q", "--", path)
    report = [f"{path}: merged key by key; your values and your own keys are kept."]
    if dropped := sorted(key for key in changed if key not in wanted):
        report.append(f"  No longer in it, with the settings that read them: {', '.join(dropped)}.")
    return report


def relock(project: Path) -> str | None:
    """uv.lock must satisfy pyproject.toml: a conflicted one takes the template's side, and one
    that no longer fits the project's own dependencies is locked again. Returns what happened."""
    path = "backend/uv.lock"
    conflicted = path in unmerged_paths(project)
    if conflicted:
        (project / path).write_bytes(git_show(project, path, ref=":3") or b"")
        git(project, "reset", "-q", "--", path)
    uv = project / "backend" / ".venv" / "bin" / "uv"
    command = str(uv) if uv.is_file() else shutil.which("uv")
    if command is None:
        return "run `make install`: it locks uv.lock again" if conflicted else None
    backend = project / "backend"
    if run([command, "lock", "--check", "--offline", "--quiet"], backend).returncode == 0:
        return "the template's version, which fits" if conflicted else None
    locked = run([command, "lock", "--quiet"], backend, timeout=300)
    if locked.returncode != 0:
        return f"could not lock it again ({locked.stderr.strip()[-200:]}); run `make lock`"
    return "locked again, for your dependencies and the new runner's"


def remove_old_beat_state(project: Path) -> list[str]:
    """Beat's pre-2.0.0 state files, untracked and no longer ignored: beat rebuilds them."""
    untracked = git(project, "ls-files", "--others", "--exclude-standard", "-z", check=False)
    stale = [p for p in untracked.split("\0") if p.startswith(OLD_BEAT_STATE)]
    for path in stale:
        (project / path).unlink()
    return stale


@dataclass
class Outcome:
    """What the update did to the project, for the report."""

    old: dict[str, Any]
    new: dict[str, Any]
    deleted: list[str] = field(default_factory=list)
    old_files: set[str] = field(default_factory=set)
    kept: dict[str, bytes] = field(default_factory=dict)
    kept_in: Path | None = None
    merged: list[tuple[str, str, bool]] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)
    config: bool = False
    settings_files: list[str] = field(default_factory=list)
    lock: str | None = None
    beat_state: list[str] = field(default_factory=list)
    env_added: list[str] = field(default_factory=list)
    env_unused: list[str] = field(default_factory=list)


def main() -> None:
    project = project_dir()
    if not is_project_repo(project):
        return
    old = head_answers(project)
    new = parse_answers((project / ANSWERS_FILE).read_text(encoding="utf-8"), ANSWERS_FILE)
    done = Outcome(old, new, deleted=deleted_files(project))
    if done.deleted:
        base, done.old_files = render_old(project, old, done.deleted)
        for path in done.deleted:
            ours = git_show(project, path) or b""
            if base.get(path) == ours:
                continue
            moved_to = MOVED_FILES.get(path)
            if moved_to and (project / moved_to).is_file() and path in base:
                clean = merge_moved(project, path, moved_to, base[path], ours)
                if not clean and moved_to.endswith(".py"):
                    done.kept[path] = ours
                done.merged.append((path, moved_to, clean))
                continue
            done.kept[path] = ours
    done.settled = settle_python_conflicts(project, done.kept)
    done.config = settle_project_config(project)
    done.settings_files = settle_settings_files(project)
    done.lock = relock(project)
    if done.kept:
        done.kept_in = keep(project, kept_label(old, new), done.kept).relative_to(project)
    done.beat_state = remove_old_beat_state(project)
    reason = f"copier update (task runner: {runner_of(new)})"
    done.env_added, done.env_unused = sync_env(project, reason)
    shutil.rmtree(old_render_store(project), ignore_errors=True)
    report(project, done)


def report(project: Path, done: Outcome) -> None:
    """Says what the update did, and what is left to the user; changes nothing."""
    old_runner, new_runner = runner_of(done.old), runner_of(done.new)
    if old_runner != new_runner:
        say(f"Task runner: {RUNNER_TITLES[old_runner]} -> {RUNNER_TITLES[new_runner]}.")
    where = done.kept_in
    for old_path, new_path, clean in done.merged:
        if clean:
            say(f"Moved: your edits of {old_path} are merged in {new_path}.")
        elif new_path.endswith(".py"):
            say(
                f"Moved: your edits of {old_path} overlap the template's changes of {new_path}, "
                f"which stays as the template wrote it; yours is in {where}/{old_path}."
            )
        else:
            say(f"Moved: your edits of {old_path} are merged in {new_path} WITH CONFLICTS.")
    for path in done.settled:
        say(
            f"Conflict: your edits of {path} overlap the template's changes; the file now holds "
            f"the template's version, and yours (as committed) is in {where}/{path}."
        )
    removed = sorted(set(done.kept) - set(done.settled) - {old for old, _, _ in done.merged})
    if removed:
        say(f"Kept {len(removed)} file(s) you had edited, which this update removed, in {where}/:")
        for path in removed:
            say(f"  {where}/{path}")
    if done.kept:
        say("  Move what you still need into the project, then delete that folder.")
    for line in importers_report(project, done.deleted, done.old, done.new):
        say(line)
    leftovers = files_left_beside(project, done.deleted, done.old_files)
    if leftovers:
        say("Your own files next to removed template files stay where they are:")
        for path in leftovers:
            say(f"  {path}")
    for path in done.beat_state:
        say(f"Removed {path}: beat's old state file (beat now keeps it in backend/var/).")
    if done.env_added:
        say(
            f".env: added {', '.join(done.env_added)} (values from .env.example, passwords "
            "generated)."
        )
    if done.env_unused:
        say(f".env: no longer read by the project, left as they are: {', '.join(done.env_unused)}.")
    if note := broker_url_note(project, done.new):
        say(note)
    if done.config:
        say(".lich/PROJECT_CONFIG.yaml: yours, with the task runner's lines updated.")
    for line in done.settings_files:
        say(line)
    if done.lock:
        say(f"backend/uv.lock: {done.lock}.")


# The library each runner's code imports; `make install` removes it with the runner.
RUNNER_LIBRARIES = {"celery": "celery", "temporal": "temporalio"}


def importers_report(
    project: Path, deleted: list[str], old: dict[str, Any], new: dict[str, Any]
) -> list[str]:
    """Every file of the project that imports a module this update removed (or the library of
    the runner it left): it fails with ModuleNotFoundError as soon as it runs, so say it now."""
    removed = {
        module_of(path) for path in deleted if path.startswith("backend/") and path.endswith(".py")
    }
    old_runner, new_runner = runner_of(old), runner_of(new)
    if old_runner != new_runner and old_runner in RUNNER_LIBRARIES:
        removed.add(RUNNER_LIBRARIES[old_runner])
    if not removed:
        return []
    # Any import of a module, or of a module inside it, spells its last name: files without
    # one are not parsed (most of a project's files, at a millisecond each).
    names = {module.rsplit(".", 1)[-1] for module in removed}
    found = []
    for path, source in python_sources(project).items():
        if not any(name in source for name in names):
            continue
        by_line: dict[int, str] = {}
        for line, module in imports_of(source):
            gone = next(
                (g for g in sorted(removed) if module == g or module.startswith(g + ".")), None
            )
            if gone and (line not in by_line or len(gone) < len(by_line[line])):
                by_line[line] = gone
        found += [f"  {path}:{line}: imports {module}" for line, module in sorted(by_line.items())]
    if not found:
        return []
    return [
        "These files of yours import what this update removed, and fail with "
        "ModuleNotFoundError until you change them:",
        *found,
    ]


# URL schemes each Celery broker answers to.
BROKER_SCHEMES = {"redis": ("redis", "rediss"), "rabbitmq": ("amqp", "amqps", "pyamqp")}


def broker_url_note(project: Path, new: dict[str, Any]) -> str:
    """A whole CELERY_BROKER_URL in .env wins over the broker settings: say so when it names
    another broker than the one the project now uses (the update never rewrites it)."""
    if runner_of(new) != "celery":
        return ""
    broker = str(new.get("celery_broker", "redis"))
    url = read_env(project / ".env").get("CELERY_BROKER_URL", "")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if not scheme or scheme in BROKER_SCHEMES.get(broker, ()):
        return ""
    return (
        f".env: CELERY_BROKER_URL is a {scheme}:// URL, but the broker is now {broker}: the "
        f"workers would still use the old one. Empty CELERY_BROKER_URL to use the "
        f"{'RABBITMQ' if broker == 'rabbitmq' else 'REDIS'}_* settings, or set it to a "
        f"{BROKER_SCHEMES[broker][0]}:// URL."
    )


def files_left_beside(project: Path, deleted: list[str], old_files: set[str]) -> list[str]:
    """The user's files in a folder whose template files this update all removed."""
    folders = {str(Path(path).parent) for path in deleted}
    emptied = {
        folder
        for folder in folders
        if all(path in deleted for path in old_files if str(Path(path).parent) == folder)
    }
    return sorted(
        path
        for path in tracked_files(project)
        if str(Path(path).parent) in emptied and path not in old_files and (project / path).exists()
    )


if __name__ == "__main__":
    main()
