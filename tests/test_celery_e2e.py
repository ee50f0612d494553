"""End to end: a generated Celery project's worker and beat, started with the documented commands
against the machine's Redis (and RabbitMQ), survive what production does to them.

Each test isolates itself on the shared brokers: a unique CELERY_NAMESPACE (on Redis a prefix of
every broker key, on RabbitMQ of the queue names), removed afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.helpers import python_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REDIS_URL = "redis://127.0.0.1:6379"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
WORKER = ["-m", "celery", "-A", "internal.celery_app", "worker", "-l", "INFO"]
BEAT = ["-m", "celery", "-A", "internal.celery_app", "beat", "-l", "INFO"]
# Redis hands an unacknowledged task to another worker after this many seconds; production keeps
# an hour, the redelivery test cannot wait that long. The time limits must stay below it.
VISIBILITY_TIMEOUT = 6
# A newsletter of this many e-mails, this far apart, runs ~2 s: long enough to interrupt.
NEWSLETTER = (6, 0.4)


def reachable(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
        return True
    return False


@pytest.fixture(scope="module")
def redis_project(generate: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not reachable(6379):
        pytest.skip("no Redis on 127.0.0.1:6379 (the e2e tests use the machine's Redis)")
    project = tmp_path_factory.mktemp("celery-redis") / "project"
    return generate(project, task_runner="celery", celery_broker="redis", celery_beat=True)


class Project:
    """A generated project's backend with one isolated environment, and the processes it runs."""

    def __init__(self, backend: Path, tmp: Path, broker_url: str) -> None:
        self.backend = backend
        self.tmp = tmp
        self.namespace = f"e2e-{uuid.uuid4().hex[:12]}-"
        self.outbox = tmp / "outbox"
        self.env = {
            **os.environ,
            **python_env(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": f"{REDIS_URL}/1",
            "CELERY_NAMESPACE": self.namespace,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "CELERY_TASK_SOFT_TIME_LIMIT": "4",
            "CELERY_TASK_TIME_LIMIT": "5",
            "CELERY_OUTBOX_REPORT_INTERVAL": "1",
            "CELERY_BEAT_SCHEDULE_FILE": str(tmp / "celerybeat-schedule"),
            "OUTBOX_DIR": str(self.outbox),
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, arguments: list[str], name: str) -> tuple[subprocess.Popen[bytes], Path]:
        """Start `python <arguments>` from backend/, in its own process group, logging to a file."""
        log = self.tmp / f"{name}.log"
        with log.open("wb") as handle:
            process = subprocess.Popen(
                [sys.executable, *arguments],
                cwd=self.backend,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process, log

    def start_worker(self, name: str = "worker") -> tuple[subprocess.Popen[bytes], Path]:
        process, log = self.start(WORKER, name)
        wait_for(lambda: " ready." in log.read_text(), 60, f"{name} ready", log, process)
        return process, log

    def python(self, code: str, *args: str, timeout: float = 60) -> str:
        """Run a snippet in the project (as a user's script would) and return what it printed."""
        result = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=self.backend,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip()

    def send(self, task: str, *args: Any) -> str:
        """`task.delay(*args)`; returns the task id."""
        code = (
            "import json, sys\nfrom internal import celery_tasks\n"
            "print(getattr(celery_tasks, sys.argv[1]).delay(*json.loads(sys.argv[2])).id)"
        )
        return self.python(code, task, json.dumps(args))

    def result(self, task_id: str) -> dict[str, Any]:
        stored = redis.Redis.from_url(f"{REDIS_URL}/1").get(f"celery-task-meta-{task_id}")
        return json.loads(stored) if stored else {"status": "PENDING"}

    def emails(self, containing: str = "") -> list[Path]:
        if not self.outbox.exists():
            return []
        return [path for path in self.outbox.glob("*.eml") if containing in path.name]

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def clean_broker(self) -> None:
        """Remove what this test left on the shared broker."""
        if self.env["CELERY_BROKER_URL"].startswith("redis"):
            client = redis.Redis.from_url(self.env["CELERY_BROKER_URL"])
            keys = list(client.scan_iter(match=f"{self.namespace}*", count=500))
            if keys:
                client.delete(*keys)
            return
        from kombu import Connection, Exchange, Queue

        with Connection(self.env["CELERY_BROKER_URL"]) as connection:
            channel = connection.default_channel
            for name in ("default", "emails"):
                Queue(f"{self.namespace}{name}", channel=channel).delete()
            Exchange(f"{self.namespace}default", channel=channel).delete()


def wait_for(
    condition: Any,
    timeout: float,
    what: str,
    log: Path | None = None,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"exited {process.returncode} before {what}:\n{log and log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(
                f"no {what} after {timeout:.0f} s" + (f":\n{log.read_text()}" if log else "")
            )
        time.sleep(0.1)


@pytest.fixture
def redis_run(redis_project: Path, tmp_path: Path) -> Iterator[Project]:
    project = Project(redis_project / "backend", tmp_path, f"{REDIS_URL}/0")
    try:
        yield project
    finally:
        project.stop_all()
        project.clean_broker()


def test_documented_worker_and_beat_run_tasks_and_the_schedule(redis_run: Project) -> None:
    worker, worker_log = redis_run.start_worker()
    beat, beat_log = redis_run.start(BEAT, "beat")

    # The seed's contract, as a user's script runs it.
    printed = redis_run.python(
        "from internal.celery_tasks import send_email\n"
        "print(send_email.delay('ada@example.com', 'Welcome', 'Hello Ada').get(timeout=30))"
    )
    assert printed == "True"
    (welcome,) = [path for path in redis_run.emails() if "Subject: Welcome" in path.read_text()]

    # Beat enqueues the report every second, the worker runs it and e-mails the operator.
    wait_for(
        lambda: any("Subject: Outbox report" in p.read_text() for p in redis_run.emails()),
        30,
        "scheduled outbox report",
        worker_log,
        worker,
    )
    assert "Scheduler: Sending due task outbox-report" in beat_log.read_text()

    redis_run.stop_all()
    assert (worker.returncode, beat.returncode) == (0, 0)
    log = worker_log.read_text()
    assert log.count("Task internal.celery_tasks.send_email[") == 2, "received once, ran once"
    assert "internal.celery_tasks.report_outbox[" in log
    assert welcome.exists()


def test_a_task_of_a_killed_worker_is_redelivered_and_its_emails_sent_once(
    redis_run: Project,
) -> None:
    first, first_log = redis_run.start_worker("worker-1")
    count, pause = NEWSLETTER
    recipients = [f"reader{n}@example.com" for n in range(count)]
    sent_at = time.monotonic()
    task_id = redis_run.send("send_newsletter", recipients, "News", "Issue 1", pause)
    wait_for(lambda: redis_run.emails(task_id), 30, "first newsletter e-mail", first_log, first)

    # The whole worker (main process and pool children) dies at once, as on a machine crash.
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    sent_before_kill = len(redis_run.emails(task_id))
    assert 0 < sent_before_kill < count, "the task was interrupted mid-way"
    assert redis_run.result(task_id)["status"] != "SUCCESS"

    # A new worker restores messages left unacknowledged longer than the visibility timeout.
    time.sleep(max(0.0, sent_at + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    second, second_log = redis_run.start_worker("worker-2")
    wait_for(
        lambda: redis_run.result(task_id)["status"] == "SUCCESS",
        40,
        "redelivered newsletter success",
        second_log,
        second,
    )
    assert redis_run.result(task_id)["result"] == count
    assert len(redis_run.emails(task_id)) == count, "one e-mail per recipient, no duplicate"
    log = second_log.read_text()
    assert f"send_newsletter[{task_id}] received" in log
    assert log.count("was sent already; skipping it") >= sent_before_kill


def test_sigterm_lets_the_running_task_finish_then_exits_cleanly(redis_run: Project) -> None:
    worker, log = redis_run.start_worker()
    count, pause = NEWSLETTER
    recipients = [f"reader{n}@example.com" for n in range(count)]
    task_id = redis_run.send("send_newsletter", recipients, "News", "Issue 2", pause)
    wait_for(lambda: redis_run.emails(task_id), 30, "first newsletter e-mail", log, worker)

    worker.send_signal(signal.SIGTERM)  # what `docker stop` sends
    assert worker.wait(30) == 0, log.read_text()
    assert "Warm shutdown" in log.read_text()
    result = redis_run.result(task_id)
    assert (result["status"], result["result"]) == ("SUCCESS", count)
    assert len(redis_run.emails(task_id)) == count


def test_rabbitmq_broker_round_trip(
    generate: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if not (reachable(5672) and reachable(6379)):
        pytest.skip("needs RabbitMQ on 127.0.0.1:5672 and Redis on 127.0.0.1:6379")
    project_dir = generate(
        tmp_path_factory.mktemp("celery-rabbitmq") / "project",
        task_runner="celery",
        celery_broker="rabbitmq",
        celery_beat=False,
    )
    run = Project(project_dir / "backend", tmp_path, AMQP_URL)
    try:
        worker, log = run.start_worker()
        assert "transport:   amqp://guest:**@127.0.0.1:5672//" in log.read_text()
        printed = run.python(
            "from internal.celery_tasks import send_email\n"
            "print(send_email.delay('ada@example.com', 'Welcome', 'Hello Ada').get(timeout=30))"
        )
        assert printed == "True"
        assert len(run.emails()) == 1
        run.stop_all()
        assert worker.returncode == 0
        assert f"{run.namespace}emails" in log.read_text()
    finally:
        run.stop_all()
        run.clean_broker()
