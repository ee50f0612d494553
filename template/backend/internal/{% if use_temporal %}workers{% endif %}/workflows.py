"""Temporal workflows: deterministic orchestration only; all I/O happens in activities."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from internal.workers.activities import NewsletterInput, send_newsletter_activity

# Retry transient failures with exponential backoff, and give up after a bounded number of tries.
DEFAULT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=5,
)


@workflow.defn
class EmailNotificationWorkflow:
    @workflow.run
    async def run(self, email: str, subject: str) -> bool:
        return await workflow.execute_activity(
            "send_email_activity",
            args=[email, subject],
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DEFAULT_RETRY,
            result_type=bool,
        )


@workflow.defn
class NewsletterWorkflow:
    @workflow.run
    async def run(self, newsletter: NewsletterInput) -> int:
        return await workflow.execute_activity(
            send_newsletter_activity,
            newsletter,
            start_to_close_timeout=timedelta(minutes=30),
            # A silent worker (crashed, partitioned) is noticed within 10 s and the activity
            # retried elsewhere, resuming from its last heartbeat.
            heartbeat_timeout=timedelta(seconds=10),
            retry_policy=DEFAULT_RETRY,
        )
