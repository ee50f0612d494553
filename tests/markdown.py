"""Just enough Markdown reading to hold a translated page to its original: the parts that must
be byte-identical across languages (code blocks, inline code, links, URLs), the structure
(headings, tables), and where each block of text starts (right-to-left text must start with a
right-to-left letter, or GitHub lays the paragraph out left to right)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

INLINE_CODE = re.compile(r"`([^`]+)`")
URL = re.compile(r"https?://[^\s)`>]+")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
PERSIAN = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
LATIN = re.compile(r"[A-Za-z]")
LIST_ITEM = re.compile(r"^(?:[-*]|\d+\.) ")


@dataclass
class Page:
    code_blocks: list[str] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    # Each paragraph, list item, heading and table cell as one line of text, without code blocks.
    blocks: list[str] = field(default_factory=list)
    # Where the reading direction is decided: each paragraph, list item and heading, and the
    # last cell of each table row (the prose column; the others hold names and code).
    starts: list[str] = field(default_factory=list)

    @property
    def prose(self) -> str:
        return "\n".join(self.blocks)

    def inline_code(self) -> Counter[str]:
        return Counter(" ".join(span.split()) for span in INLINE_CODE.findall(self.prose))

    def urls(self) -> set[str]:
        """Every URL of the prose, without the punctuation of the sentence it ends."""
        in_code = {url for span in INLINE_CODE.findall(self.prose) for url in URL.findall(span)}
        return {url.rstrip(".,،;:") for url in set(URL.findall(self.prose)) - in_code}

    def links(self) -> set[str]:
        return set(LINK_TARGET.findall(self.prose))

    def script_share(self) -> float:
        """Persian letters among the letters of the prose, inline code and URLs left out."""
        text = URL.sub("", INLINE_CODE.sub("", self.prose))
        persian, latin = len(PERSIAN.findall(text)), len(LATIN.findall(text))
        return persian / max(1, persian + latin)


def parse(text: str) -> Page:
    page = Page()
    lines = text.splitlines()
    paragraph: list[str] = []
    code: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if paragraph:
            page.blocks.append(" ".join(part.strip() for part in paragraph))
            page.starts.append(page.blocks[-1])
            paragraph.clear()
        if code:
            page.code_blocks.append("\n".join(code).rstrip("\n"))
            code.clear()
        if table:
            page.tables.append([row[:] for row in table])
            page.blocks.extend(cell for row in table for cell in row if cell)
            page.starts.extend(row[-1] for row in table)
            table.clear()

    previous_blank = True
    fenced = False
    for line in lines:
        if line.startswith("```"):
            if fenced:
                page.code_blocks.append("\n".join(code))
                code.clear()
            else:
                flush()
            fenced = not fenced
        elif fenced:
            code.append(line)
        elif line.startswith("    ") and (previous_blank or code) and not paragraph:
            code.append(line[4:])
        elif not line.strip():
            if code:
                code.append("")
            else:
                flush()
        else:
            if code:
                flush()
            if line.startswith("#"):
                flush()
                level = len(line) - len(line.lstrip("#"))
                page.headings.append((level, line[level:].strip()))
                page.blocks.append(line[level:].strip())
                page.starts.append(page.blocks[-1])
            elif line.startswith("|"):
                if paragraph:
                    flush()
                cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
                if not all(set(cell) <= set("-: ") for cell in cells):
                    table.append(cells)
            elif LIST_ITEM.match(line):
                flush()
                paragraph.append(LIST_ITEM.sub("", line, count=1))
            else:
                paragraph.append(line)
        previous_blank = not line.strip()
    flush()
    return page


def starts_right_to_left(block: str) -> bool:
    """Whether GitHub's `dir="auto"` lays this block out right to left: its first strong
    character (markup and punctuation skipped; inline code counts as left to right) is Persian."""
    for character in block:
        if character == "`" or LATIN.match(character):
            return False
        if PERSIAN.match(character):
            return True
    return True  # no letter at all: neutral
