"""`make dev`: the API and the task runner's local stack, on the addresses .env names.

Ctrl-C, or SIGTERM or SIGINT sent to this process or to `make`, stops the API and the workers
first, then the servers, and exits 0. A port in use is refused before anything starts.
"""

import os
import signal
import sys
import time
from types import FrameType

from devtools import servers
from devtools.stack import embedded_servers, running, worker_commands
from pkg.config.settings import settings
from pkg.logger import get_logger, setup_logging

logger = get_logger("devtools.dev")


class StopRequest:
    """Whether to stop: a signal arrived, or the `make` that started us is gone or interrupted.

    `make` passes SIGTERM on to its recipe, but not SIGINT sent to its pid alone: it blocks SIGINT
    and waits for the recipe to end, which its /proc status shows (Linux).
    """

    def __init__(self) -> None:
        self.signal: int | None = None
        self.parent = os.getppid()
        self.make = _command_of(self.parent) in ("make", "gmake")
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(number, self._received)

    def _received(self, number: int, _: FrameType | None) -> None:
        self.signal = number

    def __bool__(self) -> bool:
        if self.signal is not None or os.getppid() != self.parent:
            return True
        return self.make and _blocks_sigint(self.parent)


def _command_of(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return comm.read().strip()
    except OSError:
        return ""


def _blocks_sigint(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("SigBlk:"):
                    return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    except OSError:
        return False
    return False


def main() -> int:
    setup_logging()
    stop = StopRequest()
    api = [sys.executable, "-m", "uvicorn", "main:app", "--reload"]
    api += ["--host", settings.api_host, "--port", str(settings.api_port)]
    try:
        servers.check_free(settings.api_port, "API_PORT", "the API")
        with (
            embedded_servers(isolated=False, ui=True) as env,
            running([*worker_commands(), api], env) as children,
        ):
            address = f"http://{settings.api_host}:{settings.api_port}"
            logger.info("API on %s; Ctrl-C stops everything", address)
            while not stop:
                if exited := [child for child in children if child.poll() is not None]:
                    logger.error("%s exited with code %s", exited[0].args, exited[0].returncode)
                    return 1
                time.sleep(0.2)
    except servers.PortTaken as error:
        logger.error("make dev: %s", error)
        return 1
    logger.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
