"""Liveness, for load balancers and compose health checks: the process is up (api/http/ready.py
says whether the task runner answers too)."""

from fastapi import APIRouter

from internal.adapters.jobs import RUNNER

router = APIRouter()


@router.get("/health")
@router.head("/health", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok", "task_runner": RUNNER}
