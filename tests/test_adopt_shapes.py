"""Adoption of `lich init` projects in the shapes teams have them, then a runner switch.

Two real-life projects, built as `lich init` builds them (tests/legacy_lich.py) with options the
other adoption tests do not use, each with a team's work on top:

- **billing**: a Celery project in a subdirectory of a bigger repository (`services/billing_core/`
  beside `web/`), whose app has its own Redis (`use_redis`), whose compose puts the database on
  lich init's `internal_net`, whose `.env` is `.env.example` copied as is (empty values), with
  the team's own Celery task and beat entry in the runner files, code elsewhere importing that
  task, and a test whose failure changes cause with the adoption;
- **ledger**: a Temporal project at its repository's root (MongoDB, Keycloak, no Redis, plain
  logs, i18n, a microservice) with no `.env` at all, and the team's own workflow and activity
  registered in lich init's worker.

Each is adopted with the documented command, installed with `make install`, its tests and the
template's run, the team's task or workflow runs on the adopted worker against a real server
(embedded Valkey, Temporal dev server), `docker compose config` accepts the stack; then a switch
with `copier update`, and the same checks again.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import legacy_lich
from tests.helpers import (
    BIN,
    UNIT_TESTS,
    python_env,
    read_answers,
    read_env,
    temporal_dev_server,
    valkey_server,
)
from tests.processes import stop
from tests.test_adopt import adopt as run_adopt
from tests.test_adopt import make, pytest_results
from tests.update_helpers import commit_all, git, is_clean, output, unmerged, update

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

# ---------------------------------------------------------------- the team's work

INVOICE_TASK = """

@shared_task
def send_invoice_reminders(days_overdue: int = 7):
    logger.info(f"Reminding invoices {days_overdue} days overdue")
    return {"reminded": days_overdue}
"""
INVOICE_BEAT = """    "invoice-reminders": {
        "task": "internal.celery_tasks.send_invoice_reminders",
        "schedule": crontab(hour=8, minute=30),
        "args": (14,),
    },
"""
REMINDERS = '''"""Invoice reminders: queued for the workers."""
from internal.celery_tasks import send_invoice_reminders


def reminder_task_name() -> str:
    return send_invoice_reminders.name
'''
REMINDERS_TEST = """from internal.billing.reminders import reminder_task_name
from internal.celery_tasks import send_invoice_reminders


def test_the_reminder_task_keeps_its_name():
    assert reminder_task_name() == "internal.celery_tasks.send_invoice_reminders"


def test_the_reminder_task_runs():
    assert send_invoice_reminders(3) == {"reminded": 3}
"""
# Fails before the adoption (no celery installed) and after it for another reason.
CAUSE_TEST = """def test_celery_major_version():
    import celery
    assert celery.__version__.startswith("4.")
"""

INVOICE_WORKFLOW = """

@workflow.defn
class InvoiceWorkflow:
    @workflow.run
    async def run(self, invoice_id: str) -> str:
        return await workflow.execute_activity(
            "send_invoice_activity",
            invoice_id,
            start_to_close_timeout=timedelta(seconds=30),
        )
"""
INVOICE_ACTIVITY = """

@activity.defn
async def send_invoice_activity(invoice_id: str) -> str:
    logger.info(f"Sending invoice {invoice_id}")
    return f"sent {invoice_id}"
"""
INVOICE_WORKFLOW_TEST = """from internal.workers.activities import send_invoice_activity
from internal.workers.workflows import InvoiceWorkflow


def test_the_invoice_workflow_is_defined():
    assert InvoiceWorkflow.__name__ == "InvoiceWorkflow"
    assert send_invoice_activity.__name__ == "send_invoice_activity"
