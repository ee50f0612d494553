"""`copier update -d task_runner=<new>` switches a committed project in every direction, and
changes runner options, keeping the template version (`--vcs-ref=:current:`).

One source project per runner is generated and committed once, with user edits of three kinds:
an edited file of its runner, a file the user added beside the runner's files, and user code and
docs elsewhere. Each switch works on a copy of it and must end with exactly the new runner's
files (as a fresh `copier copy` renders them), the edited runner file kept under `lich-kept/`,
every user file in place, `.env` extended with the user's values intact, no conflict, and the
project's own tests passing (the user's included).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import env_keys, facts, project_files, read_answers
from tests.update_helpers import (
    clone_project,
    commit_all,
    conflict_markers,
    output,
    run_project_suite,
    unmerged,
    update,
)

# The runner file the user edited, and a file the user added beside the runner's files.
EDITED = {
    "temporal": "backend/internal/workers/activities.py",
    "celery": "backend/internal/celery_tasks.py",
    "none": "backend/internal/adapters/jobs/inprocess.py",
}
BESIDE = {
    "temporal": "backend/internal/workers/payments.py",
    "celery": "backend/internal/celery_reports.py",
    "none": "backend/internal/adapters/jobs/audit.py",
}
EDIT = "\n\ndef user_helper() -> str:\n    return 'written by the user'\n"
USER_CODE = {
    "backend/internal/billing.py": "def invoice_total(amounts: list[int]) -> int:\n"
    "    return sum(amounts)\n",
    "backend/tests/test_billing.py": "from internal.billing import invoice_total\n\n\n"
    "def test_invoice_total() -> None:\n    assert invoice_total([1, 2]) == 3\n",
}
README_LINE = "Deployment notes written by the user."
KEPT_LABEL = {"temporal": "temporal", "celery": "celery", "none": "no-runner"}


@pytest.fixture(scope="module")
def fresh(generate: Any, tmp_path_factory: pytest.TempPathFactory):
    """`fresh(**answers)`: a project as `copier copy` renders it, made once per answers."""
    cache: dict[tuple[tuple[str, Any], ...], Path] = {}

    def _fresh(**answers: Any) -> Path:
        key = tuple(sorted(answers.items()))
        if key not in cache:
            cache[key] = generate(tmp_path_factory.mktemp("fresh"), **answers)
        return cache[key]

    return _fresh


@pytest.fixture(scope="module")
def source(fresh: Any, tmp_path_factory: pytest.TempPathFactory):
    """`source(runner)`: a committed project of that runner carrying the user's edits."""
    cache: dict[str, Path] = {}

    def _source(runner: str) -> Path:
        if runner not in cache:
            project = clone_project(
                fresh(task_runner=runner), tmp_path_factory.mktemp(runner) / "p"
            )
            with (project / EDITED[runner]).open("a") as edited:
                edited.write(EDIT)
            (project / BESIDE[runner]).write_text("RATE = 3\n")
            for name, text in USER_CODE.items():
                (project / name).write_text(text)
            with (project / "README.md").open("a") as readme:
                readme.write(f"\n{README_LINE}\n")
            env = (
                (project / ".env.example")
                .read_text()
                .replace("LOG_LEVEL=INFO", "LOG_LEVEL=WARNING")
            )
            (project / ".env").write_text(env)  # .env is ignored by git: it is the user's
            commit_all(project, "project with user edits")
            cache[runner] = project
        return cache[runner]

    return _source


