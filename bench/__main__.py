"""Benchmarks of the template and of the projects it generates, each against a baseline measured
in the same run. They measure and print; nothing here passes or fails on speed.

    python3 dev.py bench                     # everything but the test suite (~10 min)
    python3 dev.py bench --quick             # fewer repetitions: a smoke run
    python3 dev.py bench --only celery,temporal
    python3 dev.py bench --suite             # also time the full test suite (minutes)
    python3 dev.py bench --only suite        # only the test suite
    python3 dev.py bench --record            # also write the table into BENCHMARKS.md

Needs no service of the machine: it starts everything itself (an embedded Valkey for the Celery
figures, a Temporal dev server, workers), on free ports, and stops it by PID.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import ROOT, Config, Figure, machine, say

SECTIONS = ("generation", "update", "celery", "dispatch", "temporal", "coldstart", "scaleout")
# A 1-minute load average above this at the start flags the recorded figures as noisy.
BUSY_LOAD = 0.5
OPTIONAL = ("suite",)  # only when asked for: `--suite` or `--only suite`
RESULTS_START, RESULTS_END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
SUITE_START, SUITE_END = "<!-- bench:suite:start -->", "<!-- bench:suite:end -->"


# Each section's module and function, imported on demand, so `--only generation` needs neither
# Redis nor Temporal.
SECTION_RUNNERS = {
    "generation": ("bench.generation", "run_generation"),
    "update": ("bench.update", "run_update"),
    "celery": ("bench.celery_bench", "run_celery"),
    "dispatch": ("bench.dispatch", "run_dispatch"),
    "temporal": ("bench.temporal_bench", "run_temporal"),
    "coldstart": ("bench.coldstart", "run_coldstart"),
    "scaleout": ("bench.scaleout", "run_scaleout"),
    "suite": ("bench.suite", "run_suite"),
}


def runner_for(section: str) -> Callable[[Config], list[Figure]]:
    module, function = SECTION_RUNNERS[section]
    return getattr(importlib.import_module(module), function)


def number(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:.0f} {unit}"


def table(figures: list[Figure]) -> str:
    rows = [
        "| # | Figure | Median | Runs | Baseline (same run) | Ratio | Target | Met | Note |",
        "|---|--------|-------:|-----:|---------------------|------:|--------|-----|------|",
    ]
    index = {id(figure): position for position, figure in enumerate(figures, 1)}
    section = None
    for position, figure in enumerate(figures, 1):
        if figure.section != section:
            section = figure.section
            rows.append(f"| | **{section}** | | | | | | | |")
        baseline = ratio = ""
        if figure.baseline is not None:
            reference = index.get(id(figure.baseline))
            label = f"#{reference}" if reference else figure.baseline.name
            baseline = f"{label}: {number(figure.baseline.median, figure.baseline.unit)}"
            # Three decimals, so a ratio just under a target does not print as meeting it.
            ratio = f"{figure.ratio:.3f}x" if figure.ratio is not None else ""
        met = {True: "yes", False: "**no**", None: ""}[figure.met]
        rows.append(
            f"| {position} | {figure.name} | {number(figure.median, figure.unit)} "
            f"| {figure.runs_label} | {baseline} | {ratio} | {figure.target} | {met} "
            f"| {figure.note} |"
        )
    return "\n".join(rows)


def machine_block(info: dict[str, str]) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in info.items())


def replace_block(text: str, start: str, end: str, body: str) -> str:
    head, found, rest = text.partition(start)
    if not found:
        raise SystemExit(f"BENCHMARKS.md has no {start} marker")
    _, found, tail = rest.partition(end)
    if not found:
        raise SystemExit(f"BENCHMARKS.md has no {end} marker")
    return f"{head}{start}\n{body}\n{end}{tail}"


def record(report: str, suite_report: str | None) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    if report:
        text = replace_block(text, RESULTS_START, RESULTS_END, report)
    if suite_report:
        text = replace_block(text, SUITE_START, SUITE_END, suite_report)
    path.write_text(text)
    say(f"recorded in {path.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python3 dev.py bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of {','.join(SECTIONS + OPTIONAL)}",
    )
    parser.add_argument("--suite", action="store_true", help="also time `python3 dev.py test`")
    parser.add_argument("--record", action="store_true", help="write the table into BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()
    sections = [name.strip() for name in args.only.split(",") if name.strip()]
    if args.suite:
        sections.append("suite")
    unknown = set(sections) - set(SECTIONS + OPTIONAL)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")

    info = machine()
    load_at_start = os.getloadavg()[0]
    command = " ".join(["python3 dev.py bench", *sys.argv[1:]])
    work = Path(tempfile.mkdtemp(prefix="lich-bench-"))
    config = Config(quick=args.quick, work=work)
    figures: list[Figure] = []
    suite: list[Figure] = []
    failures: list[str] = []
    started = time.monotonic()
    try:
        for section in [name for name in SECTIONS + OPTIONAL if name in sections]:
            say(f"section {section}")
            section_start = time.monotonic()
            try:
                result = runner_for(section)(config)
            except Exception as error:  # one broken section must not hide the others' figures
                failures.append(f"- {section}: {type(error).__name__}: {error}".splitlines()[0])
                say(f"section {section} failed:\n{error}")
                continue
            (suite if section == "suite" else figures).extend(result)
            say(f"section {section} took {time.monotonic() - section_start:.0f} s")
    finally:
        if args.keep:
            say(f"scratch directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    info["load average (1, 5, 15 min) at end"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    info["bench wall time"] = f"{time.monotonic() - started:.0f} s"
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = f"Run `{command}` on {stamp}"
    if args.quick:
        header += " (**--quick: preliminary**)"
    if load_at_start > BUSY_LOAD:
        header += (
            f" (**machine busy: load average {load_at_start:.2f} at start, figures are noisy**)"
        )
    parts = [header, "", machine_block(info)]
    if figures:
        parts += ["", table(figures)]
    if failures:
        parts += ["", "Sections that failed:", *failures]
    report = "\n".join(parts)
    print(report)
    suite_report = None
    if suite:
        suite_report = f"{header}\n\n{machine_block(info)}\n\n{table(suite)}"
        print(f"\n{table(suite)}")
    if args.record:
        record(report if figures else "", suite_report)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
