"""Temporal worker entry point. From backend/: `python -m internal.workers.main`."""

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.worker import Worker

from internal.workers.activities import (
    deliver_email_activity,
    outbox_report_activity,
    send_email_activity,
    send_newsletter_activity,
)
from internal.workers.client import connect
from internal.workers.health import worker_identity
from internal.workers.process import run_and_exit
from internal.workers.workflows import (
    EmailNotificationWorkflow,
    NewsletterWorkflow,
    OutboxReportWorkflow,
    SendEmailWorkflow,
)
from pkg.config.settings import Settings, get_settings
from pkg.logging import configure_logging

logger = logging.getLogger("internal.workers")

WORKFLOWS = [EmailNotificationWorkflow, SendEmailWorkflow, NewsletterWorkflow, OutboxReportWorkflow]
ACTIVITIES = [
    send_email_activity,
    deliver_email_activity,
    send_newsletter_activity,
    outbox_report_activity,
]
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
            # pid@host: what the health check (internal/workers/health.py) looks for.
            identity=worker_identity(),
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
    # JSON logs carry the workflow/activity ids as fields; text logs append them to the message.
    workflow.logger.workflow_info_on_message = settings.log_format == "text"
    activity.logger.activity_info_on_message = settings.log_format == "text"
    run_and_exit(run_worker(settings))


if __name__ == "__main__":
    main()
