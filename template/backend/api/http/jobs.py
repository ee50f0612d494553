"""What the jobs routes depend on: the request's job, read safely, and the task runner, each
call bounded in time.

A body over MAX_BODY_BYTES is refused (413) before it is read whole, and a 422 names each field
and problem without echoing what was sent. Every call to the runner waits at most
JOBS_TIMEOUT_SECONDS: a runner that does not answer gives 503 with Retry-After.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request, status
from pydantic import ValidationError

from internal.adapters.jobs import get_dispatcher
from internal.dto.emails import EmailJob, JobReceipt, JobStatus
from internal.ports.jobs import (
    EmailDispatcher,
    IdempotencyConflict,
    RunnerUnavailable,
    is_email_job_id,
)
from pkg.config.jobs import job_settings

T = TypeVar("T")
# The largest valid request (a 100,000-character body, every character escaped) fits.
MAX_BODY_BYTES = 1024 * 1024


async def read_job(request: Request) -> EmailJob:
    """The request's e-mail job: 413 as soon as the body is known to be too large, 422 if it is
    not a valid job."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _too_large()
    try:
        return EmailJob.model_validate_json(body)
    except ValidationError as error:
        problems = [
            {"loc": ["body", *problem["loc"]], "msg": problem["msg"], "type": problem["type"]}
            for problem in error.errors(
                include_url=False, include_input=False, include_context=False
            )
        ]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems) from None


def _too_large() -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE, f"the request is larger than {MAX_BODY_BYTES} bytes"
    )


class BoundedDispatcher:
    """The project's dispatcher for HTTP: each call bounded in time, its errors as answers."""

    def __init__(self, dispatcher: EmailDispatcher) -> None:
        self.dispatcher = dispatcher

    async def send_email(self, job: EmailJob, *, idempotency_key: str | None = None) -> JobReceipt:
        return await self._call(self.dispatcher.send_email(job, idempotency_key=idempotency_key))

    async def status(self, job_id: str) -> JobStatus:
        if not is_email_job_id(job_id):  # nothing to ask the runner about
            return JobStatus(job_id=job_id, state="unknown")
        return await self._call(self.dispatcher.status(job_id))

    async def ping(self) -> None:
        await self._call(self.dispatcher.ping())

    async def _call(self, call: Awaitable[T]) -> T:
        async with _runner_errors(), asyncio.timeout(job_settings.jobs_timeout_seconds):
            return await call


@asynccontextmanager
async def _runner_errors() -> AsyncIterator[None]:
    """The jobs port's errors as HTTP answers."""
    try:
        yield
    except (RunnerUnavailable, TimeoutError):
        retry_after = {"Retry-After": str(round(job_settings.jobs_retry_after_seconds))}
        detail = "the task runner does not answer; try again later"
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail, retry_after) from None
    except IdempotencyConflict:
        conflict = "this Idempotency-Key belongs to a request with other content: use a new key"
        raise HTTPException(status.HTTP_409_CONFLICT, conflict) from None


def bounded_dispatcher() -> BoundedDispatcher:
    return BoundedDispatcher(get_dispatcher())


Dispatcher = Annotated[BoundedDispatcher, Depends(bounded_dispatcher)]
Job = Annotated[EmailJob, Depends(read_job)]
