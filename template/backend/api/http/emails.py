"""The example e-mail job, dispatched through the jobs port to this project's task runner."""

from fastapi import APIRouter, Depends, status

from api.deps import Dispatcher, IdempotencyKey, JobId, JobsAccess, json_body
from internal.dto.emails import EmailJob, JobReceipt, JobStatus

# The largest valid job (a 100,000-character body, every character escaped) fits.
MAX_BODY_BYTES = 1024 * 1024

router = APIRouter(dependencies=[JobsAccess], max_body_size=MAX_BODY_BYTES)


@router.post("", status_code=status.HTTP_202_ACCEPTED, dependencies=[Depends(json_body)])
async def send_email(
    job: EmailJob, dispatcher: Dispatcher, idempotency_key: IdempotencyKey = None
) -> JobReceipt:
    """Queue an e-mail. Repeating a request with the same Idempotency-Key sends it once; the
    same key with other content is refused (409)."""
    return await dispatcher.send_email(job, idempotency_key=idempotency_key)


@router.get("/{job_id}")
async def email_status(job_id: JobId, dispatcher: Dispatcher) -> JobStatus:
    """The job's state: queued, running, succeeded, failed, or unknown."""
    return await dispatcher.status(job_id)
