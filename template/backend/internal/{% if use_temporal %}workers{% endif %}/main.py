"""Temporal worker entry point. From backend/: `python -m internal.workers.main`."""

import asyncio
import logging
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio.worker import Worker

from internal.workers.activities import send_email_activity, send_newsletter_activity
from internal.workers.client import connect
from internal.workers.workflows import EmailNotificationWorkflow, NewsletterWorkflow
from pkg.config.settings import Settings, get_settings
from pkg.logging import configure_logging

logger = logging.getLogger("internal.workers")

WORKFLOWS = [EmailNotificationWorkflow, NewsletterWorkflow]
ACTIVITIES = [send_email_activity, send_newsletter_activity]
MAX_CONCURRENT_ACTIVITIES = 20


async def run_worker(settings: Settings) -> None:
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    grace = timedelta(seconds=settings.temporal_graceful_shutdown_seconds)
    # Activities are synchronous (blocking file or network I/O): they run in this thread pool.
    with ThreadPoolExecutor(max_workers=MAX_CONCURRENT_ACTIVITIES) as executor:
        worker = Worker(
            client,
            task_queue=settings.temporal_task_queue,
            workflows=WORKFLOWS,
            activities=ACTIVITIES,
            activity_executor=executor,
            max_concurrent_activities=MAX_CONCURRENT_ACTIVITIES,
            graceful_shutdown_timeout=grace,
        )
        async with worker:
            logger.info(
                "worker polling task queue %r on %s (namespace %s)",
                settings.temporal_task_queue,
                settings.temporal_address,
                settings.temporal_namespace,
            )
            await stop.wait()
            logger.info(
                "shutting down: in-flight activities get %.0f s to finish",
                settings.temporal_graceful_shutdown_seconds,
            )
    logger.info("worker stopped")


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(run_worker(settings))
    # The SDK's native runtime can crash while the interpreter tears down (sdk-python#300).
    # The worker has already shut down cleanly here, so exit without that teardown.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
