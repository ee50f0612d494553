"""The jobs port: what the API needs from a background task runner, whichever runner it is.

Each runner's adapter (internal/adapters/jobs/) implements `EmailDispatcher`; the API depends
only on this module, so switching runners never changes a call site, or an answer.

A job id is `email-<Idempotency-Key>` (a random key when the request has none: then every
request is a job of its own). Every adapter reports a job in exactly one of these states:

| State | When |
|-------|------|
| `queued` | accepted, not started yet (or waiting for a retry) |
| `running` | a worker is running it |
| `succeeded` | done; `result` holds its value |
| `failed` | given up for good; `error` says why |
| `unknown` | no such e-mail job: never sent, not an e-mail job, or its record expired |

`send_email` with the key of an existing job returns that job's state (and sends nothing);
with another request's content under that key it raises `IdempotencyConflict`. A runner that
does not answer within the timeout (JOBS_TIMEOUT_SECONDS) raises `RunnerUnavailable`.
"""

import uuid
from typing import Protocol

from internal.dto.emails import IDEMPOTENCY_KEY_PATTERN, EmailJob, JobReceipt, JobStatus

JOB_PREFIX = "email-"
JOB_ID_PATTERN = "^" + JOB_PREFIX + IDEMPOTENCY_KEY_PATTERN.removeprefix("^")


class RunnerUnavailable(Exception):
    """The task runner did not answer in time; the caller may try again later."""


class IdempotencyConflict(Exception):
    """The idempotency key belongs to a job with other content."""


class EmailDispatcher(Protocol):
    async def send_email(
        self, job: EmailJob, *, idempotency_key: str | None = None
    ) -> JobReceipt: ...

    async def status(self, job_id: str) -> JobStatus: ...

    async def ping(self) -> None:
        """Return when the runner answers; raise RunnerUnavailable when it does not."""
        ...


def email_job_id(idempotency_key: str | None) -> str:
    """One job id per idempotency key, so a repeated request maps to the same job."""
    return f"{JOB_PREFIX}{idempotency_key or uuid.uuid4().hex}"
