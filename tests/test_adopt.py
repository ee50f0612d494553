"""`extensions/adopt.py` brings a project made by the cookiecutter-based `lich init` under this
template; afterwards `copier update -d task_runner=...` works and nothing of the user's is lost.

The legacy projects are built here the way `lich init` left them: no answers file, both runners'
files whatever was chosen, `.lich/PROJECT_CONFIG.yaml` with `features.temporal`, requirements in
`backend/requirements.txt`, a bare-host `TEMPORAL_HOST` in `.env`, and the user's own code.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import python_env, read_answers
from tests.update_helpers import commit_all, git, is_clean, output, snapshot, unmerged, update

USER_WORKFLOW = (
    "from temporalio import workflow\n\n\n@workflow.defn\nclass OrderWorkflow:\n"
    "    @workflow.run\n    async def run(self, order_id: str) -> str:\n        return order_id\n"
)
USER_TASK = (
    "from internal.celery_app import app\n\n\n@app.task\ndef send_receipt(order_id: str) -> str:\n"
    "    return order_id\n"
)
ORDERS = "def total(prices: list[int]) -> int:\n    return sum(prices)\n"


def legacy_project(root: Path, runner: str) -> Path:
    """A `lich init` project that uses `runner` (temporal, celery or both)."""
    project = root / "shop"
    files = {
        ".lich/PROJECT_CONFIG.yaml": "project_name: Shop API\nproject_slug: shop_api\n"
        f"features:\n  temporal: {'yes' if runner == 'temporal' else 'no'}\n  docker: yes\n",
        "backend/requirements.txt": "fastapi==0.110.0\nuvicorn[standard]\ntemporalio>=1.5\n"
        + ("celery[redis]>=5.3\n" if runner != "temporal" else ""),
        "backend/api/__init__.py": "",
        "backend/api/routes/__init__.py": "",
        "backend/api/main.py": "from fastapi import FastAPI\n\nfrom api.routes import orders\n\n"
        "app = FastAPI()\napp.include_router(orders.router)\n",
        "backend/internal/__init__.py": "",
        "backend/internal/orders.py": ORDERS,
        # lich init generated both runners' files, whatever was chosen.
        "backend/internal/workers/__init__.py": "",
        "backend/internal/workers/main.py": "import asyncio\n\nTEMPORAL_HOST = 'localhost'\n",
        "backend/internal/workers/workflows.py": USER_WORKFLOW,
        "backend/internal/workers/activities.py": "async def send_email() -> bool:\n"
        "    return True\n",
        "backend/internal/celery_app.py": "from celery import Celery\n\napp = Celery('shop')\n",
        "backend/internal/celery_tasks.py": USER_TASK,
        ".env.example": "TEMPORAL_HOST=localhost\nTEMPORAL_NAMESPACE=shop\n"
        "CELERY_BROKER_URL=amqp://guest:guest@localhost:5672//\n",
        ".gitignore": ".env\n__pycache__/\n",
        "docker-compose.yml": "services:\n  api:\n    build: backend\n  temporal:\n"
        "    image: temporalio/auto-setup\n  temporal-ui:\n    image: temporalio/ui\n",
        "README.md": "# Shop API\n\nOur shop backend.\n",
    }
    imports = {
        "temporal": "from temporalio.client import Client\n",
        "celery": "from internal.celery_tasks import send_receipt\n",
        "both": "from temporalio.client import Client\n"
        "from internal.celery_tasks import send_receipt\n",
    }[runner]
    files["backend/api/routes/orders.py"] = (
        f"from fastapi import APIRouter\n{imports}\nrouter = APIRouter()\n"
    )
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    (project / ".env").write_text((project / ".env.example").read_text() + "SECRET_KEY=mine\n")
    commit_all(project, "Project created by lich init")
    return project


def adopt(template: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, template / "extensions" / "adopt.py", project, *args],
        env=python_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_adopt_a_temporal_project_then_switch_to_celery(
    copier_template: Path, tmp_path: Path
) -> None:
    project = legacy_project(tmp_path, "temporal")
    result = adopt(copier_template, project)
    assert result.returncode == 0, output(result)

    answers = read_answers(project)
    assert answers["task_runner"] == "temporal"
    assert answers["project_name"] == "Shop API" and answers["project_slug"] == "shop_api"
    assert answers["temporal_namespace"] == "shop", "taken from the project's .env"
    assert answers["author_name"] == "Lich Test", "taken from the git history"
    assert answers["_src_path"] == str(copier_template)
    assert "temporal: imported by backend/api/routes/orders.py" in result.stdout
    # The unused runner's legacy files are set aside, the user's code is untouched.
    kept = project / "lich-kept" / "adopted-unused" / "backend" / "internal"
    assert (kept / "celery_tasks.py").read_text() == USER_TASK
    assert not (project / "backend/internal/celery_tasks.py").exists()
    assert (project / "backend/internal/workers/workflows.py").read_text() == USER_WORKFLOW
    assert (project / "backend/internal/orders.py").read_text() == ORDERS
    assert (project / "backend/internal/jobs/port.py").is_file(), "template files were added"
    env = (project / ".env").read_text()
    assert "TEMPORAL_HOST=localhost" in env and "SECRET_KEY=mine" in env
    assert "TEMPORAL_ADDRESS=localhost:7233" in env, "keys the template reads were appended"
    assert is_clean(project), "adoption is one commit"
    assert "Adopt the Lich copier template" in git(project, "log", "-1", "--format=%s")

    before = snapshot(project)
    result = update(project, "--vcs-ref=:current:", "-d", "task_runner=celery")
    assert result.returncode == 0, output(result)
    assert read_answers(project)["task_runner"] == "celery"
    # The user's workflow, which the template would have deleted, is kept and named.
    assert (project / "lich-kept/temporal/backend/internal/workers/workflows.py").read_text() == (
        USER_WORKFLOW
    )
    assert "lich-kept/temporal/backend/internal/workers/workflows.py" in output(result)
    assert (project / "backend/internal/celery_app.py").is_file()
    assert not (project / "backend/internal/workers/workflows.py").exists()
    for name in ("backend/internal/orders.py", "backend/api/routes/orders.py"):
        assert (project / name).read_bytes() == before[name]
    assert "Our shop backend." in (project / "README.md").read_text()
    assert "SECRET_KEY=mine" in (project / ".env").read_text()
    assert "CELERY_RESULT_BACKEND=" in (project / ".env").read_text()
    # Conflicts only where the user's legacy version of a template file met a template change.
    assert set(unmerged(project)) <= set(before)


def test_adopt_a_celery_project_reads_its_broker_and_sets_temporal_aside(
    copier_template: Path, tmp_path: Path
) -> None:
    project = legacy_project(tmp_path, "celery")
    result = adopt(copier_template, project)
    assert result.returncode == 0, output(result)
    answers = read_answers(project)
    assert answers["task_runner"] == "celery"
    assert answers["celery_broker"] == "rabbitmq", "the broker URL in .env is amqp://"
    assert (project / "backend/internal/celery_tasks.py").read_text() == USER_TASK
    kept = project / "lich-kept/adopted-unused/backend/internal/workers/workflows.py"
    assert kept.read_text() == USER_WORKFLOW

    result = update(project, "--vcs-ref=:current:", "-d", "task_runner=none")
    assert result.returncode == 0, output(result)
    assert (project / "lich-kept/celery/backend/internal/celery_tasks.py").read_text() == USER_TASK
    assert (project / "backend/internal/jobs/inprocess_dispatcher.py").is_file()


@pytest.mark.parametrize("problem", ["both-runners-used", "dirty", "already-adopted"])
def test_adopt_refuses_clearly_and_changes_nothing(
    problem: str, copier_template: Path, tmp_path: Path
) -> None:
    project = legacy_project(tmp_path, "both" if problem == "both-runners-used" else "temporal")
    expected = {
        "both-runners-used": "--runner temporal or --runner celery",
        "dirty": "uncommitted changes or untracked files: commit them first",
        "already-adopted": "already has .copier-answers.yml",
    }[problem]
    if problem == "dirty":
        (project / "notes.txt").write_text("work in progress\n")
    if problem == "already-adopted":
        (project / ".copier-answers.yml").write_text("_commit: 1.0.0\n")
        commit_all(project, "answers")
    head, before = git(project, "rev-parse", "HEAD"), snapshot(project)

    result = adopt(copier_template, project)
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Nothing was changed." in result.stderr
    assert git(project, "rev-parse", "HEAD") == head and snapshot(project) == before

    if problem == "both-runners-used":
        forced = adopt(copier_template, project, "--runner", "celery")
        assert forced.returncode == 0, output(forced)
        assert "backend/internal/workers/workflows.py" in forced.stdout  # left in place, named
        assert (project / "backend/internal/workers/workflows.py").read_text() == USER_WORKFLOW
