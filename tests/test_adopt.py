"""`extensions/adopt.py` brings a project made by the original `lich init` under this template;
afterwards `copier update -d task_runner=...` works and nothing of the user's is lost.

The legacy projects come from tests/legacy_lich.py (what `lich init` renders for each option),
with a user's work on top: a module and its test, a settings field, runner code, a fixed
requirements.txt. For each runner the project is adopted with the documented single command,
installed with `make install`, tested, then switched to another runner with `copier update`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import legacy_lich
from tests.helpers import BIN, UNIT_TESTS, python_env, read_answers, read_env, run
from tests.update_helpers import (
    commit_all,
    conflict_markers,
    git,
    is_clean,
    output,
    snapshot,
    unmerged,
    update,
)

pytestmark = pytest.mark.slow

NAME = "Legacy Flow"
INVOICES = "def invoice_total(amounts: list[int]) -> int:\n    return sum(amounts)\n"
INVOICE_TEST = (
    "from internal.services.invoice_service import invoice_total\n\n\n"
    "def test_invoice_total():\n    assert invoice_total([1, 2]) == 3\n"
)
SETTINGS_FIELD = '    invoice_prefix: str = Field(default="INV")\n'
USER_WORKFLOW = (
    "\n\n@workflow.defn\nclass OrderWorkflow:\n    @workflow.run\n"
    "    async def run(self, order_id: str) -> str:\n        return order_id\n"
)
USER_TASK = "\n\n@shared_task\ndef send_receipt(order_id: str) -> str:\n    return order_id\n"
RUNNER_EDITS = {
    "temporal": ("backend/internal/workers/workflows.py", USER_WORKFLOW),
    "celery": ("backend/internal/celery_tasks.py", USER_TASK),
}


def legacy_project(root: Path, runner: str, database: str = "postgresql") -> Path:
    """A `lich init` project (committed as lich init left it), then the user's work."""
    project = legacy_lich.render(root / "legacy_flow", NAME, runner, database)
    commit_all(project, "lich init")
    backend = project / "backend"
    (backend / "internal/services/invoice_service.py").write_text(INVOICES)
    (backend / "tests/test_invoices.py").write_text(INVOICE_TEST)
    settings = backend / "pkg/config/settings.py"
    anchor = '    log_level: str = Field(default="INFO")\n'
    settings.write_text(settings.read_text().replace(anchor, anchor + SETTINGS_FIELD))
    # What a user fixes first: the DTOs use EmailStr, which needs email-validator.
    with (backend / "requirements.txt").open("a") as requirements:
        requirements.write("email-validator>=2.0\n")
    if runner in RUNNER_EDITS:
        path, edit = RUNNER_EDITS[runner]
        with (project / path).open("a") as edited:
            edited.write(edit)
    env = (project / ".env.example").read_text() + "SECRET_KEY=mine\n"
    if runner == "celery":
        env += "CELERY_BROKER_URL=amqp://guest:guest@localhost:5672//\n"
    (project / ".env").write_text(env)
    commit_all(project, "the user's work")
    return project


def adopt(template: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, template / "extensions" / "adopt.py", project, *args],
        env=python_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def pytest_results(backend: Path, python: Path, *args: str) -> tuple[set[str], set[str]]:
    """(passed, failed or errored) test ids of a backend's suite (all of it, without `args`)."""
    result = subprocess.run(
        [python, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider",
         "--continue-on-collection-errors", *args],
        cwd=backend,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )  # fmt: skip
    summary = result.stdout.rpartition("short test summary info")[2]
    lines = summary.splitlines()
    passed = {line.split()[1] for line in lines if line.startswith("PASSED ")}
    failed = {line.split()[1] for line in lines if line.startswith(("FAILED ", "ERROR "))}
    assert passed or failed, result.stdout + result.stderr
    return passed, failed


def legacy_results(project: Path, tmp: Path) -> tuple[set[str], set[str]]:
    """The suite as `lich init` runs it: requirements.txt in a fresh virtual environment."""
    copy = tmp / "before"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git"))
    subprocess.run([BIN / "uv", "venv", "-q", copy / "venv"], check=True)
    subprocess.run(
        [BIN / "uv", "pip", "install", "-q", "--python", copy / "venv/bin/python", "-r",
         copy / "backend/requirements.txt"],
        check=True,
    )  # fmt: skip
    return pytest_results(copy / "backend", copy / "venv/bin/python")


