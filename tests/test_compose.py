"""The documented Docker path, run for real: each generated compose stack on a real Docker engine.

For each stack (Temporal, Celery on Redis, Celery on RabbitMQ with beat and Flower, no runner):
`make env` then `docker compose up --build --wait`, as the generated README says; every service
healthy; the seed's own clients inside the stack (the `temporal` CLI, `celery call` and
`celery result`); `POST /emails` through the published port; and the faults production brings:
a worker SIGKILLed mid-newsletter, a broker or Temporal server restarted with work in flight,
`docker compose stop` with tasks running. Nothing may be lost, nothing sent twice.

The engine, compose and the images come from tests/docker_engine.py: where no registry answers,
the images are stand-ins built from the same software (Debian and PyPI packages), and the test
report names them. These tests run in one xdist worker, one stack at a time.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import docker_engine
from tests.helpers import NOTES, free_port, python_env, read_env, run

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.xdist_group("docker")]

STACKS: dict[str, dict[str, Any]] = {
    "temporal": {"task_runner": "temporal"},
    "celery-redis": {"task_runner": "celery", "celery_broker": "redis", "celery_beat": True},
    "celery-rabbitmq": {
        "task_runner": "celery",
        "celery_broker": "rabbitmq",
        "celery_beat": True,
        "celery_flower": True,
    },
    "none": {"task_runner": "none"},
}
# Host ports the compose files publish, each set in .env to a free port (the machine's own Redis
# and RabbitMQ hold the defaults).
PUBLISHED = (
    "API_PORT",
    "REDIS_PORT",
    "RABBITMQ_PORT",
    "RABBITMQ_MANAGEMENT_PORT",
    "FLOWER_PORT",
    "TEMPORAL_PORT",
    "TEMPORAL_UI_PORT",
)
# Production waits an hour before Redis hands a dead worker's task to another; the tests cannot.
# The time limits must stay below it (settings refuse anything else).
FAST_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": "12",
    "CELERY_TASK_SOFT_TIME_LIMIT": "8",
    "CELERY_TASK_TIME_LIMIT": "10",
    "CELERY_BULK_SOFT_TIME_LIMIT": "8",
    "CELERY_BULK_TIME_LIMIT": "10",
}
WAIT = 240  # seconds for a stack to come up healthy (images are built on the first run)


@pytest.fixture(scope="session")
def engine(request: pytest.FixtureRequest) -> Iterator[docker_engine.Engine]:
    try:
        engine = docker_engine.start_engine()
    except docker_engine.DockerUnavailable as error:
        pytest.skip(f"no Docker engine: {error}")
    request.config.stash.setdefault(NOTES, []).extend(engine.notes)
    start = time.monotonic()
    try:
        yield engine
    finally:
        request.config.stash[NOTES].append(
            f"compose tests took {time.monotonic() - start:.0f} s in all"
        )
        engine.stop()


@pytest.fixture(scope="session")
def images(
    engine: docker_engine.Engine, request: pytest.FixtureRequest
) -> Iterator[docker_engine.Images]:
    images = docker_engine.Images(engine)
    yield images
    request.config.stash.setdefault(NOTES, []).append(f"images: {images.report()}")


class Stack:
    """A generated project run with `docker compose`, as its README says."""

    def __init__(self, project: Path, engine: docker_engine.Engine, missing: set[str]) -> None:
        self.project = project
        self.engine = engine
        self.env = read_env(project / ".env")
        self.api = f"http://127.0.0.1:{self.env['API_PORT']}"
        config = json.loads(self.compose("config", "--format", "json").stdout)
        self.config = config
        # Services whose image no registry or stand-in provides here (temporalio/ui).
        self.skipped = sorted(
            name for name, service in config["services"].items() if service.get("image") in missing
        )
        self.services = sorted(set(config["services"]) - set(self.skipped))

    def compose(self, *args: str, timeout: float = 600, check: bool = True) -> Any:
        return docker_engine.run(
            ["docker", "compose", *args],
            env=self.engine.env,
            cwd=self.project,
            timeout=timeout,
            check=check,
        )

    def up(self, *services: str) -> None:
        self.compose(
            "up", "--build", "--detach", "--wait", "--wait-timeout", str(WAIT),
            *(services or self.services), timeout=WAIT + 600,
        )  # fmt: skip

    def exec(self, service: str, *command: str, timeout: float = 120) -> str:
        return str(self.compose("exec", "-T", service, *command, timeout=timeout).stdout)

    def state(self) -> dict[str, dict[str, Any]]:
        """Each container's service, state, health and exit code."""
        lines = self.compose("ps", "--all", "--format", "json").stdout.splitlines()
        return {entry["Service"]: entry for entry in map(json.loads, filter(None, lines))}

    def outbox(self) -> list[str]:
        """The e-mails in the outbox volume (read through the API's container)."""
        listing = self.exec("api", "python", "-c", LIST_OUTBOX)
        return json.loads(listing)

    def http(self, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if key:
            request.add_header("Idempotency-Key", key)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def wait_for_job(self, job_id: str, timeout: float = 120) -> dict[str, Any]:
        return wait_until(
            lambda: (
                (status := self.http("GET", f"/emails/{job_id}"))["state"]
                in ("succeeded", "failed")
                and status
            ),
            timeout,
            f"job {job_id} to finish",
        )

    def wait_healthy(self, service: str, timeout: float = WAIT) -> None:
        wait_until(
            lambda: self.state()[service].get("Health") in ("healthy", ""),
            timeout,
            f"{service} to be healthy",
        )

    def down(self) -> None:
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "5", check=False)


