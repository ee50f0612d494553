"""The jobs port: what the API needs from a background runner, whichever runner it is.

Each runner's adapter implements `EmailDispatcher`; the API depends only on this
module, so switching runners never changes a call site.
"""

import uuid
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from internal.emails import ADDRESS_PATTERN

JobState = Literal["queued", "running", "succeeded", "failed", "unknown"]


class EmailJob(BaseModel):
    to: str = Field(pattern=ADDRESS_PATTERN, max_length=254)
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=100_000)


class JobReceipt(BaseModel):
    job_id: str
    runner: str
    state: JobState


class JobStatus(BaseModel):
    job_id: str
    state: JobState
    result: bool | None = None
    error: str | None = None


class EmailDispatcher(Protocol):
    async def send_email(
        self, job: EmailJob, *, idempotency_key: str | None = None
    ) -> JobReceipt: ...

    async def status(self, job_id: str) -> JobStatus: ...


def email_job_id(idempotency_key: str | None) -> str:
    """One job id per idempotency key, so a repeated request maps to the same job."""
    return f"email-{idempotency_key or uuid.uuid4().hex}"
