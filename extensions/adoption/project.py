"""The project being adopted: its files, its git history, and the plan of every change."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from migrations._common import KEPT_DIR, MigrationError, git, git_show


class AdoptError(MigrationError):
    """A project the adoption cannot take as it is; the message says what to do."""


@dataclass
class Plan:
    """Every change, decided before the first one is made."""

    write: dict[str, bytes] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    # Template files that now hold the team's code too (linted at the team's level).
    carried: list[str] = field(default_factory=list)
    lint: str = ""  # what `make lint` checks now, for the report
    adopted: list[str] = field(default_factory=list)  # lich init's files, relative to backend/

    def keep(self, folder: str, path: str, content: bytes) -> str:
        kept = f"{KEPT_DIR}/{folder}/{path}"
        self.write[kept] = content
        return kept


@dataclass
class Project:
    """A `lich init` project: `root` may be the repository's root or any folder inside it (a
    monorepo), so every path here is relative to `root`, and git is asked from there."""

    root: Path
    _generated: dict[str, str] | None = None
    _current: dict[str, str] | None = None

    def read(self, path: str) -> bytes | None:
        target = self.root / path
        return target.read_bytes() if target.is_file() else None

    def text(self, path: str) -> str:
        content = self.read(path)
        return content.decode("utf-8", errors="replace") if content is not None else ""

    def files(self) -> set[str]:
        return set(git(self.root, "ls-files", "-z").split("\0")) - {""}

    @cached_property
    def toplevel(self) -> Path:
        """The repository's root folder (the project's own, unless it sits in a monorepo)."""
        return Path(git(self.root, "rev-parse", "--show-toplevel").strip()).resolve()

    @cached_property
    def lich_init_commit(self) -> str | None:
        """The commit that brought `lich init`'s render into the repository: the oldest one that
        added the project's PROJECT_CONFIG.yaml (or, without one, its backend/main.py). Not the
        repository's first commit, which in a monorepo is somebody else's."""
        for marker in LICH_INIT_MARKERS:
            added = git(
                self.root, "log", "--diff-filter=A", "--format=%H", "--", marker, check=False
            ).split()
            if added:
                return added[-1]
        return None

    def as_generated(self, path: str) -> bytes | None:
        """The file as `lich init` left it (None: lich init did not write it)."""
        if path not in self._blobs_generated():
            return None
        return git_show(self.root, path, self.lich_init_commit)

    def edited(self, path: str) -> bool:
        """Changed since `lich init` wrote it (a file it did not write counts as edited). The
        tree is clean, so HEAD's content is the file's: the two blob ids are compared."""
        generated = self._blobs_generated().get(path)
        if self._current is None:
            self._current = blobs(self.root, "HEAD")
        return generated is None or generated != self._current.get(path)

    def _blobs_generated(self) -> dict[str, str]:
        if self._generated is None:
            commit = self.lich_init_commit
            self._generated = blobs(self.root, commit) if commit else {}
        return self._generated


# Files only `lich init` writes, whose first commit is its render.
LICH_INIT_MARKERS = (".lich/PROJECT_CONFIG.yaml", "backend/main.py")


def blobs(root: Path, ref: str) -> dict[str, str]:
    """path -> blob id of every file under `root` at `ref` (paths relative to `root`)."""
    listing = git(root, "ls-tree", "-r", "-z", ref, "--", ".").split("\0")
    entries = (entry.split("\t", 1) for entry in listing if "\t" in entry)
    return {path: meta.split()[2] for meta, path in entries}
