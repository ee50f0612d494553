"""`make dev` runs the whole local stack with no Docker and no system service, on the addresses
.env names, and stops it cleanly however it is stopped.

Each project is installed with `make install` and started with `make dev`, in a session of its
own with the default signal handling a terminal gives. The stop is a terminal's Ctrl-C (SIGINT to
the foreground process group), SIGTERM or SIGINT to make's pid, or SIGTERM or SIGINT to the dev
process itself. Afterwards no process of the stack is left, the dev process said it stopped, and
no error line was printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import free_port, python_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ERRORS = ("ERROR", "CRITICAL", "Traceback", "Cannot connect", "rpc errored")


def http(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Idempotency-Key", f"dev-stack-{time.monotonic_ns()}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, found through /proc (children of children included)."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        try:
            tasks = Path(f"/proc/{parent}/task").iterdir()
            children = {
                int(child) for task in tasks for child in (task / "children").read_text().split()
            }
        except OSError:
            continue
        pending += sorted(children - found)
        found |= children
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def free_pair() -> int:
    """A free port whose port + 1000 is free too (the Temporal UI's port)."""
    for _ in range(50):
        port = free_port()
        if port + 1000 < 65536:
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port + 1000))
                except OSError:
                    continue
            return port
    raise AssertionError("no free pair of ports")


@pytest.fixture(scope="module")
def installed(generate: Any, tmp_path_factory: pytest.TempPathFactory):
    """`installed(runner)`: a project after `make install`, its .env on ports of its own."""
    cache: dict[str, Path] = {}

    def _installed(runner: str) -> Path:
        if runner not in cache:
            project = generate(tmp_path_factory.mktemp(runner) / "project", task_runner=runner)
            result = make(project, "install")
            assert result.returncode == 0, result.stdout + result.stderr
            with (project / ".env").open("a") as env:
                env.write(f"\nAPI_PORT={free_port()}\n")
                env.write(f"REDIS_PORT={free_port()}\n")
                env.write(f"TEMPORAL_ADDRESS=127.0.0.1:{free_pair()}\n")
            cache[runner] = project
        return cache[runner]

    return _installed


def env_value(project: Path, key: str) -> str:
    lines = (project / ".env").read_text().splitlines()
    return [line.split("=", 1)[1] for line in lines if line.startswith(f"{key}=")][-1]


