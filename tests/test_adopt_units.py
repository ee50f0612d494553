"""The adoption's decisions on their own, on lich init's files (tests/legacy_lich.py) and the
template's: what is the team's code, what goes, what is registered, how failures compare.

Pure functions, no process: the end-to-end tests (test_adopt.py, test_adopt_shapes.py) run the
same code on whole projects.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

# extensions/ is on sys.path: conftest.py imports tests.helpers, which puts it there.
from adoption.compose import with_default_network
from adoption.runner_code import (
    Carried,
    carry_celery_app,
    carry_definitions,
    carry_worker_main,
    imported_names,
)
from adoption.verify import cause, compare_failures

from tests import legacy_lich

LICH = legacy_lich.files("Shop", "shop", legacy_lich.Options(task_runner="celery"))
TASKS = LICH["backend/internal/celery_tasks.py"]
APP = LICH["backend/internal/celery_app.py"]
TEMPLATE_TASKS = '''"""The template's tasks."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def send_email(to: str, subject: str, body: str) -> bool:
    return True
'''
TEMPLATE_APP = '''"""The template's app."""

from celery import Celery

app = Celery("shop", include=["internal.celery_tasks"])
app.conf.beat_schedule = {"outbox-report": {"task": "internal.celery_tasks.report_outbox"}}
'''
TEMPLATE_MAIN = '''"""The template's worker."""

from typing import Any

from internal.workers.activities import send_email_activity
from internal.workers.workflows import EmailNotificationWorkflow

WORKFLOWS: list[type] = [
    EmailNotificationWorkflow,
]
ACTIVITIES: list[Any] = [
    send_email_activity,
]


def main() -> None:
    pass
