"""Updating a project made by the released 1.0.0 to this version, through real git history.

The test builds a throwaway template repository with two commits: 1.0.0 exactly as released (its
files from this repository's history) and this checkout. A 1.0.0 project carrying user edits is
updated to the new commit, once with release tags on both commits and once without any tag (a
copy of the template published without them): every migration must apply either way.
2.0.0 moved the backend to Lich's layout, so the user's edits of moved files must arrive at the
new paths, and no Python file may be left with conflict markers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import copier
import pytest

from tests.helpers import DEFAULT_ANSWERS, ROOT, python_env, read_answers, run
from tests.update_helpers import (
    TEMPLATE_PATHS,
    clone_project,
    commit_all,
    conflict_markers,
    git,
    output,
    run_project_suite,
    snapshot,
    unmerged,
    update,
)

MIGRATIONS = ROOT / "extensions" / "migrations"
# The release commits of 1.0.0 and 2.1.0 (their tags were not published with the repository).
RELEASE_1_0_0 = "ab5233bf3ad5889e02b9e85b3049d186e0b6d2c9"
RELEASE_2_1_0 = "40ad327f0b5b98d0378d226116b804498e7cc67c"

# A route the user appended to 1.0.0's api/routes/emails.py (2.0.0: api/http/emails.py).
USER_ROUTE = """

