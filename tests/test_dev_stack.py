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
import re
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
import yaml

from tests.collectors import OtlpReceiver, SentryReceiver, Span
from tests.helpers import debian_tool, free_port, python_env
from tests.processes import reachable

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ERRORS = ("ERROR", "CRITICAL", "Traceback", "Cannot connect", "rpc errored")


def http(
    method: str, url: str, body: dict[str, Any] | None = None, key: str | None = None
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Idempotency-Key", key or f"dev-stack-{time.monotonic_ns()}")
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
            # "celery-rabbitmq": Celery over the RabbitMQ answering on 127.0.0.1:5672.
            task_runner, _, broker = runner.partition("-")
            answers = {"task_runner": task_runner, **({"celery_broker": broker} if broker else {})}
            project = generate(tmp_path_factory.mktemp(runner) / "project", **answers)
            result = make(project, "install")
            assert result.returncode == 0, result.stdout + result.stderr
            with (project / ".env").open("a") as env:
                env.write(f"\nAPI_PORT={free_port()}\n")
                env.write(f"REDIS_PORT={free_port()}\n")
                env.write(f"TEMPORAL_ADDRESS=127.0.0.1:{free_pair()}\n")
                if broker == "rabbitmq":
                    env.write("RABBITMQ_HOST=127.0.0.1\nRABBITMQ_PORT=5672\n")
                    env.write("RABBITMQ_USER=guest\nRABBITMQ_PASSWORD=guest\n")
                    # Queues of its own on a shared broker.
                    env.write(f"CELERY_NAMESPACE=dev-stack-{time.monotonic_ns()}-\n")
            cache[runner] = project
        return cache[runner]

    yield _installed
    if "celery-rabbitmq" in cache:  # its queues off the shared broker
        subprocess.run(
            [".venv/bin/python", "-c", DELETE_QUEUES],
            cwd=cache["celery-rabbitmq"] / "backend",
            capture_output=True,
            timeout=60,
            check=False,
        )


DELETE_QUEUES = """
from internal.celery_app import app
with app.connection_for_write() as connection:
    for queue in app.amqp.queues.values():
        queue.bind(connection.default_channel).delete()
"""


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


SERVERS = {"celery": b"valkey", "temporal": b"start-dev"}


@pytest.mark.parametrize("runner", list(SERVERS))
def test_a_server_killed_under_make_dev_comes_back_and_loses_no_job(
    runner: str, installed: Any, tmp_path: Path
) -> None:
    """Its data is in backend/var/: the server started again has every job accepted before."""
    project = installed(runner)
    api = f"http://127.0.0.1:{env_value(project, 'API_PORT')}"
    log = tmp_path / "dev.log"
    make = start_make_dev(project, log)
    stack: set[int] = set()
    try:
        wait_until(lambda: http("GET", f"{api}/ready")[0] == 200, 120, "the stack")
        accepted = []
        for number in range(20):
            status, receipt = http(
                "POST", f"{api}/emails", {"to": "ada@x.io", "subject": f"#{number}"}
            )
            assert status == 202, receipt
            accepted.append(receipt["job_id"])
        stack = descendants(make.pid)
        (server,) = [
            pid for pid in stack if SERVERS[runner] in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        os.kill(server, signal.SIGKILL)
        wait_until(
            lambda: "exited with code -9: starting it again" in log.read_text(), 60, "restart"
        )
        wait_until(lambda: http("GET", f"{api}/ready")[0] == 200, 120, "the stack again")
        for job_id in accepted:
            state = wait_until(
                lambda job_id=job_id: (
                    (s := http("GET", f"{api}/emails/{job_id}")[1]).get("state")
                    in ("succeeded", "failed")
                    and s["state"]
                ),
                180,
                f"job {job_id}",
            )
            assert state == "succeeded", job_id
        assert http("POST", f"{api}/emails", {"to": "ada@x.io", "subject": "after"})[0] == 202
        stack |= descendants(make.pid)
        make.send_signal(signal.SIGTERM)
        code = make.wait(timeout=90)
    finally:
        if make.poll() is None:
            make.kill()
            make.wait()
        for pid in alive(stack | descendants(make.pid)):
            os.kill(pid, signal.SIGKILL)
        print(log.read_text()[-6000:])  # shown when the test fails
    assert code in (0, -signal.SIGTERM), code
    assert alive(stack) == set(), "make dev left processes behind"


@contextlib.contextmanager
def env_lines(project: Path, values: dict[str, str]) -> Iterator[None]:
    """These keys in .env until the block ends."""
    env_file = project / ".env"
    saved = env_file.read_text()
    env_file.write_text(saved + "".join(f"{key}={value}\n" for key, value in values.items()))
    try:
        yield
    finally:
        env_file.write_text(saved)


@contextlib.contextmanager
def running_make_dev(project: Path, log: Path) -> Iterator[None]:
    """`make dev` until the block ends, its API answering; then stopped with SIGTERM, and any
    process of its stack still alive killed."""
    api = f"http://127.0.0.1:{env_value(project, 'API_PORT')}"
    make = start_make_dev(project, log)
    stack: set[int] = set()
    try:
        wait_until(lambda: http("GET", f"{api}/health")[0] == 200, 120, "the API")
        stack = descendants(make.pid)
        yield
    finally:
        stack |= descendants(make.pid)
        make.send_signal(signal.SIGTERM)
        try:
            make.wait(timeout=90)
        finally:
            if make.poll() is None:
                make.kill()
                make.wait()
            for pid in alive(stack):
                os.kill(pid, signal.SIGKILL)


# Each runner over one of the two OTLP transports; the request and the worker join one trace.
TRACED = [
    ("celery", "http/protobuf"),
    ("celery-rabbitmq", "http/protobuf"),
    ("temporal", "grpc"),
    ("none", "http/protobuf"),
]


@pytest.mark.parametrize(("runner", "protocol"), TRACED, ids=[r for r, _ in TRACED])
def test_a_job_is_one_trace_from_the_request_to_the_worker(
    runner: str, protocol: str, installed: Any, tmp_path: Path
) -> None:
    """OTEL_* in .env, as a user writes them: the job's trace holds the API's request span (with
    the job id) and the worker's spans down to the e-mail's delivery, under one trace id; JSON
    logs carry that id; no span holds the address or the body. Celery over RabbitMQ carries the
    trace in AMQP headers, not Redis' message body: run where a RabbitMQ answers (make dev
    cannot embed one)."""
    if runner == "celery-rabbitmq" and not reachable(5672):
        pytest.skip("no RabbitMQ on 127.0.0.1:5672")
    project = installed(runner)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    slug = answers["project_slug"].replace("_", "-")
    api = f"http://127.0.0.1:{env_value(project, 'API_PORT')}"
    log = tmp_path / "dev.log"
    key = f"traced-{time.monotonic_ns()}"
    with (
        OtlpReceiver() as receiver,
        env_lines(
            project,
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url(protocol),
                "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
                "OTEL_BSP_SCHEDULE_DELAY": "200",
                "LOG_FORMAT": "json",
            },
        ),
        running_make_dev(project, log),
    ):
        body = {"to": "ada@x.io", "subject": "Traced", "body": "Secret text"}
        status, receipt = http("POST", f"{api}/emails", body, key=key)
        assert status == 202, receipt
        job_id = receipt["job_id"]

        def delivered() -> Span | None:
            return next(
                (
                    span
                    for span in receiver.spans()
                    if span.name == "deliver email" and span.attributes.get("email.key") == job_id
                ),
                None,
            )

        delivery = wait_until(delivered, 90, "the span of the e-mail's delivery")
        trace = [span for span in receiver.spans() if span.trace_id == delivery.trace_id]
        requests = [span for span in trace if span.attributes.get("job.id") == job_id]
        wait_until(lambda: "trace_id" in log.read_text(), 30, "a JSON log line with its trace")
    names = sorted({(span.service, span.name) for span in trace})
    print(runner, protocol, names)
    assert requests and requests[0].service == f"{slug}-api", names
    assert requests[0].attributes["job.idempotency_key.sha256"] != key
    if runner == "celery-rabbitmq":
        assert "Valkey is the broker" not in log.read_text(), "make dev used RabbitMQ"
    worker = f"{slug}-api" if runner == "none" else f"{slug}-worker"
    assert delivery.service == worker, names
    if runner != "none":
        assert {span.service for span in trace} >= {f"{slug}-api", f"{slug}-worker"}, names
        assert len(trace) >= 4, names  # request, dispatch, the worker's run, delivery
    for span in receiver.spans():
        assert not any("ada@x.io" in str(value) for value in span.attributes.values()), span
        assert not any("Secret text" in str(value) for value in span.attributes.values()), span
    logged = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(record.get("trace_id") == delivery.trace_id for record in logged), logged[-5:]


# A job whose task fails for good, started as another client than the API would (which refuses
# such input): an address with a header in it (Celery), or no address at all (Temporal).
FAILING = {
    "celery": (
        "from internal.celery_tasks import send_email\n"
        "send_email.apply_async(('ada@x.io\\nBcc: eve@x.io', 'Hi', ''), task_id='email-broken-1')"
    ),
    "temporal": (
        "from internal.workers.activities import EmailRequest\n"
        "from internal.workers.client import connect\n"
        "from internal.workers.process import run_and_exit\n"
        "from internal.workers.workflows import SendEmailWorkflow\n"
        "from pkg.config.jobs import job_settings\n"
        "async def main() -> None:\n"
        "    client = await connect(job_settings)\n"
        "    await client.start_workflow(SendEmailWorkflow.run, EmailRequest('nobody', 'Hi'),\n"
        "        id='email-broken-1', task_queue=job_settings.temporal_task_queue)\n"
        # As the docs do: an exit the SDK cannot crash (sdk-python #300).
        "run_and_exit(main())\n"
    ),
}


@pytest.mark.parametrize("runner", list(FAILING))
def test_a_job_that_fails_is_reported_to_sentry_with_its_job_id(
    runner: str, installed: Any, tmp_path: Path
) -> None:
    project = installed(runner)
    log = tmp_path / "dev.log"
    with (
        SentryReceiver() as sentry,
        env_lines(project, {"SENTRY_DSN": sentry.dsn}),
        running_make_dev(project, log),
    ):
        started = subprocess.run(
            [project / "backend" / ".venv" / "bin" / "python", "-c", FAILING[runner]],
            cwd=project / "backend",
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert started.returncode == 0, started.stderr
        report = wait_until(
            lambda: next((r for r in sentry.reports() if "email-broken-1" in r), None),
            90,
            "the failure's report",
        )
    event = json.loads(next(line for line in report.splitlines() if '"exception"' in line))
    assert event["tags"]["job.id"] == "email-broken-1", event["tags"]
    assert event["tags"]["service"].endswith("-worker"), event["tags"]
    assert len([r for r in sentry.reports() if "email-broken-1" in r]) == 1, "one report per job"


def samples(text: str, name: str) -> list[dict[str, str]]:
    """The labels of each sample of `name` in Prometheus' text format."""
    found = []
    for line in text.splitlines():
        if line.startswith(name + "{"):
            labels = line[len(name) + 1 : line.rindex("}")]
            found.append(dict(re.findall(r'(\w+)="([^"]*)"', labels)))
    return found


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


@pytest.mark.parametrize("runner", ["celery", "temporal", "none"])
def test_the_api_and_the_worker_serve_prometheus_metrics(
    runner: str, installed: Any, tmp_path: Path
) -> None:
    """GET /metrics counts requests by route template and status, and jobs by outcome; the
    worker serves its own on *_METRICS_PORT (Temporal: the SDK's; Celery: tasks by name and
    outcome, their runtimes, the queues' lengths); a real Prometheus scrapes them all as up."""
    project = installed(runner)
    api = f"http://127.0.0.1:{env_value(project, 'API_PORT')}"
    worker_port = free_port()
    extra = {f"{runner.upper()}_METRICS_PORT": str(worker_port)} if runner != "none" else {}
    # What the worker shows once the job ran.
    ran = {
        "temporal": "temporal_workflow_completed",
        "celery": 'celery_tasks_total{state="succeeded",task="internal.celery_tasks.send_email"}',
    }
    targets = {"api": f"127.0.0.1:{env_value(project, 'API_PORT')}"}
    if extra:
        targets["worker"] = f"127.0.0.1:{worker_port}"
    log = tmp_path / "dev.log"
    with env_lines(project, extra), running_make_dev(project, log):
        key = f"metrics-{time.monotonic_ns()}"
        job = {"to": "ada@x.io", "subject": "Counted"}
        assert http("POST", f"{api}/emails", job, key=key)[0] == 202
        assert http("POST", f"{api}/emails", {**job, "subject": "Other"}, key=key)[0] == 409
        assert http("POST", f"{api}/emails", {"to": "not an address"})[0] == 422
        assert http("GET", f"{api}/emails/email-{key}")[0] == 200
        metrics = fetch(f"{api}/metrics")
        worker = ""
        if runner in ran:
            worker = wait_until(
                lambda: (
                    ran[runner] in (text := fetch(f"http://127.0.0.1:{worker_port}/metrics"))
                    and text
                ),
                60,
                "the worker's metrics",
            )
        scraped = prometheus_up(targets, tmp_path)
    assert scraped == dict.fromkeys(targets, "1"), scraped
    for line in (
        f'jobs_requests_total{{outcome="accepted",runner="{runner}"}} 1.0',
        f'jobs_requests_total{{outcome="conflict",runner="{runner}"}} 1.0',
    ):
        assert line in metrics.splitlines(), (line, metrics[-3000:])
    requests = {
        (labels["http_request_method"], labels["http_route"], labels["http_response_status_code"])
        for labels in samples(metrics, "http_server_request_duration_seconds_count")
    }
    assert {("POST", "/emails", "202"), ("POST", "/emails", "422")} <= requests, requests
    assert ("GET", "/emails/{job_id}", "200") in requests, requests
    assert not {route for _, route, _ in requests} & {"/health", "/ready", "/metrics"}, requests
    if runner == "temporal":
        assert "temporal_worker_task_slots_available" in worker, worker[:2000]
        assert "temporal_activity_execution_latency" in worker, worker[:2000]
    if runner == "celery":
        runtimes = samples(worker, "celery_task_runtime_seconds_count")
        assert {"task": "internal.celery_tasks.send_email"} in runtimes, worker[:2000]
        queues = {labels["queue"] for labels in samples(worker, "celery_queue_length")}
        assert {"emails", "bulk"} <= queues, worker[:2000]


def prometheus_up(targets: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Debian's Prometheus scraping `targets` (job name: host:port) every second, until each
    has been scraped; returns each job's `up`."""
    binary = debian_tool("prometheus", "prometheus")
    jobs = [
        {"job_name": job, "static_configs": [{"targets": [target]}]}
        for job, target in targets.items()
    ]
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump({"global": {"scrape_interval": "1s"}, "scrape_configs": jobs}))
    port = free_port()
    command = [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}"]
    command.append(f"--web.listen-address=127.0.0.1:{port}")
    with (tmp_path / "prometheus.log").open("wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    query = f"http://127.0.0.1:{port}/api/v1/query?query=up"
    try:

        def every_job_up() -> dict[str, str] | None:
            results = json.loads(fetch(query))["data"]["result"]
            found = {entry["metric"]["job"]: entry["value"][1] for entry in results}
            return found if set(found) == set(targets) and "0" not in found.values() else None

        return dict(wait_until(every_job_up, 60, "Prometheus to scrape every target"))
    finally:
        server.terminate()
        server.wait(30)