'''


def defined(source: str) -> set[str]:
    tree = ast.parse(source)
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}


def test_the_teams_task_is_kept_and_lich_inits_untouched_stubs_go() -> None:
    ours = TASKS + "\n\n@shared_task\ndef send_invoice(number: str):\n    return HELPER + number\n"
    ours += '\n\nHELPER = "INV-"\n'
    carried = carry_definitions("tasks.py", TASKS, ours, TEMPLATE_TASKS, set())
    assert carried.kept == ["HELPER", "send_invoice"]
    assert defined(carried.text) == {"send_email", "send_invoice"}
    assert 'HELPER = "INV-"' in carried.text, "what the task uses comes with it"
    assert carried.clashes == []
    compile(carried.text, "tasks.py", "exec")


def test_a_stub_the_teams_code_imports_stays_with_what_it_needs() -> None:
    carried = carry_definitions("tasks.py", TASKS, TASKS, TEMPLATE_TASKS, {"process_data"})
    assert "process_data" in defined(carried.text)
    assert "cleanup_old_data" not in defined(carried.text)
    assert "from typing import Optional" in carried.text, "its annotation's import"


def test_an_edited_stub_with_the_templates_name_is_named_not_merged() -> None:
    ours = TASKS.replace('logger.info(f"Sending email to {to}: {subject}")', "smtp_send(to)")
    carried = carry_definitions("tasks.py", TASKS, ours, TEMPLATE_TASKS, set())
    assert carried.clashes == ["send_email"]
    assert "smtp_send" not in carried.text, "the template's send_email stays"


def test_beat_entries_follow_their_tasks() -> None:
    entry = '    "invoices": {"task": "internal.celery_tasks.send_invoice", "schedule": 60.0},\n'
    ours = APP.replace('    "cleanup-old-data": {', entry + '    "cleanup-old-data": {')
    ours = ours.replace(
        '"internal.celery_tasks",\n    ],',
        '"internal.celery_tasks",\n        "internal.billing",\n    ],',
    )
    tasks = Carried("tasks.py", kept=["health_check"])
    carried = carry_celery_app("app.py", APP, ours, TEMPLATE_APP, tasks, set())
    assert carried.beat == ["invoices", "health-check"], "new, and those of kept tasks"
    assert carried.include == ["internal.billing"]
    assert "cleanup-old-data" not in carried.text
    assert not carried.config_changed
    compile(carried.text, "app.py", "exec")


def test_edited_celery_settings_are_reported_not_carried() -> None:
    ours = APP.replace("worker_prefetch_multiplier=1", "worker_prefetch_multiplier=8")
    carried = carry_celery_app("app.py", APP, ours, TEMPLATE_APP, Carried("t"), set())
    assert carried.config_changed and "worker_prefetch_multiplier=8" not in carried.text


def test_the_worker_registers_what_lich_inits_did_unless_it_went() -> None:
    main = LICH["backend/internal/workers/main.py"].replace(
        "    ScheduledReportWorkflow,\n        ],",
        "    ScheduledReportWorkflow,\n            InvoiceWorkflow,\n        ],",
    )
    main = main.replace(
        "    ScheduledReportWorkflow,\n)", "    ScheduledReportWorkflow,\n    InvoiceWorkflow,\n)"
    )
    available = {
        "internal.workers.workflows": {"EmailNotificationWorkflow", "InvoiceWorkflow"},
        "internal.workers.activities": {"send_email_activity"},
    }
    carried = carry_worker_main("main.py", main, TEMPLATE_MAIN, available)
    assert carried.registered == ["InvoiceWorkflow"], "stubs gone with their files are not"
    assert "WORKFLOWS += [InvoiceWorkflow]" in carried.text
    assert carried.text.index("WORKFLOWS +=") < carried.text.index("def main"), "before it runs"
    compile(carried.text, "main.py", "exec")


def test_importers_are_found_either_way_they_import() -> None:
    sources = {
        "a.py": "from internal.celery_tasks import send_invoice, health_check\n",
        "b.py": "import internal.celery_tasks as tasks\ntasks.process_data.delay(1)\n",
        "c.py": "from internal.other import send_invoice\n",
    }
    found = imported_names(sources, "internal.celery_tasks")
    assert found == {"a.py": {"send_invoice", "health_check"}, "b.py": {"process_data"}}


@pytest.mark.parametrize("style", ["list", "mapping"])
def test_services_with_their_own_networks_join_the_default_one(style: str) -> None:
    listed = "    networks:\n      - internal_net\n"
    mapped = "    networks:\n      internal_net: {}\n"
    compose = (
        "services:\n  db:\n    image: postgres\n"
        + (listed if style == "list" else mapped)
        + "  cache:\n    image: redis\n"
        + "networks:\n  internal_net:\n"
    )
    text, joined = with_default_network(compose)
    assert joined == ["db"], "a service without networks is on the default one already"
    assert ("      - default\n" if style == "list" else "      default: {}\n") in text
    assert with_default_network(text) == (text, []), "twice changes nothing"


def test_a_test_failing_for_another_reason_is_not_called_old() -> None:
    before = {
        "tests/test_a.py::test_x": "ModuleNotFoundError: No module named 'celery'",
        "tests/test_b.py": "ImportError: cannot import name 'y'",
        "tests/test_c.py::test_z": "AssertionError: assert 1 == 2",
    }
    after = {
        "tests/test_a.py::test_x": "AssertionError: assert False",
        "tests/test_b.py::test_y": "ImportError: cannot import name 'y'",
        "tests/test_c.py::test_z": "AssertionError: assert 1 == 2",
        "tests/test_d.py::test_new": "KeyError: 'x'",
    }
    same, other, new = compare_failures(before, after)
    assert same == ["tests/test_b.py::test_y", "tests/test_c.py::test_z"]
    assert [test for test, _ in other] == ["tests/test_a.py::test_x"]
    assert new == ["tests/test_d.py::test_new"]


def test_causes_compare_across_folders_and_runs() -> None:
    one = "FileNotFoundError: '/tmp/lich-adopt-tests.ab12/before/backend/x.txt' at 0x7f12ab"
    two = "FileNotFoundError: '/work/app/backend/x.txt' at 0x7f99cd"
    assert cause(one) == cause(two)


def test_the_legacy_builder_writes_what_lich_init_writes(tmp_path: Path) -> None:
    """The options change what they change in lich init: Redis, auth, logging."""
    plain = legacy_lich.render(
        tmp_path / "a", "Shop", "none", use_redis=False, auth_strategy="none"
    )
    assert "redis" not in (plain / "docker-compose.yml").read_text()
    assert not (plain / "backend/api/http/auth.py").exists()
    full = legacy_lich.render(tmp_path / "b", "Shop", "temporal", database="mongodb")
    assert "redis_data:/data" in (full / "docker-compose.yml").read_text()
    assert "get_current_user" in (full / "backend/internal/services/auth_deps.py").read_text()
    for path in full.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
