"""`make demo`: run the example e-mail job end to end and show the e-mail it wrote.

It starts the runner's servers on free ports and the worker with the documented command,
dispatches the job through the same port the API uses, waits for it, then stops everything.
"""

import asyncio
import os
import sys
import time
import uuid

from devtools.stack import embedded_servers, running, worker_commands
from internal.services.email_service import outbox
from pkg.config.jobs import job_settings
from pkg.logger import get_logger, setup_logging

logger = get_logger("devtools.demo")
TIMEOUT_SECONDS = 60.0


async def send_and_wait() -> str:
    # Imported here, once the settings name this demo's servers: a runner's client is
    # configured when its module is imported.
    from internal.adapters.jobs import get_dispatcher
    from internal.dto.emails import EmailJob

    dispatcher = get_dispatcher()
    job = EmailJob(to="ada@example.com", subject="Welcome to Lich", body="Sent by `make demo`.")
    receipt = await dispatcher.send_email(job, idempotency_key=f"demo-{uuid.uuid4().hex[:8]}")
    logger.info("dispatched job %s (%s)", receipt.job_id, receipt.state)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        status = await dispatcher.status(receipt.job_id)
        if status.state in ("succeeded", "failed"):
            if status.state == "failed":
                raise RuntimeError(f"job {receipt.job_id} failed: {status.error}")
            logger.info("job %s succeeded with result %s", receipt.job_id, status.result)
            return receipt.job_id
        await asyncio.sleep(0.1)
    raise TimeoutError(f"job {receipt.job_id} did not finish within {TIMEOUT_SECONDS:.0f} s")


def main() -> int:
    setup_logging()
    with (
        embedded_servers(isolated=True) as env,
        running(worker_commands(with_scheduler=False), env),
    ):
        # The dispatcher in this process must reach the same servers as the worker: the settings
        # are read again, in place, with this demo's ports.
        os.environ.update(env)
        job_settings.__init__()  # type: ignore[misc]
        job_id = asyncio.run(send_and_wait())
    message = outbox().path_for(job_id)
    logger.info("the e-mail, as delivered to %s:\n%s", message, message.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
