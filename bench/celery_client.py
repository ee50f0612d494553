"""Celery load generator, run as a child process from a project's backend/ directory.

It imports the app it is told to (the generated `internal.celery_app`, or the bare baseline app),
so routing and serialisation are the app's own. It prints one JSON object:
throughput (tasks/s), one value per run, and every round trip's latency (ms).
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
import uuid

from celery.result import AsyncResult, ResultSet


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True, help="module holding `app`")
    parser.add_argument("--task", required=True)
    parser.add_argument("--email", action="store_true", help="call it with e-mail arguments")
    parser.add_argument("--warm-up", type=int, required=True, help="tasks sent before measuring")
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--latency", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    app = importlib.import_module(args.app).app

    def send() -> AsyncResult:
        if args.email:
            address = f"{uuid.uuid4().hex[:8]}@example.com"
            return app.send_task(args.task, args=[address, "Benchmark", "Hello from the bench."])
        return app.send_task(args.task, args=[1])

    # Warm-up: worker processes, connections and result subscriptions are all in place after it.
    ResultSet([send() for _ in range(args.warm_up)]).get(timeout=args.timeout)
    throughput: list[float] = []
    round_trips: list[float] = []
    for _ in range(args.runs):
        start = time.perf_counter()
        # Publish the whole burst, then collect: one by one is faster than ResultSet.get here.
        for result in [send() for _ in range(args.burst)]:
            result.get(timeout=args.timeout)
        throughput.append(args.burst / (time.perf_counter() - start))
        for _ in range(args.latency):
            start = time.perf_counter()
            send().get(timeout=args.timeout)
            round_trips.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"throughput": throughput, "round_trips": round_trips}))


if __name__ == "__main__":
    main()
