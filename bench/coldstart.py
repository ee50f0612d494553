"""Cold start: from a freshly generated project to its first job done, per runner.

Each run copies a pristine generated project (no bytecode caches) and runs `python -m
devtools.demo` in its backend/ (what `make demo` runs): it starts the embedded servers and the
worker with the documented command, sends the example e-mail job and waits for it. Dependencies
are not installed per project: the template's `.venv` already holds a superset of them, so this
measures start-up, not `pip install`.

The stages come from the demo's own log timestamps (servers up, worker ready, job done), measured
from the moment the process was started. The baseline is the no-runner project, where the job
runs in-process: interpreter start, imports and the job itself.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import time
from datetime import datetime
from pathlib import Path

from bench.common import BIN, RUNNERS, Config, Figure, say, snapshot_template, venv_env
from bench.generation import generate

STAMP = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3})")
# The first log line that marks each stage, per runner.
MARKERS = {
    "servers up": {"celery": "Valkey on ", "temporal": "Temporal dev server on "},
    "worker ready": {"celery": " ready.", "temporal": "worker polling task queue"},
    "job done": {"none": "devtools.demo: job ", "celery": "devtools.demo: job ",
                 "temporal": "devtools.demo: job "},
}  # fmt: skip


def stage_times(log: str, runner: str, started_at: float) -> dict[str, float]:
    """Seconds from process start to the first line carrying each stage's marker."""
    found: dict[str, float] = {}
    for line in log.splitlines():
        match = STAMP.search(line)
        if not match:
            continue
        for stage, markers in MARKERS.items():
            marker = markers.get(runner)
            if stage not in found and marker and marker in line:
                stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
                found[stage] = stamp - started_at
    return found


def one_run(pristine: Path, destination: Path, runner: str) -> tuple[dict[str, float], float]:
    shutil.copytree(pristine, destination)
    log_path = destination.with_suffix(".log")
    started_at = time.time()
    start = time.perf_counter()
    with log_path.open("wb") as log:
        result = subprocess.run(
            [BIN / "python", "-m", "devtools.demo"],
            cwd=destination / "backend",
            env=venv_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=300,
            check=False,
        )
    total = time.perf_counter() - start
    text = log_path.read_text(errors="replace")
    if result.returncode != 0:
        raise RuntimeError(f"make demo ({runner}) exited {result.returncode}:\n{text[-3000:]}")
    stages = stage_times(text, runner, started_at)
    if "job done" not in stages:
        raise RuntimeError(f"make demo ({runner}) logged no finished job:\n{text[-3000:]}")
    shutil.rmtree(destination)
    return stages, total


def run_coldstart(config: Config) -> list[Figure]:
    work = config.work / "coldstart"
    template = snapshot_template(work / "template")
    pristine = {
        runner: generate(template, work / "pristine" / runner, task_runner=runner)
        for runner in RUNNERS
    }
    reps = config.reps(3)
    stages: dict[str, dict[str, list[float]]] = {runner: {} for runner in RUNNERS}
    totals: dict[str, list[float]] = {runner: [] for runner in RUNNERS}
    say(f"coldstart: {reps} x make demo per runner")
    for rep in range(reps):
        for runner in RUNNERS:
            found, total = one_run(pristine[runner], work / "runs" / f"{runner}-{rep}", runner)
            for stage, seconds in found.items():
                stages[runner].setdefault(stage, []).append(seconds)
            totals[runner].append(total)

    floor = Figure(
        "coldstart",
        "baseline: none, first job done (in-process, no servers)",
        stages["none"]["job done"],
        "s",
        note=f"whole `make demo`: {statistics.median(totals['none']):.2f} s",
    )
    figures = [floor]
    for runner in ("celery", "temporal"):
        detail = ", ".join(
            f"{stage} at {statistics.median(values):.2f} s"
            for stage, values in stages[runner].items()
            if stage != "job done"
        )
        whole = statistics.median(totals[runner])
        figures.append(
            Figure(
                "coldstart",
                f"{runner}: first job done (embedded servers + worker)",
                stages[runner]["job done"],
                "s",
                baseline=floor,
                note=f"{detail}; whole `make demo` with shutdown: {whole:.2f} s",
            )
        )
    return figures
