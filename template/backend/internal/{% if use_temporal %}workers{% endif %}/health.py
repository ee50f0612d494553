"""Worker health check: is a worker of this host polling the task queue right now?

From backend/: `python -m internal.workers.health` exits 0 when the Temporal server has seen a
worker of this host (container) poll the task queue within the last two minutes, 1 otherwise.
A worker with no HTTP port is checked where it matters: from the server's side.
"""

import logging
import os
import socket
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from internal.workers.client import connect
from internal.workers.process import run_and_exit
from pkg.config.jobs import JobSettings, job_settings
from pkg.logger import setup_logging

logger = logging.getLogger("internal.workers.health")

# An idle worker's long poll can last about a minute before it polls again.
FRESHNESS = timedelta(minutes=2)


def worker_identity() -> str:
    """The identity the worker reports to the server: `pid@host`."""
    return f"{os.getpid()}@{socket.gethostname()}"


async def polling_here(client: Client, task_queue: str) -> bool:
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    host, now = f"@{socket.gethostname()}", datetime.now(UTC)
    return any(
        poller.identity.endswith(host) and now - poller.last_access_time.ToDatetime(UTC) < FRESHNESS
        for poller in response.pollers
    )


async def check(settings: JobSettings) -> None:
    if not await polling_here(await connect(settings), settings.temporal_task_queue):
        raise RuntimeError(f"no worker of this host polls {settings.temporal_task_queue!r}")
    logger.info("a worker of this host polls %r", settings.temporal_task_queue)


def main() -> None:
    setup_logging()
    run_and_exit(check(job_settings))


if __name__ == "__main__":
    main()