"""


def register_in_worker(main: str) -> str:
    """lich init's worker main.py, registering the team's workflow and activity too."""
    main = main.replace(
        "    ScheduledReportWorkflow,\n)", "    ScheduledReportWorkflow,\n    InvoiceWorkflow,\n)"
    )
    main = main.replace(
        "    upload_to_s3_activity,\n)", "    upload_to_s3_activity,\n    send_invoice_activity,\n)"
    )
    main = main.replace(
        "            ScheduledReportWorkflow,\n        ],",
        "            ScheduledReportWorkflow,\n            InvoiceWorkflow,\n        ],",
    )
    return main.replace(
        "            upload_to_s3_activity,\n        ],",
        "            upload_to_s3_activity,\n            send_invoice_activity,\n        ],",
    )


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def billing_repository(root: Path) -> Path:
    """A repository whose first commit is not lich init's, with the project in a subfolder."""
    repo = root / "acme"
    (repo / "web").mkdir(parents=True)
    (repo / "web/package.json").write_text('{"name": "web"}\n')
    commit_all(repo, "the web app")
    project = legacy_lich.render(
        repo / "services/billing_core", "Billing Core", "celery", use_redis=True
    )
    commit_all(repo, "lich init")
    backend = project / "backend"
    append(backend / "internal/celery_tasks.py", INVOICE_TASK)
    celery_app = backend / "internal/celery_app.py"
    celery_app.write_text(
        celery_app.read_text().replace(
            '    "sync-external-data": {', INVOICE_BEAT + '    "sync-external-data": {'
        )
    )
    (backend / "internal/billing").mkdir()
    (backend / "internal/billing/__init__.py").write_text("")
    (backend / "internal/billing/reminders.py").write_text(REMINDERS)
    (backend / "tests/test_reminders.py").write_text(REMINDERS_TEST)
    (backend / "tests/test_cause.py").write_text(CAUSE_TEST)
    append(backend / "requirements.txt", "email-validator>=2.0\n")
    commit_all(repo, "invoice reminders")
    # The team's .env: .env.example copied as is, empty values included (ignored by git).
    (project / ".env").write_text((project / ".env.example").read_text())
    assert "REDIS_PASSWORD=\n" in (project / ".env").read_text()
    return project


def ledger_repository(root: Path) -> Path:
    project = legacy_lich.render(
        root / "ledger",
        "Ledger",
        "temporal",
        database="mongodb",
        auth_strategy="keycloak",
        use_redis=False,
        use_structured_logging=False,
        use_i18n=True,
        is_microservice=True,
    )
    commit_all(project, "lich init")
    workers = project / "backend/internal/workers"
    append(workers / "workflows.py", INVOICE_WORKFLOW)
    append(workers / "activities.py", INVOICE_ACTIVITY)
    (workers / "main.py").write_text(register_in_worker((workers / "main.py").read_text()))
    (project / "backend/tests/test_invoice_workflow.py").write_text(INVOICE_WORKFLOW_TEST)
    append(project / "backend/requirements.txt", "email-validator>=2.0\n")
    commit_all(project, "invoices")
    assert not (project / ".env").exists()
    return project


# ---------------------------------------------------------------- helpers


