"""Temporal activities: the side effects. Workflows call them; they may fail and be retried.

Every side effect is keyed by the workflow id (plus a position for multi-step work), so a retry,
or a second run of the same workflow id, never repeats it: the outbox keeps one e-mail per key.
Activities log through `activity.logger`, which adds the workflow and activity ids to each record
(as message text, and as the `temporal_activity` field of JSON logs).
"""

import re
import time
from dataclasses import dataclass

from temporalio import activity
from temporalio.exceptions import ApplicationError

from internal.entities.email import ADDRESS_PATTERN
from internal.services.email_service import email_service, outbox

INVALID_EMAIL = "InvalidEmail"
# Well inside the newsletter's heartbeat timeout (the SDK batches heartbeats it sends).
HEARTBEAT_EVERY_SECONDS = 1.0
# The API validates its requests already; any other client (a script, the CLI) may send anything.
_ADDRESS = re.compile(ADDRESS_PATTERN)


@dataclass
class EmailRequest:
    """One e-mail; a dataclass so fields can be added later without breaking running workflows."""

    to: str
    subject: str
    body: str = ""


@dataclass
class NewsletterInput:
    recipients: list[str]
    subject: str
    body: str
    pause_seconds: float = 0.0


def _check_address(address: str) -> None:
    """A malformed address fails the workflow at once: retrying would never fix it."""
    if not _ADDRESS.match(address):
        raise ApplicationError(
            f"not an e-mail address: {address!r}", type=INVALID_EMAIL, non_retryable=True
        )


def _workflow_id() -> str:
    """The id of the workflow running this activity: the idempotency key of its side effects."""
    workflow_id = activity.info().workflow_id
    if workflow_id is None:  # a standalone activity has no workflow, and nothing to key by
        raise ApplicationError("this activity runs inside a workflow", non_retryable=True)
    return workflow_id


@activity.defn(name="send_email_activity")
def send_email_activity(email: str, subject: str) -> bool:
    """The documented example's notification: the body says which workflow sent it."""
    info = activity.info()
    activity.logger.info("sending %r to %s (attempt %d)", subject, email, info.attempt)
    _check_address(email)
    workflow_id = _workflow_id()
    body = f"{subject}\n\nThis notification was sent by workflow {workflow_id}."
    return email_service().send(email, subject, body, idempotency_key=workflow_id)


@activity.defn
def deliver_email_activity(request: EmailRequest) -> bool:
    """An e-mail with the caller's own body (the API's `POST /emails`)."""
    info = activity.info()
    activity.logger.info("sending %r to %s (attempt %d)", request.subject, request.to, info.attempt)
    _check_address(request.to)
    return email_service().send(
        request.to, request.subject, request.body, idempotency_key=_workflow_id()
    )


@activity.defn
def send_newsletter_activity(newsletter: NewsletterInput) -> int:
    """A long activity: heartbeats after each recipient and, when retried, resumes from the last
    heartbeat instead of starting over. A heartbeat may be lost with a crashed worker, so the
    per-recipient idempotency key still guards the few e-mails sent after it."""
    info, workflow_id = activity.info(), _workflow_id()
    start = int(info.heartbeat_details[0]) if info.heartbeat_details else 0
    total = len(newsletter.recipients)
    if start:
        activity.logger.info("resuming at %d/%d (attempt %d)", start, total, info.attempt)
    for index in range(start, total):
        email_service().send(
            newsletter.recipients[index],
            newsletter.subject,
            newsletter.body,
            idempotency_key=f"{workflow_id}-{index}",
        )
        activity.heartbeat(index + 1)
        activity.logger.info("newsletter progress: %d/%d sent", index + 1, total)
        if newsletter.pause_seconds and index + 1 < total:
            _pause(newsletter.pause_seconds, progress=index + 1)
    return total


def _pause(seconds: float, *, progress: int) -> None:
    """Sleep, heartbeating every second: a pause longer than the heartbeat timeout is no crash."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, HEARTBEAT_EVERY_SECONDS))
        activity.heartbeat(progress)


@activity.defn
def outbox_report_activity() -> int:
    """Run by the outbox-report Schedule: logs how many e-mails the outbox holds."""
    count = len(outbox().messages())
    activity.logger.info("outbox report: %d e-mail(s) delivered so far", count)
    return count