# Printed as JSON by the API container: the outbox's file names and each one's To and Subject.
LIST_OUTBOX = """
import json, pathlib
from email import message_from_bytes
box = pathlib.Path("/data/outbox")
mails = []
for path in sorted(box.glob("*.eml")):
    message = message_from_bytes(path.read_bytes())
    mails.append(f"{message['To']}|{message['Subject']}|{path.name}")
print(json.dumps(mails))
"""


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (OSError, urllib.error.URLError, json.JSONDecodeError, AssertionError) as error:
            last = error
        else:
            if last:
                return last
        time.sleep(0.5)
    raise AssertionError(f"waited {timeout:.0f} s for {what}; last: {last!r}")


@pytest.fixture(scope="module")
def stack_factory(
    engine: docker_engine.Engine,
    images: docker_engine.Images,
    generate: Any,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., Stack]]:
    """`stack_factory(name, **extra_env)`: a generated project, .env written, images ready."""
    made: list[Stack] = []

    def _stack(name: str, **extra_env: str) -> Stack:
        # A name of its own: compose projects are told apart by name, and stacks stay up side by
        # side while a module's tests run.
        answers = {"project_name": f"Compose {name}", **STACKS[name]}
        project = generate(tmp_path_factory.mktemp(name) / "project", **answers)
        # `make env`, as the README says: .env from .env.example with generated passwords.
        run(["make", "--no-print-directory", "env"], project, python_env())
        with (project / ".env").open("a") as env:
            env.write("\n# Test: free host ports, faster redelivery\n")
            for key in PUBLISHED:
                env.write(f"{key}={free_port()}\n")
            for key, value in extra_env.items():
                env.write(f"{key}={value}\n")
        wanted = set(docker_engine.dockerfile_bases(project / "backend" / "Dockerfile"))
        config = json.loads(
            docker_engine.run(
                ["docker", "compose", "config", "--format", "json"],
                env=engine.env,
                cwd=project,
            ).stdout
        )
        wanted |= {
            service["image"]
            for service in config["services"].values()
            if "build" not in service and "image" in service
        }
        missing = {image for image in sorted(wanted) if not images.ensure(image)}
        stack = Stack(project, engine, missing)
        if stack.skipped:
            request.config.stash.setdefault(NOTES, []).append(
                f"{name}: left out {', '.join(stack.skipped)} (no image: {', '.join(missing)})"
            )
        made.append(stack)
        return stack

    yield _stack
    for stack in made:
        stack.down()


