"""The generated project's Celery worker and settings against a bare Celery app, on the machine's
Redis (127.0.0.1:6379, DB 13 only: no test uses it, and only it is flushed).

Workers are real processes started with the documented command from a generated backend/:
`celery -A internal.celery_app worker -l INFO`, plus `-I bench_tasks` for the trivial tasks, a
bench-only module on PYTHONPATH (the generated project is not edited). The baseline worker runs
`celery -A bench_bare_app worker -l INFO` from the same directory: default settings, the same
broker, the same e-mail use case for its e-mail task.

The generated worker is also run with its reliability settings relaxed one at a time, so the
cost of each (prefetch 1, late acks, started-state tracking) is a figure of its own.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from bench.common import (
    BIN,
    Config,
    Figure,
    ratio_at_least,
    run,
    say,
    snapshot_template,
    started,
    venv_env,
    wait_for_log,
)
from bench.generation import generate

REDIS_URL = "redis://127.0.0.1:6379/13"
CLIENT = Path(__file__).with_name("celery_client.py")

BARE_APP = '''\
"""Baseline: a bare Celery app, default settings, on the same broker as the generated one."""
import os

from celery import Celery

from internal import emails  # the generated project's e-mail use case: the same work per task

URL = os.environ["BENCH_REDIS_URL"]
app = Celery("bench_bare", broker=URL, backend=URL)


@app.task
def noop(value):
    return value


@app.task(bind=True)
def send_email(self, to, subject, body):
    return emails.send_email(to, subject, body, idempotency_key=self.request.id)
'''

BENCH_TASKS = '''\
"""Trivial tasks for the generated worker, loaded with `-I bench_tasks`."""
from celery import shared_task


@shared_task
def noop(value):  # Celery's task defaults: acknowledged on receipt
    return value


@shared_task(acks_late=True, reject_on_worker_lost=True)
def noop_reliable(value):  # the reliability options of the generated tasks
    return value


@shared_task(track_started=False)
def noop_untracked(value):  # early ack and no STARTED state: every reliability setting relaxed
    return value
'''


def flush_bench_db() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        raise RuntimeError(f"Redis at {REDIS_URL} is not reachable: {error}") from error
    client.flushdb()  # DB 13 only
    client.close()


class Worker:
    """A worker process for the duration of a `with` block; `load()` runs the client against it."""

    def __init__(
        self, backend: Path, modules: Path, scratch: Path, name: str, app: str, **env: str
    ):
        self.backend, self.name, self.app = backend, name, app
        self.log = scratch / f"worker-{name}.log"
        self.env = venv_env(
            PYTHONPATH=os.pathsep.join([str(modules), str(backend)]),
            BENCH_REDIS_URL=REDIS_URL,
            CELERY_BROKER_URL=REDIS_URL,
            CELERY_RESULT_BACKEND=REDIS_URL,
            OUTBOX_DIR=str(scratch / f"outbox-{name}"),
            **env,
        )
        includes = ["-I", "bench_tasks"] if app == "internal.celery_app" else []
        hostname = f"bench-{name}-{uuid.uuid4().hex[:6]}@%h"
        self.command: list[str | Path] = [
            BIN / "celery", "-A", app, "worker", "-l", "INFO", *includes, "-n", hostname
        ]  # fmt: skip

    def __enter__(self) -> Worker:
        flush_bench_db()
        self._context = started(self.command, self.backend, self.env, self.log)
        process = self._context.__enter__()
        wait_for_log(self.log, " ready.", process, timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(*exc)
        flush_bench_db()

    def load(self, config: Config, task: str, email: bool = False, latency: bool = True) -> dict:
        burst = config.reps(1000, 200) if not email else config.reps(500, 100)
        command: list[str | Path] = [
            BIN / "python", CLIENT, "--app", self.app, "--task", task,
            "--burst", str(burst), "--latency", str(config.reps(150, 40) if latency else 0),
            "--runs", str(config.reps(3)),
        ]  # fmt: skip
        if email:
            command.append("--email")
        result = run(command, self.backend, self.env, timeout=600)
        return json.loads(result.stdout.strip().splitlines()[-1])


def figures_for(
    label: str, data: dict, baseline: dict[str, Figure] | None, headline: bool
) -> dict[str, Figure]:
    """Throughput, p50 and p99 rows of one workload (p50/p99 only when measured)."""
    rows = {
        "throughput": Figure(
            "celery",
            f"{label}: throughput",
            data["throughput"],
            "tasks/s",
            baseline=baseline["throughput"] if baseline else None,
            lower_is_better=False,
            target=">= 0.9x baseline" if headline else "",
            check=ratio_at_least(0.9) if headline else None,
        )
    }
    for key in ("p50", "p99"):
        if data[key]:
            rows[key] = Figure(
                "celery",
                f"{label}: round trip {key}",
                data[key],
                "ms",
                baseline=baseline[key] if baseline else None,
            )
    return rows


def run_celery(config: Config) -> list[Figure]:
    work = config.work / "celery"
    template = snapshot_template(work / "template")
    backend = generate(template, work / "project", task_runner="celery") / "backend"
    modules = work / "modules"
    modules.mkdir()
    (modules / "bench_bare_app.py").write_text(BARE_APP)
    (modules / "bench_tasks.py").write_text(BENCH_TASKS)
    scratch = work / "scratch"
    scratch.mkdir()
    generated_task = "internal.celery_tasks.send_email"

    def worker(name: str, app: str, **env: str) -> Worker:
        return Worker(backend, modules, scratch, name, app, **env)

    say("celery: baseline worker (bare app, default settings)")
    with worker("bare", "bench_bare_app") as bare:
        base_noop = figures_for(
            "bare app, trivial task", bare.load(config, "bench_bare_app.noop"), None, False
        )
        base_email = figures_for(
            "bare app, send_email",
            bare.load(config, "bench_bare_app.send_email", True),
            None,
            False,
        )
    say("celery: generated worker, as generated (prefetch 1)")
    with worker("generated", "internal.celery_app") as generated:
        gen_noop = figures_for(
            "generated worker, trivial task (late ack)",
            generated.load(config, "bench_tasks.noop_reliable"),
            base_noop,
            True,
        )
        gen_email = figures_for(
            "generated worker, send_email",
            generated.load(config, generated_task, True),
            base_email,
            True,
        )
        early_ack = generated.load(config, "bench_tasks.noop", latency=False)
    say("celery: generated worker with CELERY_WORKER_PREFETCH_MULTIPLIER=4")
    with worker(
        "prefetch4", "internal.celery_app", CELERY_WORKER_PREFETCH_MULTIPLIER="4"
    ) as relaxed:
        prefetch_noop = relaxed.load(config, "bench_tasks.noop_reliable", latency=False)
        untracked = relaxed.load(config, "bench_tasks.noop_untracked", latency=False)
        prefetch_email = relaxed.load(config, generated_task, True, latency=False)

    def cost(label: str, data: dict, baseline: Figure) -> Figure:
        return Figure(
            "celery",
            label,
            data["throughput"],
            "tasks/s",
            baseline=baseline,
            lower_is_better=False,
            note="cost of a reliability setting: see BENCHMARKS.md",
        )

    return [
        *base_noop.values(),
        *gen_noop.values(),
        *base_email.values(),
        *gen_email.values(),
        cost(
            "trade-off: generated, trivial task, early ack (prefetch 1)",
            early_ack,
            base_noop["throughput"],
        ),
        cost(
            "trade-off: generated, trivial task, late ack, prefetch 4",
            prefetch_noop,
            base_noop["throughput"],
        ),
        cost(
            "trade-off: generated, trivial task, early ack, no STARTED state, prefetch 4",
            untracked,
            base_noop["throughput"],
        ),
        cost(
            "trade-off: generated, send_email, prefetch 4", prefetch_email, base_email["throughput"]
        ),
    ]
