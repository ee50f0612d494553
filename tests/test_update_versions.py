"""Updating from an older tagged template version to the current one, through real git tags.

The test builds the older version itself, in a throwaway template repo: 0.9.0 asks the legacy
`use_temporal: bool` instead of `task_runner`, and generates the settings at the path 1.0.0 moved
(`backend/pkg/settings.py`, now `backend/pkg/config/settings.py`); 1.0.0 is this checkout. A
project made from 0.9.0, with user edits, is updated to 1.0.0, alone or together with a switch.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import copier
import pytest

from tests.helpers import DEFAULT_ANSWERS, ROOT, project_files, python_env, read_answers, run
from tests.update_helpers import (
    clone_project,
    commit_all,
    conflict_markers,
    output,
    run_project_suite,
    snapshot,
    template_repo,
    unmerged,
    update,
)

MIGRATIONS = ROOT / "extensions" / "migrations"
OLD_SETTINGS, NEW_SETTINGS = "backend/pkg/settings.py", "backend/pkg/config/settings.py"
LEGACY_QUESTION = """use_temporal:
  type: bool
  help: Use Temporal for background work?
  default: false
"""
# 0.9.0 derived the runner from that answer before anything else.
LEGACY_HOOK = """        if "use_temporal" in context:
            context["task_runner"] = "temporal" if context["use_temporal"] else "none"
"""
USER_FIELD = '    invoice_prefix: str = "INV"\n'
EDIT = "\n\ndef user_helper() -> str:\n    return 'written by the user'\n"
EDITED = {
    True: "backend/internal/workers/activities.py",
    False: "backend/internal/jobs/inprocess_dispatcher.py",
}


def legacy_0_9(repo: Path) -> None:
    """Turn the copied checkout into the 0.9.0 layout and questions."""
    config = repo / "copier.yml"
    text = config.read_text()
    start = text.index("task_runner:\n")
    text = text[:start] + LEGACY_QUESTION + text[text.index("\n\n", start) :]
    start = text.index("\n_migrations:\n")  # 0.9.0 had no migrations
    text = text[:start] + text[text.index("\n# -", start) :]
    text = text.replace("{{ task_runner == 'temporal' }}", "{{ use_temporal }}")
    config.write_text(text.replace("{{ task_runner == 'celery' }}", "false"))
    context = repo / "extensions" / "context.py"
    anchor = "        context.update(derive(context))\n"
    context.write_text(context.read_text().replace(anchor, LEGACY_HOOK + anchor))
    template = repo / "template"
    moved = template / "backend/pkg/settings.py.jinja"
    (template / "backend/pkg/config/settings.py.jinja").rename(moved)
    moved.write_text(moved.read_text().replace("parents[2]", "parents[1]"))
    for path in template.rglob("*"):
        if path.is_file() and "pkg.config.settings" in path.read_text():
            path.write_text(path.read_text().replace("pkg.config.settings", "pkg.settings"))


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_repo(
        tmp_path_factory.mktemp("versions") / "template",
        [("0.9.0", legacy_0_9), ("1.0.0", lambda repo: None)],
    )


@pytest.fixture(scope="module")
def old_project(versions: Path, tmp_path_factory: pytest.TempPathFactory):
    """`old_project(use_temporal)`: a committed 0.9.0 project with user edits, made once."""
    cache: dict[bool, Path] = {}

    def _old_project(use_temporal: bool) -> Path:
        if use_temporal not in cache:
            project = tmp_path_factory.mktemp("old") / "project"
            copier.run_copy(
                str(versions),
                project,
                data={**DEFAULT_ANSWERS, "use_temporal": use_temporal},
                vcs_ref="0.9.0",
                defaults=True,
                unsafe=True,
                quiet=True,
            )
            settings = project / OLD_SETTINGS
            text = settings.read_text()
            anchor = '    log_format: LogFormat = "text"\n'
            settings.write_text(text.replace(anchor, anchor + USER_FIELD))
            with (project / EDITED[use_temporal]).open("a") as edited:
                edited.write(EDIT)
            commit_all(project, "0.9.0 project with user edits")
            cache[use_temporal] = project
        return cache[use_temporal]

    return _old_project


CASES = [(True, None), (False, "celery"), (True, "none")]


@pytest.mark.parametrize(
    ("use_temporal", "switch_to"),
    CASES,
    ids=["use_temporal-true-stays-temporal", "use_temporal-false-to-celery", "temporal-to-none"],
)
def test_update_from_0_9_to_1_0(
    use_temporal: bool, switch_to: str | None, old_project: Any, tmp_path: Path
) -> None:
    project = clone_project(old_project(use_temporal), tmp_path / "project")
    assert read_answers(project)["use_temporal"] is use_temporal
    data = ["-d", f"task_runner={switch_to}"] if switch_to else []
    result = update(project, *data)
    assert result.returncode == 0, output(result)

    answers = read_answers(project)
    old_runner = "temporal" if use_temporal else "none"
    runner = switch_to or old_runner
    assert answers["_commit"] == "1.0.0"
    assert answers["task_runner"] == runner
    assert "use_temporal" not in answers, "the legacy answer was renamed"

    # The moved file: gone from the old path, the user's field merged at the new one.
    assert not (project / OLD_SETTINGS).exists()
    assert USER_FIELD in (project / NEW_SETTINGS).read_text()
    assert f"your edits of {OLD_SETTINGS} are merged in {NEW_SETTINGS}" in output(result)
    assert unmerged(project) == [] and conflict_markers(project) == []

    edited = EDITED[use_temporal]
    if runner == old_runner:
        assert (project / edited).read_text().endswith(EDIT)
        assert not any(name.startswith("lich-kept/") for name in project_files(project))
    else:
        label = "temporal" if use_temporal else "no-runner"
        assert (project / "lich-kept" / label / edited).read_text().endswith(EDIT)
    check = "from pkg.config.settings import Settings; print(Settings().invoice_prefix)"
    assert run([sys.executable, "-c", check], project / "backend").stdout.strip() == "INV"
    # Unit tests here; test_update_switch runs each runner's integration tests after a switch.
    run_project_suite(project, integration=False)

    # Idempotent: running every migration again (as copier would on a retry) changes nothing.
    before = snapshot(project)
    data = {"task_runner": switch_to} if switch_to else {}
    run_migrations(project, data, str(read_answers(project)["_src_path"]))
    assert snapshot(project) == before


def run_migrations(cwd: Path, data: dict[str, str], template: str) -> None:
    """Every migration script in copier's order, as copier runs them updating 0.9.0 to 1.0.0."""
    env = {**python_env(), "VERSION_PEP440_FROM": "0.9.0", "VERSION_PEP440_TO": "1.0.0"}
    for script, *args in (
        ("before_update.py", json.dumps(data)),
        ("legacy_answers.py",),
        ("after_update.py", template),
    ):
        run([sys.executable, MIGRATIONS / script, *args], cwd, env)


def test_migrations_do_nothing_outside_a_project(tmp_path: Path) -> None:
    """Copier's temporary render directories are no git projects: the scripts leave them be."""
    render = tmp_path / "render"
    render.mkdir()
    (render / "README.md").write_text("rendered\n")
    run_migrations(render, {}, str(tmp_path))
    assert sorted(os.listdir(render)) == ["README.md"]
