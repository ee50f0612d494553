"""The mail port: delivers an e-mail once per idempotency key."""

from typing import Protocol

from internal.entities.email import OutgoingEmail


class Mailer(Protocol):
    def deliver(self, email: OutgoingEmail, *, idempotency_key: str) -> bool:
        """Deliver `email` unless this key was delivered before; True if delivered now."""
        ...

    def contains(self, idempotency_key: str) -> bool:
        """Whether an e-mail with this key was delivered."""
        ...
