"""The jobs port: what the API needs from a background task runner, whichever runner it is.

Each runner's adapter (internal/adapters/jobs/) implements `EmailDispatcher`; the API depends
only on this module, so switching runners never changes a call site.
"""

import uuid
from typing import Protocol

from internal.dto.emails import EmailJob, JobReceipt, JobStatus


class EmailDispatcher(Protocol):
    async def send_email(
        self, job: EmailJob, *, idempotency_key: str | None = None
    ) -> JobReceipt: ...

    async def status(self, job_id: str) -> JobStatus: ...


def email_job_id(idempotency_key: str | None) -> str:
    """One job id per idempotency key, so a repeated request maps to the same job."""
    return f"email-{idempotency_key or uuid.uuid4().hex}"