def assert_matches_fresh(
    project: Path, expected: Path, edited: set[str], may_conflict: frozenset[str] = frozenset()
) -> None:
    """Every template file as a fresh render has it; user-edited ones keep the user's lines.

    Only files in `may_conflict` (the user and the template changed the same lines) may end with
    conflict markers, the way copier shows them: inline, and unmerged in git.
    """
    for name in sorted(project_files(expected)):
        assert (project / name).is_file(), f"missing {name}"
        if name not in edited:
            assert (project / name).read_bytes() == (expected / name).read_bytes(), name
    assert set(unmerged(project)) == set(conflict_markers(project))
    assert set(conflict_markers(project)) <= may_conflict
    for name in conflict_markers(project):
        text = (project / name).read_text()
        assert "<<<<<<< before updating" in text and ">>>>>>> after updating" in text
    assert README_LINE in (project / "README.md").read_text()
    for name, text in USER_CODE.items():
        assert (project / name).read_text() == text


def assert_env(project: Path, expected: Path) -> None:
    env = (project / ".env").read_text()
    assert "LOG_LEVEL=WARNING" in env, "the user's value was kept"
    assert env_keys(expected) <= env_keys(project, ".env")


SWITCHES = [(old, new) for old in facts.RUNNERS for new in facts.RUNNERS if old != new]


@pytest.mark.parametrize(("old", "new"), SWITCHES, ids=[f"{o}-to-{n}" for o, n in SWITCHES])
def test_switch_runner(old: str, new: str, source: Any, fresh: Any, tmp_path: Path) -> None:
    project = clone_project(source(old), tmp_path / "project")
    result = update(project, "--vcs-ref=:current:", "-d", f"task_runner={new}")
    assert result.returncode == 0, output(result)
    expected = fresh(task_runner=new)

    kept = f"lich-kept/{KEPT_LABEL[old]}/{EDITED[old]}"
    user_files = {*USER_CODE, BESIDE[old], ".env", kept}
    assert project_files(project) - user_files == project_files(expected), (
        "exactly the new runner's files, the old runner's gone"
    )
    assert_matches_fresh(project, expected, edited={"README.md"})
    for page in ("docs/workers.md", "docs/workers.fa.md"):  # both languages switch together
        assert (project / page).read_text() == (expected / page).read_text()
    assert (project / kept).read_text().endswith(EDIT), "the edited runner file is kept"
    assert kept in output(result), "the update output names the kept file"
    assert (project / BESIDE[old]).read_text() == "RATE = 3\n"
    if old == "temporal":  # its folder lost every template file: the output names what is left
        assert "Your own files next to removed template files" in output(result)
        assert BESIDE[old] in output(result)
    assert_env(project, expected)
    # The files are a fresh project's (asserted above), whose integration tests (real servers,
    # worker processes) test_project_suites runs from a fresh clone: the unit tests suffice here.
    run_project_suite(project, integration=False)


OPTIONS = [
    ("celery", {"celery_broker": "rabbitmq", "celery_flower": True}),
    ("celery", {"celery_beat": False}),
    ("temporal", {"temporal_ui": False}),
]


@pytest.mark.parametrize(
    ("runner", "change"),
    OPTIONS,
    ids=["celery-rabbitmq-flower", "celery-no-beat", "temporal-no-ui"],
)
def test_change_runner_options(
    runner: str, change: dict[str, Any], source: Any, fresh: Any, tmp_path: Path
) -> None:
    project = clone_project(source(runner), tmp_path / "project")
    data = [arg for key, value in change.items() for arg in ("-d", f"{key}={value}")]
    result = update(project, "--vcs-ref=:current:", *data)
    assert result.returncode == 0, output(result)
    expected = fresh(task_runner=runner, **change)

    edited = EDITED[runner]
    user_files = {*USER_CODE, BESIDE[runner], ".env"}
    if "celery_beat" in change:
        # Dropping beat removes the end of celery_tasks.py, right where the user appended code: a
        # real conflict. No Python file keeps conflict markers: the file takes the template's
        # version, the user's goes to lich-kept/ and the output names it.
        kept = f"lich-kept/from-{read_answers(project)['_commit']}/{edited}"
        user_files.add(kept)
        assert (project / kept).read_text().endswith(EDIT)
        assert kept in output(result)
        assert_matches_fresh(project, expected, {"README.md"})
    else:
        assert_matches_fresh(project, expected, {"README.md", edited})
        assert (project / edited).read_text().endswith(EDIT)
    assert project_files(project) - user_files == project_files(expected)
    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    assert compose == yaml.safe_load((expected / "docker-compose.yml").read_text())
    assert_env(project, expected)


