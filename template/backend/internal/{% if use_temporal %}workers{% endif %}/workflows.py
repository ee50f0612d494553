"""Temporal workflows: deterministic orchestration only; all I/O happens in activities.

`workflow.logger` skips records while a workflow is replayed, so each line is logged once.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from internal.workers.activities import (
        INVALID_EMAIL,
        EmailRequest,
        NewsletterInput,
        deliver_email_activity,
        outbox_report_activity,
        send_newsletter_activity,
    )

# Retry transient failures with exponential backoff, and give up after a bounded number of tries;
# a malformed address is never retried.
DEFAULT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=5,
    non_retryable_error_types=[INVALID_EMAIL],
)


@workflow.defn
class EmailNotificationWorkflow:
    """The documented example: `run(email, subject) -> bool`, one notification e-mail."""

    @workflow.run
    async def run(self, email: str, subject: str) -> bool:
        sent: bool = await workflow.execute_activity(
            "send_email_activity",
            args=[email, subject],
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DEFAULT_RETRY,
            result_type=bool,
        )
        return sent


@workflow.defn
class SendEmailWorkflow:
    """An e-mail with its own body: what the API's jobs port starts for `POST /emails`."""

    @workflow.run
    async def run(self, request: EmailRequest) -> bool:
        workflow.logger.info("e-mail %r to %s requested", request.subject, request.to)
        return await workflow.execute_activity(
            deliver_email_activity,
            request,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DEFAULT_RETRY,
        )


@workflow.defn
class NewsletterWorkflow:
    """One long activity that heartbeats, so a crashed worker's progress is not lost."""

    @workflow.run
    async def run(self, newsletter: NewsletterInput) -> int:
        workflow.logger.info("newsletter to %d recipient(s)", len(newsletter.recipients))
        sent = await workflow.execute_activity(
            send_newsletter_activity,
            newsletter,
            start_to_close_timeout=timedelta(minutes=30),
            # A silent worker (crashed, partitioned) is noticed within 10 s and the activity
            # retried elsewhere, resuming from its last heartbeat.
            heartbeat_timeout=timedelta(seconds=10),
            retry_policy=DEFAULT_RETRY,
        )
        workflow.logger.info("newsletter done: %d e-mail(s)", sent)
        return sent


@workflow.defn
class OutboxReportWorkflow:
    """Started by the `outbox-report` Schedule (see schedules.py), Temporal's cron."""

    @workflow.run
    async def run(self) -> int:
        return await workflow.execute_activity(
            outbox_report_activity,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DEFAULT_RETRY,
        )
