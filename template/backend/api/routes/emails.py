"""Dispatches the example e-mail job through the runner-agnostic jobs port."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, status

from internal.jobs import EmailDispatcher, EmailJob, JobReceipt, JobStatus, get_dispatcher

router = APIRouter(prefix="/emails", tags=["emails"])

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
    return await dispatcher.status(job_id)
