"""What the jobs routes depend on: the task runner, a job id, a JSON body, and in production
the caller's credentials."""

import hmac
import json
from collections.abc import Callable
from importlib import import_module
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.runner import GuardedDispatcher, guarded_dispatcher
from internal.dto.emails import IDEMPOTENCY_KEY_PATTERN
from internal.ports.jobs import JOB_ID_PATTERN
from pkg.config.jobs import job_settings
from pkg.config.settings import settings

Dispatcher = Annotated[GuardedDispatcher, Depends(guarded_dispatcher)]
JobId = Annotated[str, Path(pattern=JOB_ID_PATTERN, description="`email-<Idempotency-Key>`")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="The same key sends once; without one, every request is a new job.",
    ),
]


async def json_body(request: Request) -> None:
    """JSON, sent as JSON: a web page may post `text/plain` to any site without asking first,
    so anything else is refused (415); and a key given twice is refused, not taken last."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "send the job as Content-Type: application/json"
        )
    try:
        json.loads(await request.body(), object_pairs_hook=_unique_keys)
    except _RepeatedKey as repeated:
        problem = {"loc": ["body", repeated.key], "msg": "given twice", "type": "repeated_key"}
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [problem]) from None
    except ValueError:
        pass  # not JSON: FastAPI has answered 422 already


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key[:64]


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found


_bearer = HTTPBearer(auto_error=False, description="JOBS_API_TOKEN, in production")


async def _token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    expected = job_settings.jobs_api_token
    given = credentials.credentials if credentials else ""
    # Compared in constant time, so the answer's timing tells nothing about the token.
    if expected is None or not hmac.compare_digest(
        given.encode(), expected.get_secret_value().encode()
    ):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid bearer token is required",
            {"WWW-Authenticate": "Bearer"},
        )


async def _open() -> None:
    """Outside production the jobs API is open: `make dev` serves it on 127.0.0.1 only."""


def jobs_access() -> Callable[..., Any]:
    """Who may use the jobs API: anyone outside production; in production the project's own
    auth dependency (JOBS_AUTH_DEPENDENCY, `module:function`), else a bearer token
    (JOBS_API_TOKEN). With neither, the API would send e-mail for anyone: it does not start."""
    if settings.environment != "production":
        return _open
    if job_settings.jobs_auth_dependency:
        module, _, name = job_settings.jobs_auth_dependency.partition(":")
        dependency: Callable[..., Any] = getattr(import_module(module), name)
        return dependency
    if job_settings.jobs_api_token is not None:
        return _token
    raise SystemExit(
        "ENVIRONMENT is production, and the jobs API (POST /emails) would send e-mail for "
        "anyone: set JOBS_API_TOKEN (a bearer token the callers send) or JOBS_AUTH_DEPENDENCY "
        "(your auth dependency, module:function) in .env."
    )


JobsAccess = Depends(jobs_access())
