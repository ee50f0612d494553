"""The task runner, as the API calls it: every call bounded in time, and while the runner is
known to be down, an answer at once instead of a wait.

A call that fails because the runner does not answer opens a short circuit: the following calls
get 503 straight away, while one probe (the same check as GET /ready) asks the runner every
second and closes the circuit as soon as it answers.
"""

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

from fastapi import HTTPException, status
from prometheus_client import Counter

from internal.adapters.jobs import RUNNER, get_dispatcher
from internal.dto.emails import EmailJob, JobReceipt, JobStatus
from internal.ports.jobs import EmailDispatcher, IdempotencyConflict, RunnerUnavailable
from pkg.config.jobs import job_settings
from pkg.telemetry import record_job

T = TypeVar("T")
# On GET /metrics. Refused jobs (401, 413, 415, 422) are FastAPI's request metrics of POST /emails.
JOB_REQUESTS = Counter(
    "jobs_requests",
    "Jobs asked of the API, by runner and outcome: accepted, conflict (409), unavailable (503)",
    ["runner", "outcome"],
)
_OUTCOMES = {
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_503_SERVICE_UNAVAILABLE: "unavailable",
}
PROBE_INTERVAL_SECONDS = 1.0
logger = logging.getLogger(__name__)


class Circuit:
    """Whether the runner is known to be down, and the probe that finds out when it is back."""

    def __init__(self) -> None:
        self._probe: asyncio.Task[None] | None = None

    @property
    def open(self) -> bool:
        return self._probe is not None and not self._probe.done()

    def trip(self, dispatcher: EmailDispatcher) -> None:
        if not self.open:
            logger.warning("the task runner does not answer: jobs get 503 until it does")
            self._probe = asyncio.get_running_loop().create_task(self._wait_for(dispatcher))

    def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            self._probe = None

    async def _wait_for(self, dispatcher: EmailDispatcher) -> None:
        while True:
            await asyncio.sleep(PROBE_INTERVAL_SECONDS)
            try:
                async with asyncio.timeout(job_settings.jobs_timeout_seconds):
                    await dispatcher.ping()
            except (RunnerUnavailable, TimeoutError):
                continue
            logger.info("the task runner answers again")
            return


circuit = Circuit()


class GuardedDispatcher:
    """The jobs port for HTTP: each call bounded in time, its failures as HTTP answers."""

    def __init__(self, dispatcher: EmailDispatcher) -> None:
        self.dispatcher = dispatcher

    async def send_email(self, job: EmailJob, *, idempotency_key: str | None = None) -> JobReceipt:
        call = self.dispatcher.send_email(job, idempotency_key=idempotency_key)
        try:
            receipt = await self._call(call)
        except HTTPException as error:
            JOB_REQUESTS.labels(RUNNER, _OUTCOMES.get(error.status_code, "error")).inc()
            raise
        JOB_REQUESTS.labels(RUNNER, "accepted").inc()
        record_job(receipt.job_id, idempotency_key)
        return receipt

    async def status(self, job_id: str) -> JobStatus:
        return await self._call(self.dispatcher.status(job_id))

    async def ping(self) -> None:
        """Asks the runner even while the circuit is open: this is the check that closes it."""
        circuit.close()
        await self._call(self.dispatcher.ping())

    async def _call(self, call: Awaitable[T]) -> T:
        if circuit.open:
            if asyncio.iscoroutine(call):
                call.close()  # never awaited: no call goes out
            raise _unavailable()
        try:
            async with asyncio.timeout(job_settings.jobs_timeout_seconds):
                return await call
        except (RunnerUnavailable, TimeoutError):
            circuit.trip(self.dispatcher)
            raise _unavailable() from None
        except IdempotencyConflict:
            conflict = "this Idempotency-Key belongs to a request with other content: use a new key"
            raise HTTPException(status.HTTP_409_CONFLICT, conflict) from None


def _unavailable() -> HTTPException:
    retry_after = {"Retry-After": str(round(job_settings.jobs_retry_after_seconds))}
    detail = "the task runner does not answer; try again later"
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail, retry_after)


def guarded_dispatcher() -> GuardedDispatcher:
    return GuardedDispatcher(get_dispatcher())
