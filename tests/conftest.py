from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import copier
import pytest

from tests.helpers import DEFAULT_ANSWERS, NOTES


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers per core, four at least, eight at most. The tests mostly wait on
    subprocesses, servers and containers: with one worker per core a third of the CPU sat idle
    (measured on 2 cores: 673 s with 3 workers, 601 s with 4)."""
    return min(8, max(4, 2 * (os.cpu_count() or 1)))


@pytest.fixture(scope="session")
def copier_template_paths() -> list[str]:
    """What pytest-copier snapshots into its tagged throwaway template repo."""
    return ["copier.yml", "template", "extensions"]


@pytest.fixture(scope="session")
def copier_defaults() -> dict[str, Any]:
    return dict(DEFAULT_ANSWERS)


@pytest.fixture(scope="session")
def generate(copier_template: Path):
    """`generate(dst, **answers)`: a real `copier copy` of the tagged template snapshot."""

    def _generate(dst: Path, **answers: Any) -> Path:
        copier.run_copy(
            str(copier_template),
            dst,
            data={**DEFAULT_ANSWERS, **answers},
            defaults=True,
            unsafe=True,
            quiet=True,
        )
        return dst

    return _generate


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its notes to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["lich_notes"] = session.config.stash.get(NOTES, [])


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """The controller collects each worker's notes."""
    notes = getattr(node, "workeroutput", {}).get("lich_notes", [])
    node.config.stash.setdefault(NOTES, []).extend(notes)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    notes = config.stash.get(NOTES, [])
    if notes:
        terminalreporter.section("Lich template: environment notes")
        for note in notes:
            terminalreporter.write_line(note)
    skipped = Counter(skip_reason(report) for report in terminalreporter.stats.get("skipped", []))
    if skipped:
        reasons = "; ".join(f"{count} x {reason}" for reason, count in skipped.most_common())
        terminalreporter.write_line(f"Lich template: skipped {skipped.total()}: {reasons}")


def skip_reason(report: Any) -> str:
    """The reason a skip report gives (its longrepr is (path, line, "Skipped: reason"))."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return str(reason).removeprefix("Skipped: ")
