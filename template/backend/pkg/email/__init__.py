"""E-mail delivery."""

from pkg.email.outbox import FileOutbox, OutgoingEmail

__all__ = ["FileOutbox", "OutgoingEmail"]
