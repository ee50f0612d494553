"""The example e-mail job, dispatched through the jobs port to this project's task runner."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, status

from internal.adapters.jobs import get_dispatcher
from internal.dto.emails import EmailJob, JobReceipt, JobStatus
from internal.ports.jobs import EmailDispatcher

router = APIRouter()

Dispatcher = Annotated[EmailDispatcher, Depends(get_dispatcher)]


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def send_email(
    job: EmailJob,
    dispatcher: Dispatcher,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> JobReceipt:
    """Queue an e-mail. Repeating a request with the same Idempotency-Key sends it once."""
    return await dispatcher.send_email(job, idempotency_key=idempotency_key)


@router.get("/{job_id}")
async def email_status(job_id: str, dispatcher: Dispatcher) -> JobStatus:
    """The job's state: queued, running, succeeded, failed, or unknown."""
    return await dispatcher.status(job_id)
