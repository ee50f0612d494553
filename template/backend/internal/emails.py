"""The e-mail use case, shared by every runner: build the message and deliver it exactly once."""

import logging

from pkg.config.settings import get_settings
from pkg.email import FileOutbox, OutgoingEmail

logger = logging.getLogger(__name__)

# What counts as an e-mail address, for the API's requests and for any check a worker repeats.
ADDRESS_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def outbox() -> FileOutbox:
    return FileOutbox(get_settings().outbox_dir)


def send_email(to: str, subject: str, body: str, *, idempotency_key: str) -> bool:
    """Deliver one e-mail; a repeated call with the same key is a logged no-op. Returns True."""
    email = OutgoingEmail(sender=get_settings().email_sender, to=to, subject=subject, body=body)
    if outbox().deliver(email, idempotency_key=idempotency_key):
        logger.info("e-mail %r to %s sent (key %s)", subject, to, idempotency_key)
    else:
        logger.info("e-mail with key %s was already sent; skipping the duplicate", idempotency_key)
    return True
