"""The documented Docker path, run for real: each generated compose stack on a real Docker engine.

For each stack (Temporal, Celery on Redis, Celery on RabbitMQ with beat and Flower, no runner):
`make env` then `docker compose up --build --wait`, as the generated README says; every service
healthy; the seed's own clients inside the stack (the `temporal` CLI, `celery call` and
`celery result`); `POST /emails` through the published port; and the faults production brings:
a worker SIGKILLed mid-newsletter, a broker or Temporal server restarted with work in flight,
`docker compose stop` with tasks running; three replicas of each runner's worker sharing 300
jobs sent through the API, one of them SIGKILLed mid-run (the scale-out the Kubernetes manifests
of deploy/k8s/ make with KEDA). Nothing may be lost, nothing sent twice.

The engine, compose and the images come from tests/docker_engine.py: where no registry answers,
the images are stand-ins built from the same software (Debian and PyPI packages), and the test
report names them. Each stack's tests run in one xdist worker; the stacks run side by side in
other workers, on one engine (its images built once, whoever needs them first).
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests import docker_engine
from tests.compose_stack import (
    WAIT,
    Stack,
    containers,
    delivered,
    jobs_by_replica,
    post_jobs,
    prepare,
    wait_until,
)
from tests.helpers import NOTES, facts, read_env

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def on_stack(name: str) -> pytest.MarkDecorator:
    """A stack's tests stay together in one xdist worker (the stack is up for all of them);
    different stacks run side by side, in other workers, on the same engine."""
    return pytest.mark.xdist_group(f"docker-{name}")


STACKS: dict[str, dict[str, Any]] = {
    "temporal": {"task_runner": "temporal"},
    "celery-redis": {"task_runner": "celery", "celery_broker": "redis", "celery_beat": True},
    "celery-rabbitmq": {
        "task_runner": "celery",
        "celery_broker": "rabbitmq",
        "celery_beat": True,
        "celery_flower": True,
    },
    # With the app's own Redis (use_redis): docker-compose.yml runs it for the API.
    "none": {"task_runner": "none", "use_redis": True},
}
# Production waits an hour before Redis hands a dead worker's task to another; the tests cannot.
# The time limits must stay below it (settings refuse anything else).
FAST_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": "12",
    "CELERY_TASK_SOFT_TIME_LIMIT": "8",
    "CELERY_TASK_TIME_LIMIT": "10",
    "CELERY_BULK_SOFT_TIME_LIMIT": "8",
    "CELERY_BULK_TIME_LIMIT": "10",
}


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
        stack = prepare(project, engine, images, **extra_env)
        if stack.skipped:
            left_out, missing = ", ".join(stack.skipped), ", ".join(stack.missing)
            request.config.stash.setdefault(NOTES, []).append(
                f"{name}: left out {left_out} (no image: {missing})"
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


def assert_scales_out(stack: Stack, service: str, notes: list[str], jobs: int = 300) -> None:
    """Three replicas of the worker (`docker compose up --scale`), `jobs` jobs through the API:
    the replicas share the work, one that has taken jobs is SIGKILLed mid-run, and every job ends
    succeeded with its e-mail written exactly once. Back to one replica at the end."""
    up = ("up", "--detach", "--wait", "--wait-timeout", str(WAIT), "--no-recreate")
    stack.compose(*up, "--scale", f"{service}=3", service, timeout=WAIT + 120)
    replicas = [entry["Name"] for entry in containers(stack, service)]
    assert len(replicas) == 3, replicas
    tag = f"scale{uuid.uuid4().hex[:6]}"

    def working() -> Counter[str]:
        # Two replicas, not three: on a loaded machine the third may start polling after the
        # backlog is gone, which says nothing about scaling out.
        shares = jobs_by_replica(stack, service, tag)
        assert len(shares) >= 2, f"jobs per replica so far: {dict(shares)}"
        return shares

    try:
        with ThreadPoolExecutor(1) as client:
            posting = client.submit(post_jobs, stack, tag, jobs)
            busy = wait_until(working, 300, "two replicas to take jobs")
            victim = next(name for name in replicas if name.endswith(max(busy)))
            stack.engine.docker("kill", "--signal", "KILL", victim)
            left = jobs - len(delivered(stack, tag))
            job_ids = posting.result()
        try:
            wait_until(lambda: len(delivered(stack, tag)) >= jobs, 600, f"{jobs} e-mails")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{undelivered(stack, service, tag, job_ids)}") from None
        assert delivered(stack, tag) == list(range(jobs)), "every job's e-mail, once"
        with ThreadPoolExecutor(8) as client:
            states = Counter(client.map(lambda job: stack.wait_for_job(job)["state"], job_ids))
        assert states == {"succeeded": jobs}
        shares = jobs_by_replica(stack, service, tag)
        assert len(shares) >= 2, shares
        notes.append(
            f"{service} x3: {jobs} jobs, jobs per replica {dict(sorted(shares.items()))}, "
            f"{victim} killed with {left} e-mails left; none lost, none twice"
        )
    finally:
        stack.compose(*up, "--scale", f"{service}=1", service, timeout=WAIT + 120)


def undelivered(stack: Stack, service: str, tag: str, job_ids: list[str]) -> str:
    """What a failed scale-out left behind: the jobs without an e-mail, with their states."""
    missing = sorted(set(range(len(job_ids))) - set(delivered(stack, tag)))
    states = {number: stack.http("GET", f"/emails/{job_ids[number]}") for number in missing[:5]}
    shares = dict(jobs_by_replica(stack, service, tag))
    return f"{len(missing)} without an e-mail, e.g. {states}; jobs per replica {shares}"


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


@on_stack("temporal")
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


@on_stack("temporal")
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


def assert_newsletter_survives(
    stack: Stack, recipients: int, first: int, disrupt: Callable[[], None]
) -> None:
    """A newsletter workflow, disrupted once `first` e-mails are out, completes with each
    e-mail written once."""
    workflow_id, subject, addresses = start_newsletter(stack, recipients, 0.7)
    wait_until(lambda: len(newsletter_mails(stack, subject)) >= first, 60, "the first e-mails")
    disrupt()
    described = temporal_result(stack, workflow_id)
    assert described["workflowExecutionInfo"]["status"] == "WORKFLOW_EXECUTION_STATUS_COMPLETED"
    assert newsletter_mails(stack, subject) == sorted(addresses)


@on_stack("temporal")
def test_temporal_worker_killed_mid_newsletter_sends_each_email_once(temporal: Stack) -> None:
    def kill_the_worker() -> None:
        temporal.compose("kill", "-s", "SIGKILL", "temporal-worker")
        temporal.up("temporal-worker")

    assert_newsletter_survives(temporal, 8, 2, kill_the_worker)


@on_stack("temporal")
def test_temporal_server_restart_mid_run_completes_the_workflow(temporal: Stack) -> None:
    def restart_the_server() -> None:
        temporal.compose("restart", "temporal")
        temporal.wait_healthy("temporal")

    assert_newsletter_survives(temporal, 6, 1, restart_the_server)


@on_stack("temporal")
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


@on_stack("temporal")
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
        temporal.up()  # the next test finds the stack as the module's fixture made it
    if "temporal-ui" in temporal.skipped:
        pytest.skip("temporal-ui has no image here (no registry, no stand-in); temporal ran")


@on_stack("temporal")
def test_temporal_scales_out_and_a_killed_replica_loses_nothing(
    temporal: Stack, request: pytest.FixtureRequest
) -> None:
    assert_scales_out(temporal, "temporal-worker", request.config.stash.setdefault(NOTES, []))


# ---------------------------------------------------------------- Celery


CELERY_STACKS = [
    pytest.param(name, marks=on_stack(name)) for name in ("celery-redis", "celery-rabbitmq")
]


@pytest.fixture(scope="module", params=CELERY_STACKS)
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
    # `docker compose restart`, in two steps: a broker killed at the end of its grace period
    # (not stopped) may lose what it had not written to disk yet.
    celery.compose("stop", broker, timeout=180)
    assert celery.state()[broker]["ExitCode"] == 0, "the broker stopped cleanly, not killed"
    celery.compose("start", broker, timeout=180)
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


# One broker is enough: the profile scrapes the API and the worker, whatever the broker.
@pytest.mark.parametrize("celery", CELERY_STACKS[:1], indirect=True)
def test_the_monitoring_profile_scrapes_the_api_and_the_worker(
    celery: Stack, images: docker_engine.Images
) -> None:
    """`docker compose --profile monitoring up prometheus`, as docs/workers.md says: Prometheus
    finds the API and the worker on the compose network, both up, and loads the alert rules."""
    if not images.ensure(facts.IMAGES["prometheus"]):
        pytest.skip("no Prometheus image here (no registry, no stand-in)")
    prometheus = f"http://127.0.0.1:{celery.env['PROMETHEUS_PORT']}/api/v1"
    celery.compose("--profile", "monitoring", "up", "--detach", "prometheus", timeout=WAIT)
    try:

        def every_job_up() -> dict[str, set[str]]:
            with urllib.request.urlopen(f"{prometheus}/query?query=up", timeout=10) as answer:
                found: dict[str, set[str]] = {}
                for entry in json.loads(answer.read())["data"]["result"]:
                    found.setdefault(entry["metric"]["job"], set()).add(entry["value"][1])
            assert found == {"api": {"1"}, "celery-worker": {"1"}}, found
            return found

        wait_until(every_job_up, 180, "Prometheus to scrape the API and the worker")
        with urllib.request.urlopen(f"{prometheus}/rules", timeout=10) as answer:
            groups = [group["name"] for group in json.loads(answer.read())["data"]["groups"]]
        assert any(name.endswith("-celery-worker") for name in groups), groups
    finally:
        celery.compose("--profile", "monitoring", "rm", "--stop", "--force", "prometheus")


def test_celery_scales_out_and_a_killed_replica_loses_nothing(
    celery: Stack, request: pytest.FixtureRequest
) -> None:
    assert_scales_out(celery, "celery-worker", request.config.stash.setdefault(NOTES, []))


# ---------------------------------------------------------------- no runner


@on_stack("none")
def test_no_runner_stack_runs_jobs_in_the_api(stack_factory: Callable[..., Stack]) -> None:
    stack = stack_factory("none")
    try:
        stack.up()
        assert_all_healthy(stack)
        assert_api_sends_once(stack, "none")
        # The app reaches its own Redis, with the password make env generated.
        ping = "import redis; from pkg.config.settings import settings as s; "
        ping += "print(redis.Redis.from_url(s.redis_url).ping())"
        assert stack.exec("api", "python", "-c", ping).strip() == "True"
    finally:
        stack.down()
