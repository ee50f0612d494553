"""Temporal activities: the side effects. Workflows call them; they may fail and be retried.

Every side effect is keyed by the workflow id, so a retried activity never repeats it.
"""

import logging
import time
from dataclasses import dataclass

from temporalio import activity

from internal import emails

logger = logging.getLogger(__name__)


@activity.defn(name="send_email_activity")
def send_email_activity(email: str, subject: str) -> bool:
    info = activity.info()
    logger.info("sending %r to %s (attempt %d)", subject, email, info.attempt)
    body = f"{subject}\n\nThis notification was sent by workflow {info.workflow_id}."
    return emails.send_email(email, subject, body, idempotency_key=info.workflow_id)


@dataclass
class NewsletterInput:
    recipients: list[str]
    subject: str
    body: str
    pause_seconds: float = 0.0


@activity.defn
def send_newsletter_activity(newsletter: NewsletterInput) -> int:
    """A long activity: heartbeats after each recipient and, when retried, resumes from the last
    heartbeat instead of starting over."""
    info = activity.info()
    start = int(info.heartbeat_details[0]) if info.heartbeat_details else 0
    total = len(newsletter.recipients)
    if start:
        logger.info("resuming newsletter %s at %d/%d", info.workflow_id, start, total)
    for index in range(start, total):
        emails.send_email(
            newsletter.recipients[index],
            newsletter.subject,
            newsletter.body,
            idempotency_key=f"{info.workflow_id}-{index}",
        )
        activity.heartbeat(index + 1)
        logger.info("newsletter %s: %d/%d sent", info.workflow_id, index + 1, total)
        if newsletter.pause_seconds:
            time.sleep(newsletter.pause_seconds)
    return total
