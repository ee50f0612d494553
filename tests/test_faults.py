"""No job stuck or silently lost when the runner's server freezes mid-request.

A generated project's jobs API and worker (the documented commands) run against a real server
that is frozen (SIGSTOP) while 30 clients post jobs at once, then thawed (SIGCONT): whatever each
client saw, a job either does not exist or runs to its end. Retried with the same key, as the
docs advise after a 503, every job sends exactly one e-mail; a job nobody retried is sent once
or not at all, and none reads `queued` once the server is back.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BIN, HOST, Valkey, free_port, python_env, stop, wait_listening

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CLIENTS = 30
RETRIED = 20  # the first 20 keys are retried after the thaw; the last 10 are left alone
TIMEOUT = 2.0  # JOBS_TIMEOUT_SECONDS: how long the API waits for the frozen server
DEADLINE = 120.0


def request(base: str, method: str, path: str, body: Any = None, key: str = "") -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    if key:
        headers["Idempotency-Key"] = key
    try:
        req = urllib.request.Request(base + path, data, headers, method=method)
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def job(key: str) -> dict[str, str]:
    return {"to": "ada@example.com", "subject": f"Frozen {key}", "body": "once"}


@contextmanager
def process(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Iterator[Any]:
    with log.open("wb") as output:
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield child
    finally:
        stop(child)


@contextmanager
def temporal_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    command = [str(BIN / "temporal"), "server", "start-dev", "--ip", HOST, "--port", str(port)]
    server = subprocess.Popen([*command, "--headless", "--log-level", "never"])
    try:
        wait_listening(port, server, 60)
        yield f"{HOST}:{port}", server
    finally:
        stop(server)


@pytest.mark.parametrize("runner", ["celery", "temporal"])
def test_a_frozen_server_strands_no_job(runner: str, generate: Any, tmp_path: Path) -> None:
    backend = generate(tmp_path / "project", task_runner=runner) / "backend"
    outbox = tmp_path / "outbox"
    env = {
        **os.environ,
        **python_env(),
        "OUTBOX_DIR": str(outbox),
        "JOBS_TIMEOUT_SECONDS": str(TIMEOUT),
        "JOBS_RETRY_AFTER_SECONDS": "1",
    }
    with ExitStack() as stack:
        if runner == "celery":
            valkey = Valkey(tmp_path / "valkey", durable=True)
            valkey.start()
            stack.callback(valkey.stop)
            assert valkey.process is not None
            server = valkey.process
            env |= {"REDIS_HOST": HOST, "REDIS_PORT": str(valkey.port), "REDIS_PASSWORD": ""}
            worker = [sys.executable, "-m", "celery", "-A", "internal.celery_app", "worker"]
            worker += ["-l", "INFO", "--concurrency", "2"]
        else:
            address, server = stack.enter_context(temporal_server())
            env |= {"TEMPORAL_ADDRESS": address}
            worker = [sys.executable, "-m", "internal.workers.main"]
        stack.enter_context(process(worker, backend, env, tmp_path / "worker.log"))
        port = free_port()
        api_command = [sys.executable, "-m", "uvicorn", "--factory", "devtools.jobs_api:create_app"]
        api_command += ["--host", HOST, "--port", str(port)]
        api = stack.enter_context(process(api_command, backend, env, tmp_path / "api.log"))
        wait_listening(port, api, 60)
        base = f"http://{HOST}:{port}"
        deadline = time.monotonic() + DEADLINE
        while request(base, "GET", "/ready")[0] != 200:
            assert time.monotonic() < deadline, "the stack never got ready"
            time.sleep(0.2)

        keys = [f"frozen-{uuid.uuid4().hex[:12]}" for _ in range(CLIENTS)]
        os.kill(server.pid, signal.SIGSTOP)
        try:
            with ThreadPoolExecutor(CLIENTS) as pool:
                first = list(pool.map(lambda k: request(base, "POST", "/emails", job(k), k), keys))
        finally:
            os.kill(server.pid, signal.SIGCONT)
        assert {status for status, _ in first} <= {202, 503}, first

        # Retried with the same key until accepted, as the docs advise after a 503.
        for key in keys[:RETRIED]:
            while (answer := request(base, "POST", "/emails", job(key), key))[0] != 202:
                assert answer[0] == 503, answer
                assert time.monotonic() < deadline, f"{key} never accepted: {answer}"
                time.sleep(0.5)
        states = {}
        for key in keys:
            while True:
                status, body = request(base, "GET", f"/emails/email-{key}")
                if status == 200 and body["state"] not in ("queued", "running"):
                    states[key] = body["state"]
                    break
                assert time.monotonic() < deadline, f"{key} still {body}"
                time.sleep(0.25)

    sent = {
        key: sum(f"Frozen {key}" in mail.read_text() for mail in outbox.glob("*.eml"))
        for key in keys
    }
    for key in keys[:RETRIED]:
        assert (states[key], sent[key]) == ("succeeded", 1), (key, states[key], sent[key])
    for key in keys[RETRIED:]:  # left alone: sent once, or never accepted at all
        assert (states[key], sent[key]) in (("succeeded", 1), ("unknown", 0)), key
