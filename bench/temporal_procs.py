"""Temporal child processes for the benchmarks, run with a generated backend/ on PYTHONPATH.

    python -m bench.temporal_procs worker ADDRESS QUEUE     # the bare baseline worker
    python -m bench.temporal_procs client ADDRESS QUEUE WORKFLOW [--burst N --latency M --runs R]

They run as a module, not a script: the workflow sandbox re-imports the module its workflows are
defined in, which it cannot do for `__main__`.

The baseline worker is the smallest hello-activity worker (default settings), plus one workflow of
the same shape whose activity does the generated project's e-mail work, plus the generated
`EmailNotificationWorkflow` itself, so a gap can be split into the work, the generated code, and
the generated worker's settings. The client prints one JSON object: workflows/s (one value per
run) and every round trip's latency (ms). Both leave with `os._exit` after a clean finish,
because the SDK's runtime can crash while the interpreter tears down (sdk-python#300).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker


@activity.defn
async def say_hello(name: str) -> str:
    return f"Hello, {name}!"


@activity.defn
def deliver_email(email: str, subject: str) -> bool:
    # The generated project's use case, imported from backend/.
    from internal.services.email_service import email_service

    key = activity.info().workflow_id
    body = f"{subject}\n\nFrom the benchmark."
    return email_service().send(email, subject, body, idempotency_key=key)


@workflow.defn
class HelloWorkflow:
    @workflow.run
    async def run(self, name: str, _subject: str) -> str:
        return await workflow.execute_activity(
            say_hello, name, start_to_close_timeout=timedelta(seconds=30)
        )


@workflow.defn
class OutboxWorkflow:
    @workflow.run
    async def run(self, email: str, subject: str) -> bool:
        return await workflow.execute_activity(
            deliver_email, args=[email, subject], start_to_close_timeout=timedelta(seconds=30)
        )


async def serve(address: str, queue: str) -> None:
    # The generated workflow and activity too, in this default-settings worker: comparing it with
    # the generated worker separates what its code costs from what its worker settings cost.
    from internal.workers.activities import send_email_activity
    from internal.workers.workflows import EmailNotificationWorkflow

    client = await Client.connect(address)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor() as executor:
        worker = Worker(
            client,
            task_queue=queue,
            workflows=[HelloWorkflow, OutboxWorkflow, EmailNotificationWorkflow],
            activities=[say_hello, deliver_email, send_email_activity],
            activity_executor=executor,
        )
        async with worker:
            print("baseline worker ready", flush=True)
            await stop.wait()


async def load(args: argparse.Namespace) -> dict[str, list[float]]:
    client = await Client.connect(args.address)

    async def one() -> None:
        key = uuid.uuid4().hex
        await client.execute_workflow(
            args.workflow,
            args=[f"{key[:8]}@example.com", "Benchmark"],
            id=f"bench-{key}",
            task_queue=args.queue,
            execution_timeout=timedelta(seconds=120),
        )

    await asyncio.gather(*(one() for _ in range(10)))  # warm-up
    throughput: list[float] = []
    round_trips: list[float] = []
    for _ in range(args.runs):
        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(args.burst)))
        throughput.append(args.burst / (time.perf_counter() - start))
        for _ in range(args.latency):
            start = time.perf_counter()
            await one()
            round_trips.append((time.perf_counter() - start) * 1000)
    return {"throughput": throughput, "round_trips": round_trips}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["worker", "client"])
    parser.add_argument("address")
    parser.add_argument("queue")
    parser.add_argument("workflow", nargs="?")
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--latency", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.role == "worker":
        # Log at INFO like any real worker (the generated one does): the e-mail use case logs
        # each delivery, and that output is part of the work being compared.
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        asyncio.run(serve(args.address, args.queue))
    else:
        print(json.dumps(asyncio.run(load(args))), flush=True)
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
