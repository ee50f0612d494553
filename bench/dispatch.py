"""What exactly-once dispatch costs `POST /emails` on Celery: its latency through the generated
jobs API against 2.0.0's dispatch, in the same run.

Both are the generated project's API (`devtools.jobs_api`, served by uvicorn) on one embedded
Valkey. The current one claims a job in one Lua step (record, task arguments, an "unpublished"
mark), publishes its task, then clears the mark; 2.0.0's set the record alone (`SET NX`), then
published. The previous behaviour is rebuilt here (bench-only: the generated project is not
edited) by putting its `_queue` in place of the adapter's. No worker runs: the tasks queue up, and
the figure is the API's own round trip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench.common import (
    BIN,
    Config,
    Figure,
    latency_figures,
    run,
    say,
    started,
    venv_env,
)
from bench.generation import section_backend
from tests.processes import HOST, free_port, valkey_server, wait_listening

PREVIOUS = '''\
"""2.0.0's Celery dispatch: a SET NX record, then the task; the record deleted if that failed."""
from internal.adapters.jobs import celery as adapter
from internal.celery_app import app
from internal.celery_reliability import RESULT_EXPIRES_SECONDS, record_key, result_store
from internal.celery_tasks import send_email
from internal.ports.jobs import IdempotencyConflict


def _queue(job, job_id):
    key, fingerprint = record_key(job_id), job.fingerprint()
    if not result_store(app).set(key, fingerprint, nx=True, ex=RESULT_EXPIRES_SECONDS):
        stored = result_store(app).get(key)
        if stored is not None and stored != fingerprint.encode():
            raise IdempotencyConflict(job_id)
        return False
    try:
        send_email.apply_async(args=(job.to, job.subject, job.body), task_id=job_id)
    except BaseException:
        result_store(app).delete(key)
        raise
    return True


adapter._queue = _queue

from devtools.jobs_api import create_app  # noqa: E402
'''

CLIENT = '''\
"""POST /emails `count` times over one keep-alive connection; prints each latency (ms) as JSON."""
import http.client, json, sys, time, uuid

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
connection = http.client.HTTPConnection(host, port, timeout=30)
body = json.dumps({"to": "ada@example.com", "subject": "Bench", "body": "x" * 200})
latencies = []
for number in range(count):
    headers = {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
    start = time.perf_counter()
    connection.request("POST", "/emails", body, headers)
    response = connection.getresponse()
    response.read()
    assert response.status == 202, response.status
    if number >= 20:  # the first ones warm the connection pools
        latencies.append((time.perf_counter() - start) * 1000)
print(json.dumps(latencies))
'''

VARIANTS = {"current": "devtools.jobs_api:create_app", "2.0.0": "bench_previous:create_app"}


def run_dispatch(config: Config) -> list[Figure]:
    work = config.work / "dispatch"
    own = {"bench_previous.py": PREVIOUS, "dispatch_client.py": CLIENT}
    backend, modules = section_backend(work, "celery", own)
    client = modules / "dispatch_client.py"
    trips: dict[str, list[float]] = {name: [] for name in VARIANTS}
    rounds, count = config.reps(5, 2), config.reps(400, 100)
    with valkey_server(work / "valkey") as valkey:
        env = venv_env(
            PYTHONPATH=os.pathsep.join([str(modules), str(backend)]),
            REDIS_HOST=HOST,
            REDIS_PORT=str(valkey.port),
            REDIS_PASSWORD="",
            OUTBOX_DIR=str(work / "outbox"),
        )
        # Alternating rounds: load from elsewhere lands on both alike.
        for number in range(rounds):
            for name, factory in VARIANTS.items():
                say(f"dispatch: round {number + 1}/{rounds}, {name}")
                trips[name] += serve_and_post(backend, env, factory, client, count, work, name)
    previous = latency_figures("dispatch", "2.0.0 dispatch: POST /emails", trips["2.0.0"])
    current = latency_figures(
        "dispatch", "exactly-once dispatch: POST /emails", trips["current"], previous
    )
    return [*previous.values(), *current.values()]


def serve_and_post(
    backend: Path,
    env: dict[str, str],
    factory: str,
    client: Path,
    count: int,
    work: Path,
    name: str,
) -> list[float]:
    port = free_port()
    command: list[str | Path] = [BIN / "python", "-m", "uvicorn", "--factory", factory]
    command += ["--host", HOST, "--port", str(port), "--log-level", "warning"]
    with started(command, backend, env, work / f"api-{name}.log") as api:
        wait_listening(port, api, 60)
        result = run([BIN / "python", client, HOST, str(port), str(count)], backend, env)
    return list(json.loads(result.stdout.strip().splitlines()[-1]))