def make(
    project: Path, target: str, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """`make <target>` in the foreground, its output captured."""
    command = ["make", "--no-print-directory", target]
    return subprocess.run(
        command, cwd=project, env=python_env(), capture_output=True, text=True, timeout=timeout
    )


@contextlib.contextmanager
def port_in_use(project: Path, key: str) -> Iterator[int]:
    """A port this test holds, named by `key` in .env until the block ends.

    Held from the start: a port .env named at install time may have been reused since.
    """
    env_file = project / ".env"
    saved = env_file.read_text()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port: int = taken.getsockname()[1]
        env_file.write_text(f"{saved}{key}={port}\n")
        try:
            yield port
        finally:
            env_file.write_text(saved)


def start_make_dev(project: Path, log: Path) -> subprocess.Popen[bytes]:
    """`make dev` as a terminal runs it: its own process group, default signal handling."""

    def default_signals() -> None:
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)

    with log.open("wb") as output:
        return subprocess.Popen(
            ["make", "--no-print-directory", "dev"],
            cwd=project,
            env={**python_env(), "PYTHONUNBUFFERED": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=default_signals,
        )


STOPS = {
    "ctrl-c": lambda make, dev: os.killpg(make.pid, signal.SIGINT),
    "sigterm-to-make": lambda make, dev: make.send_signal(signal.SIGTERM),
    "sigint-to-make": lambda make, dev: make.send_signal(signal.SIGINT),
    "sigterm-to-dev": lambda make, dev: os.kill(dev, signal.SIGTERM),
    "sigint-to-dev": lambda make, dev: os.kill(dev, signal.SIGINT),
}
CASES = [("celery", stop) for stop in STOPS] + [
    ("temporal", "ctrl-c"),
    ("temporal", "sigterm-to-make"),
    ("none", "ctrl-c"),
]


@pytest.mark.parametrize(("runner", "stop"), CASES, ids=[f"{r}-{s}" for r, s in CASES])
def test_make_dev_runs_jobs_and_stops_cleanly(
    runner: str, stop: str, installed: Any, tmp_path: Path
) -> None:
    project = installed(runner)
    api = f"http://127.0.0.1:{env_value(project, 'API_PORT')}"
    log = tmp_path / "dev.log"
    make = start_make_dev(project, log)
    stack: set[int] = set()
    try:
        wait_until(lambda: http("GET", f"{api}/health")[0] == 200, 120, "the API")
        stack = descendants(make.pid)
        (dev,) = [
            pid
            for pid in stack
            if Path(f"/proc/{pid}/cmdline").read_bytes().endswith(b"devtools.dev\0")
        ]
        if stop in ("ctrl-c", "sigterm-to-make"):  # once per runner: a job through the stack
            status, receipt = http("POST", f"{api}/emails", {"to": "ada@x.io", "subject": "Hi"})
            assert status == 202, receipt
            job = wait_until(
                lambda: (
                    (s := http("GET", f"{api}/emails/{receipt['job_id']}")[1])["state"]
                    in ("succeeded", "failed")
                    and s
                ),
                60,
                "the e-mail job",
            )
            assert job["state"] == "succeeded", job
            reaches_from_outside(runner, project)
        STOPS[stop](make, dev)
        code = make.wait(timeout=90)
    finally:
        if make.poll() is None:
            make.kill()
            make.wait()
        for pid in alive(stack | descendants(make.pid)):
            os.kill(pid, signal.SIGKILL)
    output = log.read_text()
    print(output[-3000:])
    assert code in (0, -signal.SIGINT, -signal.SIGTERM), code
    if stop.endswith("-to-dev"):
        assert code == 0, "make exits 0 when the dev process does"
    assert alive(stack) == set(), "make dev left processes behind"
    assert "devtools.dev: stopped" in output
    assert [line for line in output.splitlines() if any(word in line for word in ERRORS)] == []


def reaches_from_outside(runner: str, project: Path) -> None:
    """Other commands reach make dev's servers through .env alone, as the docs show them."""
    python = project / "backend" / ".venv" / "bin" / "python"
    if runner == "celery":
        snippet = (
            "from internal.celery_tasks import send_email; "
            "print(send_email.delay('ada@x.io', 'Welcome', 'Hello').get(timeout=30))"
        )
        result = subprocess.run(
            [python, "-c", snippet], cwd=project / "backend", capture_output=True, text=True
        )
        assert result.stdout.strip() == "True", result.stderr
    if runner == "temporal":
        queue = env_value(project, "TEMPORAL_TASK_QUEUE")
        address = env_value(project, "TEMPORAL_ADDRESS")
        cli = project / "backend" / ".venv" / "bin" / "temporal"
        result = subprocess.run(
            [cli, "workflow", "execute", "--type", "EmailNotificationWorkflow",
             "--task-queue", queue, "--input", '"ada@x.io"', "--input", '"Welcome"', "-o", "json"],
            env={**os.environ, "TEMPORAL_ADDRESS": address},
            capture_output=True,
            text=True,
            timeout=60,
        )  # fmt: skip
        assert json.loads(result.stdout)["result"] is True, result.stderr


def test_make_dev_refuses_a_port_in_use_naming_the_setting(installed: Any) -> None:
    project = installed("none")
    with port_in_use(project, "API_PORT") as port:
        result = make(project, "dev", timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"port {port} (API_PORT in .env) is in use" in output
    assert "set API_PORT to a free port in .env" in output
    assert "Traceback" not in output


def test_the_demo_runs_on_ports_of_its_own(installed: Any) -> None:
    """`make demo` does not need the .env ports free: it starts its servers elsewhere."""
    project = installed("celery")
    with port_in_use(project, "REDIS_PORT"):
        demo = make(project, "demo", timeout=120)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Sent by `make demo`." in demo.stdout + demo.stderr
