"""A generated project run with `docker compose`, as its README says: what the compose tests
(tests/test_compose.py) and the scale-out benchmark (bench/scaleout.py) drive it with.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests import docker_engine
from tests.helpers import free_port, python_env, read_env, run

WAIT = 240  # seconds for a stack to come up healthy (images are built on the first run)
# Host ports the compose files publish, each set in .env to a free port (the machine's own Redis
# and RabbitMQ hold the defaults).
PUBLISHED = (
    "API_PORT",
    "REDIS_PORT",
    "RABBITMQ_PORT",
    "RABBITMQ_MANAGEMENT_PORT",
    "FLOWER_PORT",
    "TEMPORAL_PORT",
    "TEMPORAL_UI_PORT",
    "PROMETHEUS_PORT",
)


class Stack:
    """A generated project run with `docker compose`, as its README says."""

    def __init__(self, project: Path, engine: docker_engine.Engine, missing: set[str]) -> None:
        self.project = project
        self.engine = engine
        self.missing = missing
        self.env = read_env(project / ".env")
        self.api = f"http://127.0.0.1:{self.env['API_PORT']}"
        config = json.loads(self.compose("config", "--format", "json").stdout)
        self.config = config
        # Services whose image no registry or stand-in provides here (temporalio/ui).
        self.skipped = sorted(
            name for name, service in config["services"].items() if service.get("image") in missing
        )
        self.services = sorted(set(config["services"]) - set(self.skipped))

    def compose(self, *args: str, timeout: float = 600, check: bool = True) -> Any:
        return run(
            ["docker", "compose", *args],
            env=self.engine.env,
            cwd=self.project,
            timeout=timeout,
            check=check,
        )

    def up(self, *services: str) -> None:
        self.compose(
            "up", "--build", "--detach", "--wait", "--wait-timeout", str(WAIT),
            *(services or self.services), timeout=WAIT + 600,
        )  # fmt: skip

    def exec(self, service: str, *command: str, timeout: float = 120) -> str:
        return str(self.compose("exec", "-T", service, *command, timeout=timeout).stdout)

    def state(self) -> dict[str, dict[str, Any]]:
        """Each container's service, state, health and exit code."""
        lines = self.compose("ps", "--all", "--format", "json").stdout.splitlines()
        return {entry["Service"]: entry for entry in map(json.loads, filter(None, lines))}

    def outbox(self) -> list[str]:
        """The e-mails in the outbox volume (read through the API's container)."""
        listing = self.exec("api", "python", "-c", LIST_OUTBOX)
        return json.loads(listing)

    def http(self, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if key:
            request.add_header("Idempotency-Key", key)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def wait_for_job(self, job_id: str, timeout: float = 120) -> dict[str, Any]:
        return wait_until(
            lambda: (
                (status := self.http("GET", f"/emails/{job_id}"))["state"]
                in ("succeeded", "failed")
                and status
            ),
            timeout,
            f"job {job_id} to finish",
        )

    def wait_healthy(self, service: str, timeout: float = WAIT) -> None:
        wait_until(
            lambda: self.state()[service].get("Health") in ("healthy", ""),
            timeout,
            f"{service} to be healthy",
        )

    def down(self) -> None:
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "5", check=False)


# Printed as JSON by the API container: the outbox's file names and each one's To and Subject.
LIST_OUTBOX = """
import json, pathlib
from email import message_from_bytes
box = pathlib.Path("/data/outbox")
mails = []
for path in sorted(box.glob("*.eml")):
    message = message_from_bytes(path.read_bytes())
    mails.append(f"{message['To']}|{message['Subject']}|{path.name}")
print(json.dumps(mails))
"""


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (OSError, urllib.error.URLError, json.JSONDecodeError, AssertionError) as error:
            last = error
        else:
            if last:
                return last
        time.sleep(0.5)
    raise AssertionError(f"waited {timeout:.0f} s for {what}; last: {last!r}")


def prepare(
    project: Path, engine: docker_engine.Engine, images: docker_engine.Images, **extra_env: str
) -> Stack:
    """`make env`, as the README says (.env from .env.example with generated passwords), then
    free host ports and `extra_env` in .env, and every image the stack needs built or pulled."""
    run(["make", "--no-print-directory", "env"], project, python_env())
    with (project / ".env").open("a") as env:
        env.write("\n# Test: free host ports, faster redelivery\n")
        for key in PUBLISHED:
            env.write(f"{key}={free_port()}\n")
        for key, value in extra_env.items():
            env.write(f"{key}={value}\n")
    wanted = set(docker_engine.dockerfile_bases(project / "backend" / "Dockerfile"))
    config = run(["docker", "compose", "config", "--format", "json"], env=engine.env, cwd=project)
    wanted |= {
        service["image"]
        for service in json.loads(config.stdout)["services"].values()
        if "build" not in service and "image" in service
    }
    missing = {image for image in sorted(wanted) if not images.ensure(image)}
    return Stack(project, engine, missing)


# ---------------------------------------------------------------- many jobs, many workers


def post_jobs(stack: Stack, tag: str, count: int, clients: int = 12) -> list[str]:
    """POST /emails `count` times from `clients` threads, job n to `n@<tag>.example` with the
    subject `<tag> n`; returns the job ids. A refused request (503 while the runner is busy, a
    reset connection) is sent again with its key, as a client would: it is never queued twice."""

    def one(number: int) -> str:
        job = {"to": f"r{number}@{tag}.example", "subject": f"{tag} {number}", "body": ""}
        receipt = wait_until(
            lambda: stack.http("POST", "/emails", job, f"{tag}-{number}"), 120, f"job {number}"
        )
        return str(receipt["job_id"])

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(count)))


def delivered(stack: Stack, tag: str) -> list[int]:
    """The job numbers of `tag` whose e-mail is in the outbox, one entry per .eml file."""
    return sorted(
        int(mail.split("|")[1].rpartition(" ")[2])
        for mail in stack.outbox()
        if mail.split("|")[1].startswith(f"{tag} ")
    )


def jobs_by_replica(stack: Stack, service: str, tag: str) -> Counter[str]:
    """How many of `tag`'s jobs each container of `service` logged work on (killed ones too)."""
    logs = stack.compose("logs", "--no-color", service, timeout=120).stdout
    pattern = re.compile(rf"^(\S+)\s+\|.*'{re.escape(tag)} (\d+)'", re.MULTILINE)
    return Counter(replica for replica, _ in set(pattern.findall(logs)))


def containers(stack: Stack, service: str) -> list[dict[str, Any]]:
    """`docker compose ps` of one service's replicas, running or not, by container name."""
    lines = stack.compose("ps", "--all", "--format", "json", service).stdout.splitlines()
    return sorted(map(json.loads, filter(None, lines)), key=lambda entry: entry["Name"])
