"""Readiness, for load balancers and orchestrators: does the task runner answer?"""

from fastapi import APIRouter

from api.deps import Dispatcher
from internal.adapters.jobs import RUNNER

router = APIRouter()


@router.get("/ready")
@router.head("/ready", include_in_schema=False)
async def ready(dispatcher: Dispatcher) -> dict[str, str]:
    """200 while the task runner answers (within JOBS_TIMEOUT_SECONDS), else 503 with
    Retry-After: send traffic here only while it says ready. /health says the process is up."""
    await dispatcher.ping()
    return {"status": "ready", "task_runner": RUNNER}
