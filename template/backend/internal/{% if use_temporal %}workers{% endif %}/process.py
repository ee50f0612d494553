"""Run a command-line entry point that uses the Temporal SDK, and exit with a reliable code."""

import asyncio
import logging
import os
import sys
from collections.abc import Coroutine
from typing import Any, NoReturn

logger = logging.getLogger(__name__)


def run_and_exit(main: Coroutine[Any, Any, None]) -> NoReturn:
    """Run `main`, then leave with 0 on success and 1 on an error (logged with its traceback).

    The SDK's native runtime can crash while the interpreter tears down (temporalio sdk-python
    #300), turning a clean run into exit code 134 or 139. The work is finished by then, so the
    process flushes its output and exits without that teardown.
    """
    code = 0
    try:
        asyncio.run(main)
    except Exception:
        logger.exception("stopped by an error")
        code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