def adopt(template: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_adopt(template, project, *args)
    assert result.returncode == 0, output(result)
    return result


def venv_python(project: Path, code: str, env: dict[str, str] | None = None) -> Any:
    """Run `code` with the project's own Python in backend/; its last stdout line, as JSON."""
    result = subprocess.run(
        [project / "backend/.venv/bin/python", "-c", code],
        cwd=project / "backend",
        env={**python_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def compose_config(project: Path) -> dict[str, Any]:
    """`docker compose config` of the project, as the engine would read it (no engine needed)."""
    result = subprocess.run(
        [BIN / "docker-compose", "config", "--format", "json"],
        cwd=project,
        env={**python_env(), "COMPOSE_PROJECT_NAME": "shapes"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def shared_networks(config: dict[str, Any], one: str, other: str) -> set[str]:
    def networks(service: str) -> set[str]:
        return set(config["services"][service].get("networks") or {"default": None})

    return networks(one) & networks(other)


def install_and_test(project: Path, *args: str) -> tuple[set[str], set[str]]:
    installed = make(project, "install")
    assert installed.returncode == 0, output(installed)
    return pytest_results(project / "backend", project / "backend/.venv/bin/python", *args)


def template_tests(project: Path, legacy: set[str]) -> set[str]:
    """Test files the template added: everything the project did not have before."""
    files = {path.name for path in (project / "backend/tests").glob("test_*.py")}
    return files - legacy


def run_celery_task(project: Path, tmp: Path, task: str, *args: Any) -> Any:
    """The adopted worker, started with the documented command, runs `task` by its name."""
    with valkey_server(tmp / "valkey") as valkey:
        env = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(valkey.port), "REDIS_PASSWORD": ""}
        log = (tmp / "worker.log").open("w")
        worker = subprocess.Popen(
            [project / "backend/.venv/bin/celery", "-A", "internal.celery_app", "worker",
             "-l", "INFO", "--pool", "solo", "--without-mingle", "--without-gossip"],
            cwd=project / "backend",
            env={**python_env(), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            code = (
                "import json, sys\nfrom internal.celery_app import app\n"
                f"result = app.send_task({task!r}, args={list(args)!r})\n"
                "value = result.get(timeout=90)\n"
                "backend = app.backend.client.connection_pool.connection_kwargs['db']\n"
                "print(json.dumps({'value': value, 'result_db': backend,"
                " 'queue': app.conf.task_default_queue}))"
            )
            outcome = venv_python(project, code, env)
        finally:
            stop(worker)
            log.close()
        assert "Traceback" not in (tmp / "worker.log").read_text(), (tmp / "worker.log").read_text()
        return outcome


def run_temporal_workflow(project: Path, workflow: str, argument: str) -> Any:
    """The adopted worker, started with the documented command, runs `workflow` by its type."""
    with temporal_dev_server() as address:
        env = {"TEMPORAL_ADDRESS": address}
        log_path = project.parent / "temporal-worker.log"
        log = log_path.open("w")
        worker = subprocess.Popen(
            [project / "backend/.venv/bin/python", "-m", "internal.workers.main"],
            cwd=project / "backend",
            env={**python_env(), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            code = (
                "import asyncio, json, os\nfrom temporalio.client import Client\n"
                "from pkg.config.jobs import job_settings\n"
                "async def main():\n"
                "    client = await Client.connect(os.environ['TEMPORAL_ADDRESS'],"
                " namespace=job_settings.temporal_namespace)\n"
                f"    return await client.execute_workflow({workflow!r}, {argument!r},"
                " id='adopted-run', task_queue=job_settings.temporal_task_queue)\n"
                "print(json.dumps({'value': asyncio.run(main()),"
                " 'queue': job_settings.temporal_task_queue}), flush=True)\n"
                "os._exit(0)  # the SDK may crash at interpreter exit (sdk-python #300)\n"
            )
            return venv_python(project, code, env)
        finally:
            stop(worker)
            log.close()


# ---------------------------------------------------------------- the tests


def test_a_celery_project_in_a_monorepo_with_its_own_redis(
    copier_template: Path, tmp_path: Path
) -> None:
    project = billing_repository(tmp_path)
    repo = project.parents[1]
    legacy_files = {path.name for path in (project / "backend/tests").glob("test_*.py")}
    result = adopt(copier_template, project)
    out = result.stdout
    assert is_clean(repo)

    # 1. Compared with lich init's own commit, wherever the project sits: nothing unedited is
    # reported as edited, and lich init's unedited files are replaced or removed.
    assert "lich-kept/adopted-unused" not in out, out
    assert "backend/Dockerfile: lich init's, unedited, replaced" in out, out
    assert "Removed (unedited lich init file of temporal): backend/internal/workers/main.py" in out
    # 2. The team's task stays in celery_tasks.py under its name, with its beat entry; lich init's
    # untouched stubs go; code importing the task still imports.
    tasks = (project / "backend/internal/celery_tasks.py").read_text()
    assert "def send_invoice_reminders(" in tasks
    assert "def cleanup_old_data(" not in tasks and "def upload_to_s3(" not in tasks
    # adopt.py ran the whole suite, integration tests included (real Valkey and worker): none
    # fails for it alone. Here the rest, without the integration tests it ran.
    assert "Tests failing after the adoption only" not in out, out
    passed, failed = install_and_test(project, *UNIT_TESTS)
    assert {
        "tests/test_reminders.py::test_the_reminder_task_keeps_its_name",
        "tests/test_reminders.py::test_the_reminder_task_runs",
    } <= passed, failed
    template_files = template_tests(project, legacy_files)
    assert template_files and not {t for t in failed if t.split("::")[0][6:] in template_files}
    # A test failing before and after, for another reason each time, is reported as such.
    assert "tests/test_cause.py::test_celery_major_version" in failed
    cause = out.split("Tests failing after the adoption", 1)
    assert len(cause) == 2 and "test_cause.py::test_celery_major_version" in cause[1], out
    schedule = venv_python(
        project,
        "import json\nfrom internal.celery_app import app\n"
        "print(json.dumps({k: v['task'] for k, v in app.conf.beat_schedule.items()}))",
    )
    assert schedule["invoice-reminders"] == "internal.celery_tasks.send_invoice_reminders"
    assert "cleanup-old-data" not in schedule, "lich init's untouched entries go with their tasks"
    # The names running systems use: broker database 1, results 2, queue `celery`.
    ran = run_celery_task(project, tmp_path, "internal.celery_tasks.send_invoice_reminders", 5)
    assert ran == {"value": {"reminded": 5}, "result_db": 2, "queue": "celery"}
    broker = venv_python(
        project,
        "import json\nfrom pkg.config.jobs import job_settings as s\n"
        "print(json.dumps(s.broker_url))",
        {"REDIS_PORT": "6379", "REDIS_HOST": "localhost"},
    )
    assert broker == "redis://localhost:6379/1"
    # In production the jobs API takes lich init's own users (its JWT get_current_user).
    example = read_env(project / ".env.example")
    assert example["JOBS_AUTH_DEPENDENCY"] == "internal.services.auth_deps:get_current_user"
    # On Kubernetes too: the ConfigMap and the autoscalers watch the names the system uses.
    cluster = read_env(project / "deploy/k8s/config.env")
    assert {key: cluster[key] for key in ("CELERY_DEFAULT_QUEUE", "REDIS_BROKER_DB")} == {
        "CELERY_DEFAULT_QUEUE": "celery",
        "REDIS_BROKER_DB": "1",
    }
    assert cluster["JOBS_AUTH_DEPENDENCY"] == example["JOBS_AUTH_DEPENDENCY"]
    scaled = (project / "deploy/k8s/jobs/celery.yaml").read_text()
    assert "listName: celery\n" in scaled and "listName: default\n" not in scaled
    assert 'databaseIndex: "1"' in scaled and 'databaseIndex: "0"' not in scaled

    # 3-5. The app's Redis stays the team's service, with its options, volume and network; the
    # runner's services share it and reach the database; the empty REDIS_PASSWORD is fine.
    config = compose_config(project)
    redis = config["services"]["redis"]
    assert redis["image"] == "redis:7-alpine" and "--appendonly" in " ".join(redis["command"])
    assert [volume["source"] for volume in redis["volumes"]] == ["redis_data"]
    worker = config["services"]["celery-worker"]
    assert "redis" in worker["depends_on"]
    assert shared_networks(config, "celery-worker", "postgres"), "workers reach the database"
    assert shared_networks(config, "celery-worker", "redis")
    # 7. CI installs from the lock; lich init's CI that installed requirements.txt is gone.
    workflows = project / ".github/workflows"
    assert not (workflows / "ci-backend.yml").exists()
    assert "make install" in (workflows / "ci.yml").read_text()
    assert "lint now covers" in out.lower(), out

    # 6. A switch that removes the module the team's code imports says so at once.
    commit_all(repo, "after make install")
    switched = update(project, "--vcs-ref=:current:", "-d", "task_runner=temporal")
    assert switched.returncode == 0, output(switched)
    said = output(switched)
    assert "internal/billing/reminders.py" in said and "internal.celery_tasks" in said, said
    assert "REDIS_HOST" not in said.split("no longer read", 1)[-1].split("\n", 1)[0], said
    conflicts = {path.removeprefix("services/billing_core/") for path in unmerged(project)}
    assert conflicts <= {"README.md"}, "the app's files merge: only prose conflicts"
    if conflicts:  # the team's README against the template's: keep theirs
        git(project, "checkout", "--ours", "--", "README.md")
    config = compose_config(project)
    assert config["services"]["redis"]["image"] == "redis:7-alpine", "a switch keeps the app's"
    assert shared_networks(config, "temporal-worker", "postgres")
    assert "REDIS_HOST" in read_env(project / ".env.example"), "the app still reads it"
    commit_all(repo, "switch to Temporal")
    passed, failed = install_and_test(project, *UNIT_TESTS)
    assert not {t for t in failed if t.split("::")[0][6:] in template_tests(project, legacy_files)}


def test_a_temporal_project_without_env_keeps_its_workflow_running(
    copier_template: Path, tmp_path: Path
) -> None:
    project = ledger_repository(tmp_path)
    legacy_files = {path.name for path in (project / "backend/tests").glob("test_*.py")}
    result = adopt(copier_template, project, "--skip-tests")
    out = result.stdout
    assert read_answers(project)["task_runner"] == "temporal"
    # No .env: nothing is claimed to be written to it; make install writes one.
    assert not (project / ".env").exists()
    assert ".env: added" not in out, out
    workers = project / "backend/internal/workers"
    assert "class InvoiceWorkflow" in (workers / "workflows.py").read_text()
    assert "def send_invoice_activity" in (workers / "activities.py").read_text()
    assert "class DataProcessingWorkflow" not in (workers / "workflows.py").read_text()
    passed, failed = install_and_test(project)
    assert (project / ".env").exists()
    assert "tests/test_invoice_workflow.py::test_the_invoice_workflow_is_defined" in passed
    assert not {t for t in failed if t.split("::")[0][6:] in template_tests(project, legacy_files)}
    # The team's workflow runs on the adopted worker, on lich init's task queue.
    ran = run_temporal_workflow(project, "InvoiceWorkflow", "INV-7")
    assert ran == {"value": "sent INV-7", "queue": "ledger-tasks"}
    config = compose_config(project)
    assert shared_networks(config, "temporal-worker", "mongodb")
    # Lint: the template's files strictly; lich init's at its own level, and it says so.
    assert "lint now covers" in out.lower(), out
    commit_all(project, "after make install")

    switched = update(project, "--vcs-ref=:current:", "-d", "task_runner=celery")
    assert switched.returncode == 0, output(switched)
    assert set(unmerged(project)) <= {"README.md"}
    if unmerged(project):
        git(project, "checkout", "--ours", "--", "README.md")
    compose_config(project)  # valid: the runner's Redis gets a generated password
    assert read_env(project / ".env")["REDIS_PASSWORD"]
    config = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert config["task_runner"] == "celery"
    commit_all(project, "switch to Celery")
    passed, failed = install_and_test(project, *UNIT_TESTS)
    assert not {t for t in failed if t.split("::")[0][6:] in template_tests(project, legacy_files)}
    assert os.path.exists(project / "lich-kept/temporal/backend/internal/workers/workflows.py")
