"""Scale-out under `docker compose`: jobs per second through the API with one worker replica and
with three (`docker compose up --scale`), per runner, in the same run on the same stack.

Each figure is end to end: from the first `POST /emails` (12 client threads) to the last e-mail
in the outbox volume. The stack is the generated project's own compose files on the tests' Docker
engine (tests/docker_engine.py: stand-in images where no registry answers). On a 2-core machine
three replicas share the same two cores as the API, the broker and the server: the figure shows
what scaling out costs or gains here; the scale-out test (tests/test_compose.py) holds its
correctness.
"""

from __future__ import annotations

import time
import uuid

from bench.common import Config, Figure, say, snapshot_template
from bench.generation import generate
from tests import docker_engine
from tests.compose_stack import WAIT, Stack, delivered, post_jobs, prepare, wait_until

WORKERS = {"celery": "celery-worker", "temporal": "temporal-worker"}


def run_scaleout(config: Config) -> list[Figure]:
    try:
        engine = docker_engine.start_engine()
    except docker_engine.DockerUnavailable as error:
        say(f"scaleout: skipped, no Docker engine ({error})")
        return []
    work = config.work / "scaleout"
    template = snapshot_template(work / "template")
    jobs, reps = (200, 1) if config.quick else (1000, 2)
    figures: list[Figure] = []
    try:
        images = docker_engine.Images(engine)
        for runner, service in WORKERS.items():
            project = generate(template, work / runner, task_runner=runner)
            stack = prepare(project, engine, images)
            try:
                stack.up()
                rates: dict[int, list[float]] = {1: [], 3: []}
                for rep in range(reps):
                    for replicas in rates:  # alternating: load from elsewhere hits both alike
                        say(f"scaleout: {runner}, {replicas} replica(s), run {rep + 1}/{reps}")
                        rates[replicas].append(jobs_per_second(stack, service, replicas, jobs))
            finally:
                stack.down()
            one = Figure("scaleout", f"{runner}: {jobs} jobs, 1 worker replica", rates[1], "jobs/s")
            three = Figure(
                "scaleout",
                f"{runner}: {jobs} jobs, 3 worker replicas",
                rates[3],
                "jobs/s",
                baseline=one,
                note="2 cores shared by the API, the broker or server, and every replica",
            )
            figures += [one, three]
    finally:
        engine.stop()
    return figures


def jobs_per_second(stack: Stack, service: str, replicas: int, jobs: int) -> float:
    stack.compose(
        "up", "--detach", "--wait", "--wait-timeout", str(WAIT), "--no-recreate",
        "--scale", f"{service}={replicas}", service, timeout=WAIT + 120,
    )  # fmt: skip
    tag = f"bench{uuid.uuid4().hex[:6]}"
    start = time.perf_counter()
    post_jobs(stack, tag, jobs)
    wait_until(lambda: len(delivered(stack, tag)) >= jobs, 900, f"{jobs} e-mails")
    return jobs / (time.perf_counter() - start)
