"""After every `copier update`: make sure nothing the user wrote was lost, and bring `.env` along.

    {{ _copier_python }} extensions/migrations/after_update.py <new template clone>

Copier deletes every file the old version generated and the new one does not, edited or not
(a runner switch removes the old runner's files this way). Update needs a clean tree, so `HEAD`
still holds the project as it was: a file tracked in HEAD and missing now was deleted by this
update. Its HEAD content is compared with what the old template version rendered (same answers,
same commit): if they differ, the user edited it, and it is kept under `lich-kept/`.

Files an older version generated at another path (`MOVED_FILES`) are not kept aside: the user's
edits are merged into the file at its new path (`git merge-file`, conflict markers if both sides
changed the same lines).

`.env` is the user's (untracked): keys `.env.example` now has are appended, values kept.

Running it twice changes nothing the second time: kept files are written once (identical files
are reused), merges of already-merged edits are clean, `.env` keys are added once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # the scripts run as files, not as a package
    ANSWERS_FILE,
    KEPT_DIR,
    MOVED_FILES,
    RUNNER_TITLES,
    MigrationError,
    files_in,
    git_show,
    head_answers,
    is_project_repo,
    parse_answers,
    project_dir,
    rendered,
    runner_of,
    say,
    sync_env,
    tracked_files,
)
from packaging.version import InvalidVersion, Version  # copier depends on it


def _version(name: str) -> Version | None:
    try:
        return Version(os.environ.get(name, ""))
    except InvalidVersion:
        return None


def moves_for_this_update() -> dict[str, str]:
    """Old path -> new path for every move made by a version in (from, to]."""
    start, end = _version("VERSION_PEP440_FROM"), _version("VERSION_PEP440_TO")
    moves: dict[str, str] = {}
    for version, table in MOVED_FILES.items():
        if start is None or end is None or start < Version(version) <= end:
            moves.update(table)
    return moves


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
    """Merge the user's edits of `old_path` into `new_path`; True when it merged cleanly."""
    target = project / new_path
    with tempfile.TemporaryDirectory(prefix="lich-merge.") as tmp:
        mine, ancestor = Path(tmp, "mine"), Path(tmp, "base")
        mine.write_bytes(ours)
        ancestor.write_bytes(base)
        result = subprocess.run(
            [
                "git",
                "merge-file",
                "-L",
                f"your {old_path}",
                "-L",
                "old template",
                "-L",
                f"new template {new_path}",
                str(mine),
                str(ancestor),
                str(target),
            ],
            capture_output=True,
            check=False,
        )
        if result.returncode < 0 or result.returncode > 127:
            raise MigrationError(f"git merge-file failed: {result.stderr.decode().strip()}")
        target.write_bytes(mine.read_bytes())
    return result.returncode == 0


def main() -> None:
    project = project_dir()
    if not is_project_repo(project):
        return
    old = head_answers(project)
    new = parse_answers((project / ANSWERS_FILE).read_text(encoding="utf-8"), ANSWERS_FILE)
    moves = moves_for_this_update()
    deleted = [
        path
        for path in tracked_files(project)
        if not os.path.lexists(project / path) and not path.startswith(f"{KEPT_DIR}/")
    ]
    kept: dict[str, bytes] = {}
    old_files: set[str] = set()
    merged: list[tuple[str, str, bool]] = []
    if deleted:
        clone = sys.argv[1] if len(sys.argv) > 1 else ""
        try:
            with rendered(
                str(old.get("_src_path", "")), old.get("_commit"), old, (clone,) if clone else ()
            ) as old_render:
                old_files = files_in(old_render)
                base = {
                    path: (old_render / path).read_bytes() for path in deleted if path in old_files
                }
        except MigrationError as error:
            say(f"Could not render the previous template version ({error});")
            say("every file this update deleted is kept, edited or not.")
            base, old_files = {}, set(deleted)
        for path in deleted:
            ours = git_show(project, path) or b""
            if base.get(path) == ours:
                continue
            if path in moves and (project / moves[path]).is_file() and path in base:
                merged.append(
                    (path, moves[path], merge_moved(project, path, moves[path], base[path], ours))
                )
                continue
            kept[path] = ours
    report(project, old, new, deleted, old_files, kept, merged)


def report(
    project: Path,
    old: dict[str, Any],
    new: dict[str, Any],
    deleted: list[str],
    old_files: set[str],
    kept: dict[str, bytes],
    merged: list[tuple[str, str, bool]],
) -> None:
    old_runner, new_runner = runner_of(old), runner_of(new)
    if old_runner != new_runner:
        say(f"Task runner: {RUNNER_TITLES[old_runner]} -> {RUNNER_TITLES[new_runner]}.")
    for old_path, new_path, clean in merged:
        outcome = "merged" if clean else "merged WITH CONFLICTS (resolve the markers)"
        say(f"Moved: your edits of {old_path} are {outcome} in {new_path}.")
    if kept:
        root = keep(project, kept_label(old, new), kept)
        where = root.relative_to(project)
        say(f"Kept {len(kept)} file(s) you had edited, which this update removed, in {where}/:")
        for path in sorted(kept):
            say(f"  {where}/{path}")
        say("  Move what you still need into the project, then delete that folder.")
    leftovers = files_left_beside(project, deleted, old_files)
    if leftovers:
        say("Your own files next to removed template files stay where they are:")
        for path in leftovers:
            say(f"  {path}")
    added, unused = sync_env(project, f"copier update (task runner: {new_runner})")
    if added:
        say(f".env: added {', '.join(added)} (values from .env.example; yours are untouched).")
    if unused:
        say(f".env: no longer read by the project, left as they are: {', '.join(unused)}.")


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