def make(project: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    return run(["make", "--no-print-directory", *targets], project, python_env(), 900, check=False)


def assert_runs_like_before(
    project: Path, before: tuple[set[str], set[str]], *args: str
) -> set[str]:
    """`make install` works and leaves the tree clean; the old app imports; every test that
    passed before passes; the template's tests all pass (`args` for pytest: which of them).
    Returns the failing tests."""
    installed = make(project, "install")
    assert installed.returncode == 0, output(installed)
    assert is_clean(project), git(project, "status", "--short")
    python = project / "backend/.venv/bin/python"
    imports = subprocess.run(
        [python, "-c", "import main"], cwd=project / "backend", capture_output=True, text=True
    )
    assert imports.returncode == 0, imports.stderr
    passed, failed = pytest_results(project / "backend", python, *args)
    assert before[0] <= passed, f"passed before, not after: {before[0] - passed}"
    legacy = {path.split("::")[0] for path in before[0] | before[1]}
    template_failures = {test for test in failed if test.split("::")[0] not in legacy}
    assert template_failures == set()
    return failed


CASES = [
    ("temporal", "postgresql", "celery"),
    ("celery", "postgresql", "none"),
    ("none", "mongodb", "temporal"),
]


@pytest.mark.parametrize(("runner", "database", "switch_to"), CASES, ids=[c[0] for c in CASES])
def test_adopt_then_switch(
    runner: str, database: str, switch_to: str, copier_template: Path, tmp_path: Path
) -> None:
    project = legacy_project(tmp_path, runner, database)
    before = legacy_results(project, tmp_path)
    head = git(project, "rev-parse", "HEAD").strip()
    # The documented single command; the first case also runs the project's tests before and
    # after, as the command does by default.
    args = [] if runner == "temporal" else ["--skip-tests"]
    result = adopt(copier_template, project, *args)
    assert result.returncode == 0, output(result)
    assert git(project, "rev-parse", "HEAD~1").strip() == head, "one commit"
    assert is_clean(project)

    answers = read_answers(project)
    assert answers["task_runner"] == runner
    assert answers["project_name"] == NAME and answers["project_slug"] == "legacy_flow"
    # Recorded, so the tests' guard against lich init's own (tests/conftest.py) stays on update.
    assert answers["adopted_from_lich_init"] is True
    assert "importlib.import_module(module)" in (project / "backend/tests/conftest.py").read_text()
    env = read_env(project / ".env")
    assert env["SECRET_KEY"] == "mine", "the user's values stay"
    if runner == "temporal":
        # The names a running worker uses: lich init's task queue keeps its underscore.
        assert answers["temporal_task_queue"] == "legacy_flow-tasks"
        assert answers["temporal_namespace"] == "default"
        assert env["TEMPORAL_ADDRESS"] == "localhost:7233", "from TEMPORAL_HOST and TEMPORAL_PORT"
        assert "Tests failing before the adoption too" in result.stdout
        assert "test_api_integration.py::test_health_endpoint" in result.stdout
        # adopt.py ran the whole suite, integration tests included: none fails for it alone.
        assert "Tests failing after the adoption only" not in result.stdout, result.stdout
    if runner == "celery":
        assert answers["celery_broker"] == "rabbitmq", "the broker URL in .env is amqp://"
        assert env["CELERY_BROKER_URL"] == "amqp://guest:guest@localhost:5672//", "the team's"
        assert env["REDIS_RESULT_DB"] == "2", "lich init's results: redis://localhost:6379/2"
        assert env["CELERY_DEFAULT_QUEUE"] == "celery", "lich init's queue"
    # The user's work, untouched; an edited runner file replaced, its version kept and named.
    backend = project / "backend"
    assert (backend / "internal/services/invoice_service.py").read_text() == INVOICES
    assert (backend / "tests/test_invoices.py").read_text() == INVOICE_TEST
    assert SETTINGS_FIELD in (backend / "pkg/config/settings.py").read_text()
    if runner in RUNNER_EDITS:
        path, edit = RUNNER_EDITS[runner]
        kept = f"lich-kept/adopted-{runner}/{path}"
        assert (project / kept).read_text().endswith(edit)
        assert kept in result.stdout
    for other, (path, _) in RUNNER_EDITS.items():
        if other != runner:
            assert not (project / path).exists(), "the unused runner's unedited files go"
            assert f"Removed (unedited lich init file of {other}): {path}" in result.stdout
    assert ".venv/" in (project / ".gitignore").read_text()
    assert "backend/api/http/health.py: yours, kept; it answers GET only" in result.stdout
    compose = (project / "docker-compose.yml").read_text()
    assert "compose/jobs.yml" in compose
    assert ("temporalio/auto-setup" in compose) is False
    # Where adopt.py ran the tests itself, the integration tests (real servers and workers) ran.
    failed_after_adoption = assert_runs_like_before(
        project, before, *(UNIT_TESTS if not args else ())
    )

    # A switch: the runner layer changes, the project's own files do not.
    result = update(project, "--vcs-ref=:current:", "-d", f"task_runner={switch_to}")
    assert result.returncode == 0, output(result)
    assert read_answers(project)["task_runner"] == switch_to
    assert not [name for name in conflict_markers(project) if name.endswith(".py")]
    assert set(unmerged(project)) <= {"README.md"}, unmerged(project)
    assert_either_side_is_valid(project)
    if unmerged(project):  # README.md: the user's prose against the template's
        git(project, "checkout", "--ours", "--", *unmerged(project))
    config = yaml.safe_load((project / ".lich/PROJECT_CONFIG.yaml").read_text())
    assert config["features"]["temporal"] == (switch_to == "temporal")
    assert config["features"]["celery"] == (switch_to == "celery")
    assert config["stack"]["database"] == database, "lich init's keys stay"
    assert SETTINGS_FIELD in (backend / "pkg/config/settings.py").read_text()
    commit_all(project, f"Switch to {switch_to}")
    # The new runner's files are the template's own, whose integration tests (real servers and
    # workers) test_project_suites runs: after the switch, lich init's tests and the unit tests.
    assert assert_runs_like_before(project, before, *UNIT_TESTS) <= failed_after_adoption
    site = next((backend / ".venv/lib").glob("python*/site-packages"))
    for package, owner in (("temporalio", "temporal"), ("celery", "celery")):
        assert (site / package).exists() == (owner == switch_to), f"{package} installed"


def assert_either_side_is_valid(project: Path) -> None:
    """Each conflicted file, every hunk resolved to one side, then to the other: still valid."""
    for name in conflict_markers(project):
        text = (project / name).read_text()
        for side in ("ours", "theirs"):
            resolved = resolve(text, side)
            assert "<<<<<<<" not in resolved and ">>>>>>>" not in resolved
            if name.endswith((".yml", ".yaml")):
                yaml.safe_load(resolved)


def resolve(text: str, side: str) -> str:
    pattern = re.compile(r"<<<<<<< [^\n]*\n(.*?)=======\n(.*?)>>>>>>> [^\n]*\n", re.DOTALL)
    return pattern.sub(lambda m: m.group(1) if side == "ours" else m.group(2), text)


def test_adopt_asks_for_the_runner_when_the_evidence_does_not_decide(
    copier_template: Path, tmp_path: Path
) -> None:
    """celery and none render the same files; an edited celery_tasks.py alone decides nothing."""
    project = legacy_lich.render(tmp_path / "legacy_flow", NAME, "celery")
    commit_all(project, "lich init")
    with (project / RUNNER_EDITS["celery"][0]).open("a") as edited:
        edited.write(USER_TASK)
    commit_all(project, "a task")
    before = snapshot(project)
    result = adopt(copier_template, project, "--skip-tests")
    assert result.returncode == 1
    assert "does not decide the task runner" in result.stderr
    assert "backend/internal/celery_tasks.py (celery)" in result.stderr, "names the edited file"
    assert "--runner" in result.stderr and "Nothing was changed." in result.stderr
    assert snapshot(project) == before and is_clean(project)
    chosen = adopt(copier_template, project, "--runner", "celery", "--skip-tests")
    assert chosen.returncode == 0, output(chosen)
    assert (project / "lich-kept/adopted-celery/backend/internal/celery_tasks.py").is_file()


@pytest.mark.parametrize("problem", ["not-lich", "dirty", "already-adopted", "both-runners-used"])
def test_adopt_refuses_clearly_and_changes_nothing(
    problem: str, copier_template: Path, tmp_path: Path
) -> None:
    if problem == "not-lich":
        project = tmp_path / "web"
        project.mkdir()
        (project / "package.json").write_text('{"name": "web"}\n')
        (project / "index.js").write_text("console.log('hi')\n")
    else:
        project = legacy_lich.render(tmp_path / "legacy_flow", NAME, "temporal")
    commit_all(project, "start")
    if problem == "dirty":
        (project / "notes.txt").write_text("work in progress\n")
    if problem == "already-adopted":
        (project / ".copier-answers.yml").write_text("_commit: 2.0.0\n")
        commit_all(project, "answers")
    if problem == "both-runners-used":
        route = project / "backend/api/http/orders.py"
        route.write_text(
            "from temporalio.client import Client\nfrom internal.celery_tasks import send_email\n"
        )
        commit_all(project, "both")
    expected = {
        "not-lich": "is not a Lich project",
        "dirty": "uncommitted changes or untracked files: commit them first",
        "already-adopted": "already has .copier-answers.yml",
        "both-runners-used": "--runner temporal or --runner celery",
    }[problem]
    head, before = git(project, "rev-parse", "HEAD"), snapshot(project)
    result = adopt(copier_template, project, "--skip-tests")
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Nothing was changed." in result.stderr
    assert "Traceback" not in result.stderr
    assert git(project, "rev-parse", "HEAD") == head and snapshot(project) == before


def test_adopt_is_all_or_nothing(copier_template: Path, tmp_path: Path) -> None:
    """The project's own commit hook refuses the adoption commit: everything goes back."""
    project = legacy_project(tmp_path, "temporal")
    hook = project / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint failed: fix it first' >&2\nexit 1\n")
    hook.chmod(0o755)
    head, before = git(project, "rev-parse", "HEAD"), snapshot(project)
    result = adopt(copier_template, project, "--skip-tests")
    assert result.returncode == 1
    assert "git commit failed" in result.stderr and "lint failed: fix it first" in result.stderr
    assert "Nothing was changed." in result.stderr
    assert git(project, "rev-parse", "HEAD") == head
    assert snapshot(project) == before, "files, .env included, exactly as before"
    assert is_clean(project)


def test_adopted_project_answers_match_a_fresh_render(
    copier_template: Path, tmp_path: Path, generate: Any
) -> None:
    """After adoption, the project's template files are the template's: a later update has only
    real differences to merge."""
    project = legacy_project(tmp_path, "none")
    assert adopt(copier_template, project, "--skip-tests").returncode == 0
    fresh = generate(
        tmp_path / "fresh",
        **{key: value for key, value in read_answers(project).items() if not key.startswith("_")},
    )
    for name in ("Makefile", "compose/jobs.yml", "backend/pkg/config/jobs.py", "docs/workers.md"):
        assert (project / name).read_bytes() == (fresh / name).read_bytes(), name


def test_adopt_names_project_code_that_does_not_import(
    copier_template: Path, tmp_path: Path
) -> None:
    """lich init's MongoDB projects import a repository their database never defines (its
    auth_deps.py imports SQLAlchemyUserRepository whatever the database), so `internal.services`
    does not import, before the adoption or after it. The adoption cannot fix the user's code;
    it says which packages fail and why instead of blaming itself."""
    project = legacy_project(tmp_path, "none", "mongodb")
    services = project / "backend/internal/services/__init__.py"
    services.write_text(
        '"""Services (use cases)."""\n'
        "from internal.adapters.db.connection import SQLAlchemyUserRepository  # noqa: F401\n"
    )
    commit_all(project, "as lich init renders it for MongoDB")
    result = adopt(copier_template, project)
    assert result.returncode == 0, output(result)
    assert "The project's own code does not import" in result.stdout
    (why,) = [
        line
        for line in result.stdout.splitlines()
        if "SQLAlchemyUserRepository" in line and "internal.services" in line.split(":")[0]
    ]
    assert "ImportError: cannot import name" in why
    assert "Fix that import in your code" in result.stdout