def assert_all_healthy(stack: Stack) -> None:
    state = stack.state()
    assert set(state) == set(stack.services)
    for name, entry in state.items():
        assert entry["State"] == "running", f"{name}: {entry['State']}"
        has_check = "healthcheck" in stack.config["services"][name]
        assert entry["Health"] == ("healthy" if has_check else ""), f"{name}: {entry['Health']}"


def assert_api_sends_once(stack: Stack, runner: str) -> None:
    """`POST /emails` ends succeeded with its .eml in the volume; the same key sends once."""
    key = f"welcome-{uuid.uuid4().hex[:8]}"
    job = {"to": "ada@example.com", "subject": f"Welcome {key}", "body": "Hello Ada"}
    receipt = stack.http("POST", "/emails", job, key)
    assert receipt["runner"] == runner
    status = stack.wait_for_job(receipt["job_id"])
    assert status["state"] == "succeeded", status
    again = stack.http("POST", "/emails", job, key)
    assert again["job_id"] == receipt["job_id"]
    assert stack.wait_for_job(receipt["job_id"])["state"] == "succeeded"
    mails = [mail for mail in stack.outbox() if f"Welcome {key}" in mail]
    assert len(mails) == 1, mails


def newsletter_mails(stack: Stack, subject: str) -> list[str]:
    return sorted(mail.split("|")[0] for mail in stack.outbox() if f"|{subject}|" in mail)


# ---------------------------------------------------------------- Temporal


@pytest.fixture(scope="module")
def temporal(stack_factory: Callable[..., Stack]) -> Iterator[Stack]:
    stack = stack_factory("temporal")
    stack.up()
    yield stack
    stack.down()


def temporal_cli(stack: Stack, *args: str, timeout: float = 120) -> Any:
    """The `temporal` CLI inside the temporal container, against its own server."""
    output = stack.exec(
        "temporal", "temporal", *args, "--address", "127.0.0.1:7233", "-o", "json", timeout=timeout
    )
    return json.loads(output) if output.strip() else None


def test_temporal_stack_is_healthy_and_runs_the_seed_workflow(temporal: Stack) -> None:
    assert_all_healthy(temporal)
    queue = read_env(temporal.project / ".env.example")["TEMPORAL_TASK_QUEUE"]
    result = temporal_cli(
        temporal,
        "workflow", "execute", "--type", "EmailNotificationWorkflow", "--task-queue", queue,
        "--workflow-id", f"seed-{uuid.uuid4().hex[:8]}",
        "--input", '"ada@example.com"', "--input", '"Welcome"',
    )  # fmt: skip
    assert result["result"] is True
    assert_api_sends_once(temporal, "temporal")


def test_temporal_schedule_exists_under_compose(temporal: Stack) -> None:
    """Beat's counterpart: the worker applies the Schedules when it starts."""
    listing = temporal.exec(
        "temporal", "temporal", "schedule", "list", "--address", "127.0.0.1:7233"
    )
    assert "outbox-report" in listing


def start_newsletter(stack: Stack, recipients: int, pause: float) -> tuple[str, str, list[str]]:
    subject = f"News {uuid.uuid4().hex[:8]}"
    addresses = [f"reader{n}@example.com" for n in range(recipients)]
    payload = {"recipients": addresses, "subject": subject, "body": "Issue 1"}
    payload["pause_seconds"] = pause
    queue = read_env(stack.project / ".env.example")["TEMPORAL_TASK_QUEUE"]
    workflow_id = f"newsletter-{uuid.uuid4().hex[:8]}"
    temporal_cli(
        stack,
        "workflow", "start", "--type", "NewsletterWorkflow", "--task-queue", queue,
        "--workflow-id", workflow_id, "--input", json.dumps(payload),
    )  # fmt: skip
    return workflow_id, subject, addresses


