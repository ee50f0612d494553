"""End to end: a generated Celery project's worker and beat, started with the documented commands
against a real broker, survive what production does to them.

Redis is an embedded Valkey these tests start (and restart) themselves; RabbitMQ cannot be
embedded, so its test runs where one answers on 127.0.0.1:5672 and is skipped elsewhere. Each
test isolates itself: a unique CELERY_NAMESPACE (on Redis a prefix of every broker key, on
RabbitMQ of the queue names), removed afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.helpers import Valkey, python_env, valkey_server
from tests.processes import reachable

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
WORKER = ["-m", "celery", "-A", "internal.celery_app", "worker", "-l", "INFO"]
BEAT = ["-m", "celery", "-A", "internal.celery_app", "beat", "-l", "INFO"]
# Redis hands an unacknowledged task to another worker after this many seconds; production keeps
# an hour, the redelivery test cannot wait that long. The time limits must stay below it.
VISIBILITY_TIMEOUT = 6
# A newsletter of this many e-mails, this far apart, runs ~2 s: long enough to interrupt.
NEWSLETTER = (6, 0.4)


@pytest.fixture(scope="module")
def valkey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Valkey]:
    with valkey_server(tmp_path_factory.mktemp("valkey"), durable=True) as server:
        yield server


@pytest.fixture(scope="module")
def redis_project(generate: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("celery-redis") / "project"
    return generate(project, task_runner="celery", celery_broker="redis", celery_beat=True)


class Project:
    """A generated project's backend with one isolated environment, and the processes it runs."""

    def __init__(self, backend: Path, tmp: Path, broker_url: str, results_url: str) -> None:
        self.backend = backend
        self.tmp = tmp
        self.namespace = f"e2e-{uuid.uuid4().hex[:12]}-"
        self.outbox = tmp / "outbox"
        self.env = {
            **os.environ,
            **python_env(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": results_url,
            "CELERY_NAMESPACE": self.namespace,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "CELERY_TASK_SOFT_TIME_LIMIT": "4",
            "CELERY_TASK_TIME_LIMIT": "5",
            "CELERY_BULK_SOFT_TIME_LIMIT": "4",
            "CELERY_BULK_TIME_LIMIT": "5",
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
        results = redis.Redis.from_url(self.env["CELERY_RESULT_BACKEND"])
        stored = results.get(f"celery-task-meta-{task_id}")
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
            for name in ("default", "emails", "bulk"):
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
def redis_run(redis_project: Path, valkey: Valkey, tmp_path: Path) -> Iterator[Project]:
    project = Project(redis_project / "backend", tmp_path, f"{valkey.url}/0", f"{valkey.url}/1")
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


def newsletter_whose_worker_dies(run: Project, subject: str) -> tuple[str, float]:
    """A newsletter under way on a worker that then dies whole (main process and pool children
    at once, as on a machine crash): its task id, and when it was sent (monotonic)."""
    first, first_log = run.start_worker("worker-1")
    count, pause = NEWSLETTER
    recipients = [f"{subject.lower()}{n}@example.com" for n in range(count)]
    sent_at = time.monotonic()
    task_id = run.send("send_newsletter", recipients, subject, "Issue 1", pause)
    wait_for(lambda: run.emails(task_id), 30, "first newsletter e-mail", first_log, first)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    return task_id, sent_at


def test_a_task_of_a_killed_worker_is_redelivered_and_its_emails_sent_once(
    redis_run: Project,
) -> None:
    count, _ = NEWSLETTER
    task_id, sent_at = newsletter_whose_worker_dies(redis_run, "News")
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


# How often a worker looks for messages left unacknowledged past the visibility timeout (kombu's
# `unacked_restore_interval`), and a margin for a loaded machine.
RESTORE_SWEEP_SECONDS, MARGIN_SECONDS = 10, 15


def test_a_worker_restarted_at_once_runs_the_dead_workers_task_soon_after_the_timeout(
    redis_run: Project,
) -> None:
    """A worker restarted right after a crash (compose's `restart:`, Kubernetes) finds the dead
    worker's task still within its visibility timeout; it must take it once the timeout has run
    out, at its next sweep, not ten sweeps later (kombu scans only every tenth by default)."""
    count, _ = NEWSLETTER
    task_id, _ = newsletter_whose_worker_dies(redis_run, "Fast")
    killed_at = time.monotonic()

    second, second_log = redis_run.start_worker("worker-2")
    deadline = VISIBILITY_TIMEOUT + RESTORE_SWEEP_SECONDS + MARGIN_SECONDS
    wait_for(
        lambda: redis_run.result(task_id)["status"] == "SUCCESS",
        deadline - (time.monotonic() - killed_at),
        f"the newsletter done within {deadline} s of the crash",
        second_log,
        second,
    )
    assert len(redis_run.emails(task_id)) == count, "one e-mail per recipient, no duplicate"


def test_a_job_whose_message_redis_lost_is_published_again(redis_run: Project) -> None:
    """A worker killed between Redis handing it a message and recording it as unacknowledged
    loses the message (seen in the compose scale-out). The job is still in flight after the
    visibility timeout, so the worker's repair step publishes it again: it ends succeeded, its
    e-mail written once."""
    job_id = redis_run.python(
        "import asyncio\n"
        "from internal.adapters.jobs.celery import CeleryDispatcher\n"
        "from internal.dto.emails import EmailJob\n"
        "job = EmailJob(to='ada@example.com', subject='Lost once', body='Hello Ada')\n"
        "print(asyncio.run(CeleryDispatcher().send_email(job, idempotency_key='lost-1')).job_id)"
    )
    broker = redis.Redis.from_url(redis_run.env["CELERY_BROKER_URL"])
    assert broker.delete(f"{redis_run.namespace}emails") == 1, "the message, taken and lost"

    worker, log = redis_run.start_worker()
    wait_for(
        lambda: redis_run.result(job_id)["status"] == "SUCCESS",
        VISIBILITY_TIMEOUT + 60,
        "the lost job to succeed",
        log,
        worker,
    )
    assert len(redis_run.emails("lost-1")) == 1
    assert f"job {job_id} was queued, then lost by Redis: queueing it again" in log.read_text()


def test_make_dev_queues_taken_and_lost_jobs_again_as_soon_as_redis_is_back(
    redis_run: Project,
) -> None:
    """What `make dev` runs when its Valkey came back: the job a dead worker had taken (with
    kombu's restore lock left behind, as a Redis killed mid-restore leaves it) and the job whose
    message Redis lost are both in their queue again at once, not after the visibility timeout."""
    send = (
        "import asyncio, sys\n"
        "from internal.adapters.jobs.celery import CeleryDispatcher\n"
        "from internal.dto.emails import EmailJob\n"
        "job = EmailJob(to='ada@example.com', subject=sys.argv[1], body='Hello Ada')\n"
        "print(asyncio.run(CeleryDispatcher().send_email(job, idempotency_key=sys.argv[1])).job_id)"
    )
    redis_run.python(send, "resume-taken")
    # Taken as a worker takes it (into the unacknowledged hash); the process then dies unacked.
    redis_run.python(
        "import os\n"
        "from internal.celery_app import app\n"
        "connection = app.connection_for_read()\n"
        "assert connection.default_channel.basic_get(queue='emails', no_ack=False)\n"
        "os._exit(0)"
    )
    redis_run.python(send, "resume-lost")
    broker = redis.Redis.from_url(redis_run.env["CELERY_BROKER_URL"])
    queue, unacked = f"{redis_run.namespace}emails", f"{redis_run.namespace}unacked"
    assert (broker.llen(queue), broker.hlen(unacked)) == (1, 1)
    assert broker.delete(queue) == 1, "the second job's message, lost"
    broker.set(f"{redis_run.namespace}unacked_mutex", "a killed worker's", ex=300)

    redis_run.python(
        "from internal.celery_app import app\n"
        "from internal.celery_reliability import deliver_unacknowledged_now\n"
        "deliver_unacknowledged_now(app)"
    )
    assert (broker.llen(queue), broker.hlen(unacked)) == (2, 0)
    worker, log = redis_run.start_worker()
    for key in ("resume-taken", "resume-lost"):
        wait_for(lambda key=key: redis_run.emails(key), 60, f"the {key} job's e-mail", log, worker)


def test_a_job_waiting_in_its_queue_is_not_taken_for_lost(redis_run: Project) -> None:
    """A backlog older than the visibility timeout is not lost: publishing it again would only
    grow the backlog. Only a job whose message is in no queue and with no worker is."""
    lost = (
        "from internal.celery_app import app\n"
        "from internal.celery_reliability import lost\n"
        "print(lost(app, older_than=0))"
    )
    job_id = redis_run.python(
        "import asyncio\n"
        "from internal.adapters.jobs.celery import CeleryDispatcher\n"
        "from internal.dto.emails import EmailJob\n"
        "job = EmailJob(to='ada@example.com', subject='Waiting', body='Hello Ada')\n"
        "print(asyncio.run(CeleryDispatcher().send_email(job, idempotency_key='waiting')).job_id)"
    )
    assert redis_run.python(lost) == "[]"
    broker = redis.Redis.from_url(redis_run.env["CELERY_BROKER_URL"])
    assert broker.delete(f"{redis_run.namespace}emails") == 1
    assert redis_run.python(lost) == repr([job_id])


def test_a_taken_metrics_port_leaves_the_worker_running_and_says_so(redis_run: Project) -> None:
    """Two workers on one host with one .env: the second cannot serve its metrics, says which
    setting to change in one line, and runs its tasks all the same."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        redis_run.env["CELERY_METRICS_PORT"] = str(taken.getsockname()[1])
        worker, log = redis_run.start_worker()
        task_id = redis_run.send("send_email", "ada@example.com", "Port", "Hello")
        wait_for(
            lambda: redis_run.result(task_id)["status"] == "SUCCESS", 60, "the task", log, worker
        )
    text = log.read_text()
    assert "no metrics: cannot listen on 127.0.0.1:" in text, text[-2000:]
    assert "METRICS_HOST:CELERY_METRICS_PORT" in text
    assert "Traceback" not in text, text[-2000:]


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


# Restarts of the broker in the restart test, and newsletters long enough to be running during
# the first ones.
RESTARTS = 50
LONG_NEWSLETTER = (30, 0.5)
# What Redis needs to hand out the tasks whose worker lost its connection: the visibility
# timeout (above the newsletter's time limit), then kombu's next restore sweep.
RESTORE_SECONDS = 45 + 30


def long_newsletter_run(
    redis_project: Path, broker: Valkey, tmp_path: Path, visibility_timeout: int
) -> Project:
    """The project on a broker of the test's own, with bulk time limits long enough for the
    newsletters these tests interrupt (longer than the other tests allow)."""
    run = Project(redis_project / "backend", tmp_path, f"{broker.url}/0", f"{broker.url}/1")
    limits = {"CELERY_BULK_SOFT_TIME_LIMIT": 30, "CELERY_BULK_TIME_LIMIT": 40}
    run.env.update({key: str(value) for key, value in limits.items()})
    run.env["CELERY_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
    return run


def test_tasks_taken_before_the_broker_went_away_run_once_it_is_back(
    redis_project: Path, tmp_path: Path
) -> None:
    """A worker busy with a newsletter has taken e-mails it has not started; the broker goes
    away for a few seconds. Once the worker reconnects they run, not after the visibility
    timeout (600 s here; Celery drops them on a lost connection, and kombu could not put them
    back while Redis was away)."""
    with valkey_server(tmp_path / "broker", durable=True) as broker:
        run = long_newsletter_run(redis_project, broker, tmp_path, visibility_timeout=600)
        try:
            worker, log = run.start([*WORKER, "--concurrency", "1"], "worker")
            wait_for(lambda: " ready." in log.read_text(), 60, "worker ready", log, worker)
            recipients = [f"reader{n}@example.com" for n in range(20)]
            newsletter = run.send("send_newsletter", recipients, "News", "Issue 9", 0.5)
            wait_for(lambda: run.emails(newsletter), 30, "the newsletter under way", log, worker)
            singles = [run.send("send_email", "ada@example.com", f"Held {n}", "") for n in range(3)]
            client = redis.Redis.from_url(run.env["CELERY_BROKER_URL"])
            wait_for(
                lambda: client.hlen(f"{run.namespace}unacked") >= 4,
                30,
                "the e-mails taken by the busy worker",
                log,
                worker,
            )
            client.close()
            broker.stop()
            time.sleep(3)  # the outage itself: the worker loses its connection meanwhile
            broker.start()
            for task_id in singles:
                wait_for(
                    lambda task_id=task_id: run.result(task_id)["status"] == "SUCCESS",
                    90,
                    f"task {task_id} done",
                    log,
                    worker,
                )
            assert "taken before it broke queued again" in log.read_text()
        finally:
            run.stop_all()


def test_broker_restarts_never_stop_the_worker_or_lose_a_task(
    redis_project: Path, tmp_path: Path
) -> None:
    """Fifty restarts of a durable broker (append-only file, as compose's volume keeps it) while
    tasks run: the worker reconnects by itself every time and every e-mail goes out once."""
    with valkey_server(tmp_path / "broker", durable=True) as broker:
        run = long_newsletter_run(redis_project, broker, tmp_path, visibility_timeout=45)
        try:
            worker, log = run.start_worker()
            count, pause = LONG_NEWSLETTER
            recipients = [f"reader{n}@example.com" for n in range(count)]
            newsletters = [
                run.send("send_newsletter", recipients, "News", f"Issue {n}", pause)
                for n in range(2)
            ]
            singles = [run.send("send_email", "ada@example.com", f"Hi {n}", "") for n in range(5)]
            wait_for(lambda: run.emails(newsletters[0]), 30, "the first newsletter e-mail")
            for restart in range(RESTARTS):
                broker.restart()
                time.sleep(0.5)
                assert worker.poll() is None, f"exited at restart {restart}:\n{log.read_text()}"
            for task_id in [*newsletters, *singles]:
                wait_for(
                    lambda task_id=task_id: run.result(task_id)["status"] == "SUCCESS",
                    RESTORE_SECONDS + 60,
                    f"task {task_id} done",
                    log,
                    worker,
                )
            assert worker.poll() is None
            assert "Unrecoverable error" not in log.read_text()
            for task_id in newsletters:
                assert len(run.emails(task_id)) == count, "one e-mail per recipient"
            assert len(run.emails()) == 2 * count + len(singles)
        finally:
            run.stop_all()
            run.clean_broker()


POISON_MODULE = """\
import os

from internal.adapters.mail.file_outbox import FileOutbox

_deliver = FileOutbox.deliver


def deliver(self, email, *, idempotency_key):
    if email.subject == "Poison":
        os._exit(1)  # what an out-of-memory kill looks like to the worker
    return _deliver(self, email, idempotency_key=idempotency_key)


FileOutbox.deliver = deliver
"""


def test_a_task_that_kills_its_worker_fails_after_max_deliveries(
    redis_run: Project, tmp_path: Path
) -> None:
    (tmp_path / "poison.py").write_text(POISON_MODULE)
    redis_run.env["PYTHONPATH"] = str(tmp_path)
    redis_run.env["CELERY_MAX_DELIVERIES"] = "3"
    worker, log = redis_run.start([*WORKER, "--include", "poison", "--concurrency", "1"], "worker")
    wait_for(lambda: " ready." in log.read_text(), 60, "worker ready", log, worker)
    job = redis_run.python(
        "import asyncio\n"
        "from internal.adapters.jobs import get_dispatcher\n"
        "from internal.dto.emails import EmailJob\n"
        "job = EmailJob(to='ada@example.com', subject='Poison')\n"
        "print(asyncio.run(get_dispatcher().send_email(job, idempotency_key='poison-1')).job_id)"
    )
    wait_for(lambda: redis_run.result(job)["status"] == "FAILURE", 120, "failure", log, worker)
    status = redis_run.python(
        "import asyncio, sys\n"
        "from internal.adapters.jobs import get_dispatcher\n"
        "print(asyncio.run(get_dispatcher().status(sys.argv[1])).model_dump_json())",
        job,
    )
    assert json.loads(status)["state"] == "failed"
    assert "PoisonTask" in json.loads(status)["error"]
    # Three runs died; the fourth delivery was refused; the worker lives on.
    death = "Task handler raised error: WorkerLostError("
    assert log.read_text().count(death) == 3
    assert worker.poll() is None
    # It is done with: no further delivery comes.
    time.sleep(3)
    assert log.read_text().count(death) == 3


@pytest.fixture(scope="module")
def rabbitmq_project(generate: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("celery-rabbitmq") / "project"
    return generate(project, task_runner="celery", celery_broker="rabbitmq", celery_beat=False)


def test_rabbitmq_broker_round_trip(rabbitmq_project: Path, valkey: Valkey, tmp_path: Path) -> None:
    if not reachable(5672):
        pytest.skip("needs RabbitMQ on 127.0.0.1:5672 (it cannot be embedded)")
    run = Project(rabbitmq_project / "backend", tmp_path, AMQP_URL, f"{valkey.url}/1")
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


def certificates(directory: Path, *names: str) -> Path:
    """A test CA (returned) and, per host name, a server certificate and key it signed."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make test certificates")

    def openssl(*arguments: str) -> None:
        subprocess.run(["openssl", *arguments], cwd=directory, check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=Test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    )
    for name in names:
        kind = "IP" if name[0].isdigit() else "DNS"
        (directory / f"{name}.ext").write_text(f"subjectAltName={kind}:{name}\n")
        openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            f"/CN={name}",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
        )
        openssl(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            f"{name}.ext",
            "-out",
            f"{name}.pem",
        )
    return directory / "ca.pem"


@contextlib.contextmanager
def tls_server(directory: Path, name: str) -> Iterator[int]:
    """A TLS server on 127.0.0.1 with `name`'s certificate; it hangs up after the handshake."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(directory / f"{name}.pem", directory / f"{name}.key")
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = listener.accept()
                with contextlib.suppress(OSError, ssl.SSLError):
                    context.wrap_socket(connection, server_side=True).close()
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_amqps_checks_that_the_certificate_names_the_broker(
    rabbitmq_project: Path, tmp_path: Path
) -> None:
    """A certificate from a trusted CA is not enough: it must name the host of the URL."""
    ca = certificates(tmp_path, "127.0.0.1", "elsewhere.example")
    connect = (
        "import sys\n"
        "from kombu import Connection\n"
        "from internal.celery_app import celery_config\n"
        "from pkg.config.jobs import JobSettings\n"
        "settings = JobSettings(celery_broker_url=sys.argv[1], celery_ssl_ca_certs=sys.argv[2])\n"
        "config = celery_config(settings)\n"
        "ssl = config['broker_use_ssl']\n"
        "connection = Connection(config['broker_url'], ssl=ssl, connect_timeout=5)\n"
        "try:\n"
        "    connection.connect()\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    run = Project(rabbitmq_project / "backend", tmp_path, AMQP_URL, "redis://127.0.0.1:1/1")
    outcomes = {}
    for name in ("127.0.0.1", "elsewhere.example"):
        with tls_server(tmp_path, name) as port:
            url = f"amqps://guest:guest@127.0.0.1:{port}//"
            outcomes[name] = run.python(connect, url, str(ca))
    assert "SSLCertVerificationError" in outcomes["elsewhere.example"], outcomes
    assert "mismatch" in outcomes["elsewhere.example"], outcomes
    # The right name passes the TLS handshake (then this server hangs up).
    assert "SSLCertVerificationError" not in outcomes["127.0.0.1"], outcomes
