"""Count the work a task runner still holds; run by the *project's* Python from `backend/`.

    backend/.venv/bin/python <template>/extensions/migrations/probe.py celery|temporal

It imports the project's own runner code, so it reaches exactly the broker or server the project
is configured for (`.env`, environment), with the project's TLS and credentials. It prints one
JSON line: {"ok": true, "queued": N, "running": M, "detail": "..."} or
{"ok": false, "error": "..."}.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from typing import Any

TIMEOUT = 4.0


def celery() -> dict[str, Any]:
    from internal.celery_app import app

    app.conf.broker_connection_timeout = TIMEOUT
    queued: dict[str, int] = {}
    with app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=TIMEOUT)
        for queue in app.conf.task_queues or [app.conf.task_default_queue]:
            name = getattr(queue, "name", queue)
            channel = connection.channel()
            try:
                if hasattr(channel, "_size"):
                    # kombu's virtual transports (Redis): the list length. Their passive declare
                    # misses queues under a global_keyprefix (CELERY_NAMESPACE).
                    queued[name] = channel._size(name)
                else:
                    queued[name] = channel.queue_declare(queue=name, passive=True).message_count
            except Exception:  # a queue that was never declared holds nothing
                queued[name] = 0
            finally:
                # The broker may have closed it already, after a 404.
                with contextlib.suppress(Exception):
                    channel.close()
    inspector = app.control.inspect(timeout=0.5)
    running = sum(len(tasks) for tasks in (inspector.active() or {}).values())
    reserved = sum(len(tasks) for tasks in (inspector.reserved() or {}).values())
    detail = ", ".join(f"{name}: {count}" for name, count in queued.items())
    return {
        "ok": True,
        "queued": sum(queued.values()) + reserved,
        "running": running,
        "detail": f"queues {detail}; {reserved} reserved by workers",
    }


def job_settings() -> Any:
    """The project's runner settings: pkg.config.jobs since 2.0.0, pkg.config.settings before."""
    try:
        from pkg.config.jobs import job_settings
    except ImportError:
        from pkg.config.settings import get_settings

        return get_settings()
    return job_settings


async def temporal() -> dict[str, Any]:
    from internal.workers.client import connect

    settings = job_settings()
    client = await asyncio.wait_for(connect(settings), TIMEOUT)
    count = await asyncio.wait_for(client.count_workflows('ExecutionStatus="Running"'), TIMEOUT)
    return {
        "ok": True,
        "queued": 0,
        "running": count.count,
        "detail": f"namespace {settings.temporal_namespace} at {settings.temporal_address}",
    }


def main() -> None:
    sys.path.insert(0, os.getcwd())
    try:
        result = celery() if sys.argv[1] == "celery" else asyncio.run(temporal())
    except BaseException as error:  # every failure is reported as "could not check"
        result = {"ok": False, "error": f"{type(error).__name__}: {error}".strip()}
    print(json.dumps(result), flush=True)
    # The Temporal SDK can crash while the interpreter shuts down (sdk-python #300); the answer
    # is already printed, so leave without running that teardown.
    os._exit(0)


if __name__ == "__main__":
    main()