@router.get("/ping")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}
"""
# A setting the user added to 1.0.0's settings, whose lines 2.0.0 rewrote.
USER_FIELD = '    invoice_prefix: str = "INV"\n'
EDIT = "\n\ndef user_helper() -> str:\n    return 'written by the user'\n"
EDITED = {
    "temporal": "backend/internal/workers/activities.py",
    "celery": "backend/internal/celery_tasks.py",
}
BILLING = "def invoice_total(amounts: list[int]) -> int:\n    return sum(amounts)\n"


def template_history(
    destination: Path, tags: bool, release: str = RELEASE_1_0_0
) -> tuple[str, str]:
    """A template repo: a release as it was, then this checkout. Returns both commits' ids."""
    destination.mkdir(parents=True)
    released = subprocess.run(
        ["git", "archive", release, *TEMPLATE_PATHS],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if released.returncode != 0:
        pytest.fail(
            f"the release {release[:7]} is not in this clone's history: "
            f"{released.stderr.decode().strip()} (`git fetch --unshallow` brings it)"
        )
    subprocess.run(["tar", "-x", "-C", str(destination)], input=released.stdout, check=True)
    commit_all(destination, f"template at {release[:7]}")
    old = git(destination, "rev-parse", "HEAD").strip()
    for name in TEMPLATE_PATHS:
        run(["rm", "-rf", destination / name], destination)
        run(["cp", "-r", ROOT / name, destination / name], destination)
    for cache in destination.rglob("__pycache__"):
        run(["rm", "-rf", cache], destination)
    commit_all(destination, "template as in this checkout")
    new = git(destination, "rev-parse", "HEAD").strip()
    if tags:
        git(destination, "tag", "1.0.0", old)
        git(destination, "tag", "2.0.0", new)
    return old, new


@pytest.fixture(scope="module", params=[True, False], ids=["tagged", "untagged"])
def history(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str, str, bool]:
    tagged: bool = request.param
    template = tmp_path_factory.mktemp("history") / "template"
    old, new = template_history(template, tags=tagged)
    return template, old, new, tagged


def project_1_0(template: Path, old: str, destination: Path, runner: str) -> Path:
    """A committed 1.0.0 project with the user's edits."""
    copier.run_copy(
        str(template),
        destination,
        data={**DEFAULT_ANSWERS, "task_runner": runner},
        vcs_ref=old,
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    with (destination / "backend/api/routes/emails.py").open("a") as routes:
        routes.write(USER_ROUTE)
    settings = destination / "backend/pkg/config/settings.py"
    anchor = '    log_format: LogFormat = "text"\n'
    settings.write_text(settings.read_text().replace(anchor, anchor + USER_FIELD))
    with (destination / EDITED[runner]).open("a") as edited:
        edited.write(EDIT)
    (destination / "backend/internal/billing.py").write_text(BILLING)
    commit_all(destination, "1.0.0 project with user edits")
    return destination


@pytest.mark.parametrize("runner", ["temporal", "celery"])
def test_update_from_1_0_0_to_this_version(
    runner: str, history: tuple[Path, str, str, bool], tmp_path: Path
) -> None:
    template, old, new, tagged = history
    project = project_1_0(template, old, tmp_path / "project", runner)
    # Untagged, copier records the commit (short id) as the version.
    before = str(read_answers(project)["_commit"])
    assert before == ("1.0.0" if tagged else old[:7])
    result = update(project)
    assert result.returncode == 0, output(result)
    answers = read_answers(project)
    assert answers["task_runner"] == runner
    assert answers["_commit"] == ("2.0.0" if tagged else new[:7])

    # Lich's layout, and nothing of 1.0.0's left behind.
    for path in ("backend/main.py", "backend/api/http/emails.py", "backend/pkg/config/jobs.py"):
        assert (project / path).is_file(), path
    for path in ("backend/api/main.py", "backend/api/routes", "backend/internal/jobs"):
        assert not (project / path).exists(), path
    # The moved route file: the user's route merged at its new path.
    merged = (project / "backend/api/http/emails.py").read_text()
    assert USER_ROUTE.strip() in merged
    assert "your edits of backend/api/routes/emails.py are merged" in output(result)
    # settings.py, whose lines 2.0.0 rewrote: the template's version, the user's kept aside.
    kept_settings = f"lich-kept/from-{before}/backend/pkg/config/settings.py"
    assert USER_FIELD in (project / kept_settings).read_text()
    assert kept_settings in output(result)
    # A runner file edited in place stays edited; the user's own module is untouched.
    assert (project / EDITED[runner]).read_text().endswith(EDIT)
    assert (project / "backend/internal/billing.py").read_text() == BILLING
    # No Python file holds conflict markers; what git lists as unmerged is text for the user.
    assert not [name for name in conflict_markers(project) if name.endswith(".py")]
    assert not [name for name in unmerged(project) if name.endswith(".py")]
    for name in conflict_markers(project):
        git(project, "checkout", "--theirs", "--", name)
    run_project_suite(project, integration=False)

    # Idempotent: running every migration again (as copier would on a retry) changes nothing.
    before = snapshot(project)
    run_migrations(project, {}, str(answers["_src_path"]))
    assert snapshot(project) == before


def run_migrations(cwd: Path, data: dict[str, str], template: str) -> None:
    """Every migration script in copier's order."""
    for script, *args in (
        ("before_update.py", json.dumps(data)),
        ("legacy_answers.py",),
        ("after_update.py", template),
    ):
        run([sys.executable, MIGRATIONS / script, *args], cwd, python_env())


def test_the_legacy_use_temporal_answer_becomes_task_runner(generate: Any, tmp_path: Path) -> None:
    """Projects from before 1.0.0 answered `use_temporal: true|false`; the before-update
    migration records it as `task_runner` (a `-d task_runner=...` still wins)."""
    for legacy, runner in ((True, "temporal"), (False, "none")):
        fresh = generate(tmp_path / f"fresh-{legacy}", task_runner="none")
        project = clone_project(fresh, tmp_path / f"project-{legacy}")
        answers_file = project / ".copier-answers.yml"
        answer = f"use_temporal: {str(legacy).lower()}\n"
        text = answers_file.read_text().replace("task_runner: none\n", answer)
        answers_file.write_text(text)
        commit_all(project, "legacy answers")
        run([sys.executable, MIGRATIONS / "legacy_answers.py"], project, python_env())
        answers = read_answers(project)
        assert answers["task_runner"] == runner
        assert "use_temporal" not in answers


def test_a_legacy_use_temporal_means_the_same_to_every_step(generate: Any, tmp_path: Path) -> None:
    """`use_temporal: "on"` (any of copier's true words, quoted) is Temporal to the check of `-d`
    answers as to the before-update migration: a Temporal option given on the command line is
    accepted and the project keeps its runner (the check once read it as "no runner")."""
    fresh = generate(tmp_path / "fresh", task_runner="temporal")
    project = clone_project(fresh, tmp_path / "project")
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(
        answers_file.read_text().replace("task_runner: temporal\n", "use_temporal: 'on'\n")
    )
    commit_all(project, "legacy answers")
    result = update(project, "-d", "temporal_ui=false", "--vcs-ref=:current:")
    assert result.returncode == 0, output(result)
    answers = read_answers(project)
    assert (answers["task_runner"], answers["temporal_ui"]) == ("temporal", False)
    assert (project / "backend/internal/workers/main.py").is_file()


# What 2.1.0's tests/conftest.py (every project's) held and 2.2.0 renders for adopted ones only.
GUARD = "importlib.import_module(module)"


@pytest.fixture(scope="module")
def history_2_1(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A template repository: 2.1.0 as released, then this checkout (no tags)."""
    template = tmp_path_factory.mktemp("history-2.1") / "template"
    old, _ = template_history(template, tags=False, release=RELEASE_2_1_0)
    return template, old


def project_2_1(history: tuple[Path, str], destination: Path, **answers: Any) -> Path:
    template, old = history
    data = {**DEFAULT_ANSWERS, **answers}
    copier.run_copy(str(template), destination, data=data, vcs_ref=old, defaults=True, unsafe=True)
    return destination


def test_projects_adopted_before_2_2_0_keep_their_guard_against_lich_inits_tests(
    history_2_1: tuple[Path, str], tmp_path: Path
) -> None:
    """2.1.0 gave every project an import guard in tests/conftest.py, which only projects adopted
    from lich init need (one of lich init's tests swaps the settings module for a mock). Updated
    to this version, a 2.1.0 project whose history holds adopt.py's commit keeps the guard and is
    recorded as adopted; a project made by `copier copy` loses it."""
    projects = {}
    for adopted, message in ((True, "Adopt the Lich copier template (task runner: none)"),
                             (False, "Initial commit from the Lich template")):  # fmt: skip
        project = project_2_1(history_2_1, tmp_path / f"adopted-{adopted}")
        assert GUARD in (project / "backend/tests/conftest.py").read_text()
        commit_all(project, message)
        result = update(project)
        assert result.returncode == 0, output(result)
        projects[adopted] = project
    adopted, fresh = projects[True], projects[False]
    assert read_answers(adopted)["adopted_from_lich_init"] is True
    assert GUARD in (adopted / "backend/tests/conftest.py").read_text()
    assert "adopted_from_lich_init" not in read_answers(fresh)
    assert GUARD not in (fresh / "backend/tests/conftest.py").read_text()
    assert not unmerged(adopted) and not unmerged(fresh)


def test_an_edit_of_2_1_0s_celery_metrics_follows_it_to_celery_telemetry(
    history_2_1: tuple[Path, str], tmp_path: Path
) -> None:
    """2.2.0 renamed internal/celery_metrics.py to celery_telemetry.py (the worker's traces and
    error reports joined its metrics): the user's edit of the old file is in the new one."""
    project = project_2_1(history_2_1, tmp_path / "project", task_runner="celery")
    metric = '\n\nPING = "a metric of mine"\n'
    with (project / "backend/internal/celery_metrics.py").open("a") as edited:
        edited.write(metric)
    commit_all(project, "2.1.0 project, its metrics edited")
    result = update(project)
    assert result.returncode == 0, output(result)
    assert not (project / "backend/internal/celery_metrics.py").exists()
    telemetry = (project / "backend/internal/celery_telemetry.py").read_text()
    assert telemetry.endswith(metric) and "def _trace_tasks" in telemetry
    assert "your edits of backend/internal/celery_metrics.py are merged" in output(result)
    assert not conflict_markers(project) and not unmerged(project)


def test_migrations_do_nothing_outside_a_project(tmp_path: Path) -> None:
    """Copier's temporary render directories are no git projects: the scripts leave them be."""
    render = tmp_path / "render"
    render.mkdir()
    (render / "README.md").write_text("rendered\n")
    run_migrations(render, {}, str(tmp_path))
    assert sorted(os.listdir(render)) == ["README.md"]
