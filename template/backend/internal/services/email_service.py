"""The e-mail use case, shared by every task runner: build the message, deliver it exactly once."""

import logging

from opentelemetry import trace

from internal.adapters.mail.file_outbox import FileOutbox
from internal.entities.email import OutgoingEmail
from internal.ports.mail import Mailer
from pkg.config.jobs import job_settings

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


class EmailService:
    def __init__(self, mailer: Mailer, sender: str) -> None:
        self.mailer = mailer
        self.sender = sender

    def send(self, to: str, subject: str, body: str, *, idempotency_key: str) -> bool:
        """Deliver one e-mail; a repeated call with the same key is a logged no-op. Returns True."""
        email = OutgoingEmail(sender=self.sender, to=to, subject=subject, body=body)
        # A span of its own in the job's trace: the key, never the address or the text.
        attributes = {"email.key": idempotency_key}
        with tracer.start_as_current_span("deliver email", attributes=attributes):
            delivered = self.mailer.deliver(email, idempotency_key=idempotency_key)
        if delivered:
            logger.info("e-mail %r to %s sent (key %s)", subject, to, idempotency_key)
        else:
            logger.info("e-mail with key %s was sent already; skipping it", idempotency_key)
        return True


def outbox() -> FileOutbox:
    """The outbox the settings name (read each time, so tests may point it elsewhere)."""
    return FileOutbox(job_settings.outbox_dir)


def email_service() -> EmailService:
    return EmailService(outbox(), job_settings.email_sender)
