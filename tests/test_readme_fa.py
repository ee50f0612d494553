"""README.fa.md, the Persian README, stays in step with README.md: the commands a reader copies,
the table of what an update does to each file and the table of refusals are the English ones,
and its text reads right to left on GitHub."""

from __future__ import annotations

import pytest

from tests import markdown
from tests.helpers import ROOT

ENGLISH = markdown.parse((ROOT / "README.md").read_text())
PERSIAN = markdown.parse((ROOT / "README.fa.md").read_text())


def table(page: markdown.Page, header: str) -> list[list[str]]:
    (found,) = [rows for rows in page.tables if rows[0][0] == header]
    return found


def test_every_command_block_is_an_english_one() -> None:
    assert PERSIAN.code_blocks
    assert set(PERSIAN.code_blocks) <= set(ENGLISH.code_blocks)


@pytest.mark.parametrize(
    "first_line",
    [
        "python3 dev.py demo",  # the two commands
        "pipx install copier",  # using the template
        "cd my-app",  # changing the runner later
        "python3 /path/to/lich-template/extensions/adopt.py",  # adoption
    ],
)
def test_the_sections_the_persian_readme_covers(first_line: str) -> None:
    (english,) = [block for block in ENGLISH.code_blocks if block.startswith(first_line)]
    assert english in PERSIAN.code_blocks


@pytest.mark.parametrize(
    ("english_header", "persian_header"),
    [("Option", "گزینه"), ("Question", "پرسش"), ("File", "فایل"), ("You see", "آنچه می‌بینید")],
)
def test_the_tables_match_row_by_row(english_header: str, persian_header: str) -> None:
    english, persian = table(ENGLISH, english_header), table(PERSIAN, persian_header)
    assert [len(row) for row in persian] == [len(row) for row in english]
    for english_row, persian_row in zip(english, persian, strict=True):
        english_code = markdown.parse(" | ".join(english_row)).inline_code()
        assert markdown.parse(" | ".join(persian_row)).inline_code() == english_code


def test_the_readmes_link_each_other() -> None:
    assert "README.fa.md" in ENGLISH.links()
    assert "README.md" in PERSIAN.links()


def test_the_persian_readme_is_persian_and_reads_right_to_left() -> None:
    assert PERSIAN.script_share() > 0.6
    left_to_right = [s for s in PERSIAN.starts if not markdown.starts_right_to_left(s)]
    assert left_to_right == []