def test_switch_in_a_project_inside_a_larger_repository(generate: Any, tmp_path: Path) -> None:
    """A project in a subdirectory of a monorepo keeps its edited runner files the same way."""
    repo = tmp_path / "monorepo"
    project = generate(repo / "services" / "shop", task_runner="celery")
    (repo / "frontend.txt").write_text("not part of the project\n")
    with (project / EDITED["celery"]).open("a") as edited:
        edited.write(EDIT)
    commit_all(repo, "monorepo")

    result = update(project, "--vcs-ref=:current:", "-d", "task_runner=none")
    assert result.returncode == 0, output(result)
    assert (project / "lich-kept/celery" / EDITED["celery"]).read_text().endswith(EDIT)
    assert not (repo / "lich-kept").exists()
    assert (project / "backend/internal/adapters/jobs/inprocess.py").is_file()
    assert not (repo / ".git" / "lich-old-render").exists(), "the old render kept for the update"


def test_a_switch_keeps_edited_files_whatever_else_the_answers_file_holds(
    generate: Any, tmp_path: Path
) -> None:
    """The after-update migration renders the previous version with the recorded answers: a key
    the template does not ask (a note a team keeps there) must not stop it half-way, after the
    switch was applied and before the edited runner files were kept."""
    project = generate(tmp_path / "project", task_runner="celery")
    with (project / ".copier-answers.yml").open("a") as answers:
        answers.write("team_note: owned by payments\n")
    with (project / EDITED["celery"]).open("a") as edited:
        edited.write(EDIT)
    commit_all(project, "generated, edited")

    result = update(project, "--vcs-ref=:current:", "-d", "task_runner=none")
    assert result.returncode == 0, output(result)
    assert "cannot be used" not in output(result)
    assert (project / "lich-kept/celery" / EDITED["celery"]).read_text().endswith(EDIT)


def test_the_update_reuses_copiers_render_of_the_old_version(
    generate: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copier renders the old version before the before-update migration runs and deletes it
    before the after-update one: before_update.py keeps the render that is this project's (its
    answers file, byte for byte; copier not yet past that stage), and after_update.py reads it
    instead of rendering the old version again (a second of every update)."""
    from migrations import after_update, before_update

    project = generate(tmp_path / "project", task_runner="celery")
    commit_all(project, "generated")
    temp = tmp_path / "tmp"
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    answers = (project / ".copier-answers.yml").read_bytes()
    for name, answers_file, repo in (
        ("copier._main.old_copy.other", answers.replace(b"celery", b"temporal"), False),
        ("copier._main.old_copy.later", answers, True),  # copier is past the before stage
        ("copier._main.old_copy.ours", answers, False),
    ):
        (temp / name / ".git" if repo else temp / name).mkdir(parents=True)
        (temp / name / ".copier-answers.yml").write_bytes(answers_file)
        (temp / name / "rendered.txt").write_text(name)

    stored = before_update.save_old_render(project)
    assert (
        stored is not None and (stored / "rendered.txt").read_text() == "copier._main.old_copy.ours"
    )
    assert ".git" in stored.parts, "kept out of the work tree"
    # With it kept, the old version is not rendered again: an unreachable source does not matter.
    base, old_files = after_update.render_old(
        project, {"_src_path": str(tmp_path / "gone")}, ["rendered.txt"]
    )
    assert base == {"rendered.txt": b"copier._main.old_copy.ours"}
    assert old_files == {"rendered.txt", ".copier-answers.yml"}

    shutil.rmtree(temp / "copier._main.old_copy.ours")
    assert before_update.save_old_render(project) is None, "no render of this project: none kept"
    assert not stored.exists(), "an earlier update's render is never read"
