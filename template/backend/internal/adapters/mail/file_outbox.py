"""A file outbox: writes each e-mail as an RFC 5322 `.eml` file instead of talking to SMTP.

It stands in for a mail relay in development and tests: every delivery is a file you can open.
Delivery is idempotent: one file per idempotency key, published atomically, so a retried or
redelivered job never sends the same e-mail twice.
"""

import hashlib
import logging
import os
import re
import tempfile
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from internal.entities.email import OutgoingEmail

logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FileOutbox:
    """The `Mailer` port (internal/ports/mail.py) over a directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, idempotency_key: str) -> Path:
        """The file a key maps to; the hash keeps distinct keys apart after sanitising."""
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:12]
        readable = _UNSAFE.sub("_", idempotency_key)[:80]
        return self.directory / f"{readable}-{digest}.eml"

    def contains(self, idempotency_key: str) -> bool:
        return self.path_for(idempotency_key).exists()

    def deliver(self, email: OutgoingEmail, *, idempotency_key: str) -> bool:
        """Write the e-mail once per key: True if written now, False if it was already there."""
        target = self.path_for(idempotency_key)
        if target.exists():
            return False
        self.directory.mkdir(parents=True, exist_ok=True)
        message = EmailMessage()
        message["From"] = email.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=email.sender.rpartition("@")[2] or None)
        message["X-Idempotency-Key"] = idempotency_key
        message.set_content(email.body)
        # Write to a temporary file, then hard-link it into place: the link fails if another
        # delivery of the same key won the race, so exactly one complete file is ever visible.
        fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, target)
            except FileExistsError:
                return False
        finally:
            os.unlink(temporary)
        logger.debug("wrote e-mail to %s into %s", email.to, target)
        return True

    def messages(self) -> list[Path]:
        """Delivered e-mails, oldest first."""
        if not self.directory.exists():
            return []
        return sorted(self.directory.glob("*.eml"), key=lambda path: path.stat().st_mtime)