def temporal_result(stack: Stack, workflow_id: str, timeout: float = 180) -> Any:
    return wait_until(
        lambda: (
            (
                described := temporal_cli(
                    stack, "workflow", "describe", "--workflow-id", workflow_id
                )
            )["workflowExecutionInfo"]["status"]
            != "WORKFLOW_EXECUTION_STATUS_RUNNING"
            and described
        ),
        timeout,
        f"workflow {workflow_id} to close",
    )


def test_temporal_worker_killed_mid_newsletter_sends_each_email_once(temporal: Stack) -> None:
    workflow_id, subject, addresses = start_newsletter(temporal, 8, 0.7)
    wait_until(lambda: len(newsletter_mails(temporal, subject)) >= 2, 60, "the first e-mails")
    temporal.compose("kill", "-s", "SIGKILL", "temporal-worker")
    temporal.up("temporal-worker")
    described = temporal_result(temporal, workflow_id)
    assert described["workflowExecutionInfo"]["status"] == "WORKFLOW_EXECUTION_STATUS_COMPLETED"
    assert newsletter_mails(temporal, subject) == sorted(addresses)


def test_temporal_server_restart_mid_run_completes_the_workflow(temporal: Stack) -> None:
    workflow_id, subject, addresses = start_newsletter(temporal, 6, 0.7)
    wait_until(lambda: newsletter_mails(temporal, subject), 60, "the first e-mail")
    temporal.compose("restart", "temporal")
    temporal.wait_healthy("temporal")
    described = temporal_result(temporal, workflow_id)
    assert described["workflowExecutionInfo"]["status"] == "WORKFLOW_EXECUTION_STATUS_COMPLETED"
    assert newsletter_mails(temporal, subject) == sorted(addresses)


def test_temporal_compose_stop_lets_the_worker_finish(temporal: Stack) -> None:
    workflow_id, subject, addresses = start_newsletter(temporal, 4, 1.0)
    wait_until(lambda: newsletter_mails(temporal, subject), 60, "the first e-mail")
    temporal.compose("stop", "temporal-worker", timeout=120)
    state = temporal.state()["temporal-worker"]
    assert state["State"] == "exited" and state["ExitCode"] == 0, state
    assert newsletter_mails(temporal, subject) == sorted(addresses), "in-flight work finished"
    temporal.up("temporal-worker")
    described = temporal_result(temporal, workflow_id)
    assert described["workflowExecutionInfo"]["status"] == "WORKFLOW_EXECUTION_STATUS_COMPLETED"


