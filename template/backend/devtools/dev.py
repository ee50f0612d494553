"""`make dev`: the API, the runner's embedded servers and its workers, with no Docker.

Ctrl-C (or SIGTERM) stops everything it started.
"""

import signal
import sys
import time

from devtools.stack import embedded_servers, running, worker_commands
from pkg.config.settings import get_settings
from pkg.logging import configure_logging

API_PORT = 8000


def main() -> int:
    configure_logging(get_settings().log_level)
    # Turn SIGTERM into the same orderly exit as Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    api = [sys.executable, "-m", "uvicorn", "api.main:app", "--reload", "--port", str(API_PORT)]
    try:
        with embedded_servers(ui=True) as env, running([*worker_commands(), api], env) as children:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
