"""`make dev` (python -m devtools.dev) runs the whole local stack with no Docker and no system
service: the API answers, the example job runs through the runner, and SIGTERM stops it all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import free_port, python_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def http(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Idempotency-Key", "dev-stack")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            payload = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    try:
        return status, json.loads(payload)
    except json.JSONDecodeError:
        return status, payload.decode()


def processes_in(directory: Path) -> list[int]:
    """PIDs of the processes whose working directory is `directory` (workers, API, servers)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cwd").resolve() == directory.resolve():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


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


@pytest.mark.parametrize("runner", ["none", "celery", "temporal"])
def test_make_dev_serves_the_api_and_runs_jobs(runner: str, generate: Any, tmp_path: Path) -> None:
    backend = generate(tmp_path / "project", task_runner=runner) / "backend"
    port, ui_port = free_port(), free_port()
    api = f"http://127.0.0.1:{port}"
    log = (tmp_path / "dev.log").open("wb")
    dev = subprocess.Popen(
        [sys.executable, "-m", "devtools.dev", "--port", str(port), "--ui-port", str(ui_port)],
        cwd=backend,
        env={**os.environ, **python_env()},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: http("GET", f"{api}/health")[0] == 200, 90, "the API")
        status, receipt = http("POST", f"{api}/emails", {"to": "ada@example.com", "subject": "Hi"})
        assert status == 202, receipt

        def finished() -> dict[str, Any] | None:
            job = http("GET", f"{api}/emails/{receipt['job_id']}")[1]
            return job if job["state"] in ("succeeded", "failed") else None

        job = wait_until(finished, 60, "the e-mail job")
        assert job["state"] == "succeeded", job
        assert len(list((backend / "var" / "outbox").glob("*.eml"))) == 1
        if runner == "temporal":
            # The dev server's Web UI is served on the port asked for.
            with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/", timeout=5) as page:
                assert page.status == 200
        dev.send_signal(signal.SIGTERM)
        assert dev.wait(timeout=60) == 0
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        assert processes_in(backend) == [], "make dev left processes behind"
    finally:
        if dev.poll() is None:
            dev.kill()
            dev.wait()
        log.close()
        print((tmp_path / "dev.log").read_text()[-4000:])
