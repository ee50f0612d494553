"""`make dev`: the API, the runner's embedded servers and its workers, with no Docker.

Ctrl-C (or SIGTERM) stops everything it started.
"""

import argparse
import signal
import sys
import time

from devtools.stack import embedded_servers, running, worker_commands
from pkg.logger import setup_logging


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    parser.add_argument("--ui-port", type=int, default=8233, help="runner UI port, if it has one")
    args = parser.parse_args()
    setup_logging()
    # Turn SIGTERM into the same orderly exit as Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    api = [sys.executable, "-m", "uvicorn", "main:app", "--reload", "--port", str(args.port)]
    try:
        with (
            embedded_servers(ui_port=args.ui_port) as env,
            running([*worker_commands(), api], env) as children,
        ):
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
