"""The example e-mail job, dispatched through the jobs port to this project's task runner.

Its input limits, time bounds and error answers are in api/http/jobs.py.
"""

from typing import Annotated

from fastapi import APIRouter, Header, status

from api.http.jobs import Dispatcher, Job
from internal.dto.emails import IDEMPOTENCY_KEY_PATTERN, EmailJob, JobReceipt, JobStatus

router = APIRouter()

# The body is read by api/http/jobs.py (size limit first), so its schema is stated here.
JOB_BODY = {"content": {"application/json": {"schema": EmailJob.model_json_schema()}}}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    openapi_extra={"requestBody": {"required": True, **JOB_BODY}},
)
async def send_email(
    job: Job,
    dispatcher: Dispatcher,
    idempotency_key: Annotated[
        str | None,
        Header(
            pattern=IDEMPOTENCY_KEY_PATTERN,
            description="The same key sends once; without one, every request is a new job.",
        ),
    ] = None,
) -> JobReceipt:
    """Queue an e-mail. Repeating a request with the same Idempotency-Key sends it once; the
    same key with other content is refused (409)."""
    return await dispatcher.send_email(job, idempotency_key=idempotency_key)


@router.get("/{job_id}")
async def email_status(job_id: str, dispatcher: Dispatcher) -> JobStatus:
    """The job's state: queued, running, succeeded, failed, or unknown."""
    return await dispatcher.status(job_id)