def test_the_seed_command_starts_what_it_names(temporal: Stack) -> None:
    """`docker compose up temporal temporal-ui`, exactly as the Lich docs write it."""
    temporal.compose("stop")
    named = [name for name in ("temporal", "temporal-ui") if name not in temporal.skipped]
    process = subprocess.Popen(
        ["docker", "compose", "up", *named],
        cwd=temporal.project,
        env=temporal.engine.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(
            lambda: (
                {name for name, entry in temporal.state().items() if entry["State"] == "running"}
                == set(named)
            ),
            WAIT,
            f"{', '.join(named)} to run",
        )
        temporal.wait_healthy("temporal")
    finally:
        process.terminate()  # Ctrl-C: compose stops what it started
        process.wait(120)
    if "temporal-ui" in temporal.skipped:
        pytest.skip("temporal-ui has no image here (no registry, no stand-in); temporal ran")


# ---------------------------------------------------------------- Celery


@pytest.fixture(scope="module", params=["celery-redis", "celery-rabbitmq"])
def celery(request: pytest.FixtureRequest, stack_factory: Callable[..., Stack]) -> Iterator[Stack]:
    stack = stack_factory(request.param, **FAST_REDELIVERY)
    stack.up()
    yield stack
    stack.down()


def celery_cli(stack: Stack, *args: str) -> str:
    return stack.exec("celery-worker", "celery", "-A", "internal.celery_app", *args).strip()


def test_celery_stack_is_healthy_and_runs_the_seed_task(celery: Stack) -> None:
    assert_all_healthy(celery)
    task_id = celery_cli(
        celery,
        "call", "internal.celery_tasks.send_email", "--args", '["ada@example.com", "Hi", "Hello"]',
    )  # fmt: skip
    assert wait_until(lambda: celery_cli(celery, "result", task_id) == "True", 60, "the result")
    assert_api_sends_once(celery, "celery")
    if "flower" in celery.services:
        port = celery.env["FLOWER_PORT"]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
        assert refused.value.code == 401, "Flower asks for the password from .env"


def send_newsletter(stack: Stack, recipients: int, pause: float) -> tuple[str, list[str]]:
    subject = f"News {uuid.uuid4().hex[:8]}"
    addresses = [f"reader{n}@example.com" for n in range(recipients)]
    celery_cli(
        stack,
        "call", "internal.celery_tasks.send_newsletter",
        "--args", json.dumps([addresses, subject, "Issue 1", pause]),
    )  # fmt: skip
    return subject, addresses


def test_celery_worker_killed_mid_newsletter_sends_each_email_once(celery: Stack) -> None:
    subject, addresses = send_newsletter(celery, 8, 0.5)
    wait_until(lambda: len(newsletter_mails(celery, subject)) >= 2, 60, "the first e-mails")
    celery.compose("kill", "-s", "SIGKILL", "celery-worker")
    celery.up("celery-worker")
    wait_until(
        lambda: newsletter_mails(celery, subject) == sorted(addresses),
        120,
        "the redelivered newsletter to finish",
    )
    time.sleep(3)
    assert newsletter_mails(celery, subject) == sorted(addresses), "each e-mail once"


def test_celery_broker_restart_loses_no_queued_task(celery: Stack) -> None:
    broker = "rabbitmq" if "rabbitmq" in celery.services else "redis"
    celery.compose("stop", "celery-worker", timeout=150)
    jobs = []
    for n in range(5):
        job = {"to": f"queued{n}@example.com", "subject": f"Queued {n}", "body": ""}
        jobs.append(celery.http("POST", "/emails", job, f"queued-{uuid.uuid4().hex[:8]}"))
    celery.compose("restart", broker, timeout=180)
    celery.wait_healthy(broker)
    celery.up("celery-worker")
    for receipt in jobs:
        assert celery.wait_for_job(receipt["job_id"])["state"] == "succeeded"
    # With the worker running, the broker restarts again: the worker reconnects by itself.
    celery.compose("restart", broker, timeout=180)
    celery.wait_healthy(broker)
    receipt = wait_until(
        lambda: celery.http(
            "POST",
            "/emails",
            {"to": "after@example.com", "subject": "After restart", "body": ""},
            "after-restart",
        ),
        60,
        "the API to reach the broker again",
    )
    assert celery.wait_for_job(receipt["job_id"])["state"] == "succeeded"
    assert celery.state()["celery-worker"]["State"] == "running"


def test_celery_compose_stop_lets_the_worker_finish(celery: Stack) -> None:
    subject, addresses = send_newsletter(celery, 4, 1.0)
    wait_until(lambda: newsletter_mails(celery, subject), 60, "the first e-mail")
    celery.compose("stop", "celery-worker", timeout=150)
    state = celery.state()["celery-worker"]
    assert state["State"] == "exited" and state["ExitCode"] == 0, state
    assert newsletter_mails(celery, subject) == sorted(addresses), "in-flight work finished"
    if "celery-beat" in celery.services:
        celery.compose("stop", "celery-beat", timeout=60)
        beat = celery.state()["celery-beat"]
        assert beat["ExitCode"] == 0, beat
    celery.up()


# ---------------------------------------------------------------- no runner


def test_no_runner_stack_runs_jobs_in_the_api(stack_factory: Callable[..., Stack]) -> None:
    stack = stack_factory("none")
    try:
        stack.up()
        assert_all_healthy(stack)
        assert_api_sends_once(stack, "none")
    finally:
        stack.down()
