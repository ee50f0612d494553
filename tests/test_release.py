"""`python3 dev.py release X.Y.Z` tags a release only when CHANGELOG.md says that version."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.update_helpers import commit_all, git

CHANGELOG = """# Changelog

## [Unreleased]
{unreleased}
## [2.0.0] - 2026-11-26

### Changed
- Everything.

## [1.0.0] - 2026-11-25
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with dev.py and its facts, a changelog and a v1.0.0 tag."""
    shutil.copy2(ROOT / "dev.py", tmp_path / "dev.py")
    shutil.copytree(ROOT / "extensions", tmp_path / "extensions")
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG.format(unreleased=""))
    git(tmp_path, "init", "-q")
    commit_all(tmp_path, "first")
    git(tmp_path, "tag", "v1.0.0")
    return tmp_path


def release(repo: Path, version: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "dev.py", "release", version],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


def tags(repo: Path) -> list[str]:
    return git(repo, "tag", "--list").split()


def test_release_tags_the_changelog_version(repo: Path) -> None:
    result = release(repo, "2.0.0")
    assert result.returncode == 0, result.stderr
    assert tags(repo) == ["v1.0.0", "v2.0.0"]
    assert "git push origin v2.0.0" in result.stdout


@pytest.mark.parametrize(
    ("version", "prepare", "message"),
    [
        ("2.1.0", None, "newest release is 2.0.0, not 2.1.0"),
        ("2.0.0", "unreleased", "still lists changes under [Unreleased]"),
        ("2.0.0", "dirty", "uncommitted changes"),
        ("2.0.0", "tagged", "v2.0.0 is tagged already"),
        ("2.0.0", "newer-tag", "is not newer than every tag"),
    ],
)
def test_release_refuses_a_mismatch(
    repo: Path, version: str, prepare: str | None, message: str
) -> None:
    if prepare == "unreleased":
        changelog = CHANGELOG.format(unreleased="\n### Fixed\n- Something.\n")
        (repo / "CHANGELOG.md").write_text(changelog)
        commit_all(repo, "unreleased entry")
    if prepare == "dirty":
        (repo / "notes.txt").write_text("draft\n")
    if prepare == "tagged":
        git(repo, "tag", "v2.0.0")
    if prepare == "newer-tag":
        git(repo, "tag", "v3.0.0")
    before = tags(repo)
    result = release(repo, version)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert tags(repo) == before
