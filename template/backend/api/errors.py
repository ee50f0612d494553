"""The application's exception handlers: a 422 that never repeats what was sent."""

from typing import Any

from fastapi import Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

MAX_PROBLEMS = 10


async def validation_error(_: Request, error: Exception) -> JSONResponse:
    """Each field and what is wrong with it, never the value sent (a secret pasted in the
    wrong field, a header of 10 KB), and at most MAX_PROBLEMS of them."""
    assert isinstance(error, RequestValidationError)
    problems = [
        {
            "loc": [part if isinstance(part, int) else str(part)[:64] for part in problem["loc"]],
            "msg": str(problem["msg"])[:200],
            "type": problem["type"],
        }
        for problem in error.errors()[:MAX_PROBLEMS]
    ]
    return JSONResponse({"detail": problems}, status.HTTP_422_UNPROCESSABLE_CONTENT)


EXCEPTION_HANDLERS: dict[Any, Any] = {RequestValidationError: validation_error}
