"""Celery load generator, run as a child process from a project's backend/ directory.

It imports the app it is told to (the generated `internal.celery_app`, or the bare baseline app),
so routing and serialisation are the app's own. It prints one JSON object:
throughput (tasks/s) and round-trip latency percentiles (ms), one value per run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
import uuid

from celery.result import AsyncResult, ResultSet


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True, help="module holding `app`")
    parser.add_argument("--task", required=True)
    parser.add_argument("--email", action="store_true", help="call it with e-mail arguments")
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
    ResultSet([send() for _ in range(20)]).get(timeout=args.timeout)
    throughput, p50, p99 = [], [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        # Publish the whole burst, then collect: one by one is faster than ResultSet.get here.
        for result in [send() for _ in range(args.burst)]:
            result.get(timeout=args.timeout)
        throughput.append(args.burst / (time.perf_counter() - start))
        if args.latency:
            round_trips = []
            for _ in range(args.latency):
                start = time.perf_counter()
                send().get(timeout=args.timeout)
                round_trips.append((time.perf_counter() - start) * 1000)
            p50.append(percentile(round_trips, 0.50))
            p99.append(percentile(round_trips, 0.99))
    print(json.dumps({"throughput": throughput, "p50": p50, "p99": p99}))


if __name__ == "__main__":
    main()
