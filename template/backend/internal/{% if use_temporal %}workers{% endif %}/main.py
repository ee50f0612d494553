"""Temporal worker entry point. From backend/: `python -m internal.workers.main`."""

import asyncio
import logging
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from internal.workers.activities import (
    deliver_email_activity,
    outbox_report_activity,
    send_email_activity,
    send_newsletter_activity,
)
from internal.workers.client import connect
from internal.workers.error_reports import ErrorReports
from internal.workers.health import worker_identity
from internal.workers.process import run_and_exit
from internal.workers.schedules import apply_schedules
from internal.workers.workflows import (
    EmailNotificationWorkflow,
    NewsletterWorkflow,
    OutboxReportWorkflow,
    SendEmailWorkflow,
)
from pkg.config.jobs import JobSettings, job_settings
from pkg.config.settings import settings as app_settings
from pkg.config.telemetry import telemetry_settings
from pkg.logger import setup_logging
from pkg.telemetry import setup_error_reports, setup_telemetry

logger = logging.getLogger("internal.workers")

WORKFLOWS: list[type] = [
    EmailNotificationWorkflow,
    SendEmailWorkflow,
    NewsletterWorkflow,
    OutboxReportWorkflow,
]
ACTIVITIES: list[Callable[..., Any]] = [
    send_email_activity,
    deliver_email_activity,
    send_newsletter_activity,
    outbox_report_activity,
]
MAX_CONCURRENT_ACTIVITIES = 20


def metrics_runtime(settings: JobSettings) -> Runtime | None:
    """With TEMPORAL_METRICS_PORT set, the SDK serves its metrics there for Prometheus."""
    if settings.temporal_metrics_port is None:
        return None
    address = f"{telemetry_settings.metrics_host}:{settings.temporal_metrics_port}"
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))


async def run_worker(settings: JobSettings) -> None:
    client = await connect(settings, metrics_runtime(settings))
    # Temporal's cron: make sure the Schedules exist and match schedules.py (safe on every start).
    await apply_schedules(client, settings)
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
            interceptors=[ErrorReports()] if telemetry_settings.sentry_dsn else [],
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
    setup_logging()
    setup_telemetry("worker")
    setup_error_reports("worker")
    # JSON logs carry the workflow/activity ids as fields; text logs append them to the message.
    workflow.logger.workflow_info_on_message = app_settings.log_format == "text"
    activity.logger.activity_info_on_message = app_settings.log_format == "text"
    run_and_exit(run_worker(job_settings))


if __name__ == "__main__":
    main()
