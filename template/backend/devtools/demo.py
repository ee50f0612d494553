"""`make demo`: run the example e-mail job end to end and show the e-mail it wrote.

It starts the runner's servers on free ports, the worker with its documented command and the
jobs API, posts the job as a client would, waits for it, then stops everything.
"""

import json
import logging
import sys
import time
import urllib.request
import uuid
from typing import Any

from devtools import servers
from devtools.stack import embedded_servers, running, worker_commands
from internal.services.email_service import outbox
from pkg.logger import setup_logging

# Run as `python -m`, where __name__ is "__main__".
logger = logging.getLogger("devtools.demo")
TIMEOUT_SECONDS = 60.0
JOB = {"to": "ada@example.com", "subject": "Welcome to Lich", "body": "Sent by `make demo`."}


def call(url: str, body: dict[str, Any] | None = None, key: str = "") -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Idempotency-Key": key} if data else {}
    with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=30) as reply:
        answer: dict[str, Any] = json.load(reply)
        return answer


def send_and_wait(base: str) -> str:
    receipt = call(f"{base}/emails", JOB, key=f"demo-{uuid.uuid4().hex[:8]}")
    logger.info("POST /emails: job %s, %s", receipt["job_id"], receipt["state"])
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        status = call(f"{base}/emails/{receipt['job_id']}")
        if status["state"] == "failed":
            raise RuntimeError(f"job {receipt['job_id']} failed: {status['error']}")
        if status["state"] == "succeeded":
            logger.info("job %s succeeded", receipt["job_id"])
            return str(receipt["job_id"])
        time.sleep(0.1)
    raise TimeoutError(f"job {receipt['job_id']} did not finish within {TIMEOUT_SECONDS:.0f} s")


def main() -> int:
    setup_logging()
    port = servers.free_port()
    api = [sys.executable, "-m", "uvicorn", "--factory", "devtools.jobs_api:create_app"]
    api += ["--host", servers.HOST, "--port", str(port), "--log-level", "warning"]
    with (
        embedded_servers(isolated=True) as stack,
        running([*worker_commands(with_scheduler=False), api], stack.env) as children,
    ):
        servers.wait_for_port(port, process=children[-1])
        job_id = send_and_wait(f"http://{servers.HOST}:{port}")
    message = outbox().path_for(job_id)
    logger.info("the e-mail, as delivered to %s:\n%s", message, message.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
