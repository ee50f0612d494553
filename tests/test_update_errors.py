"""Bad input to `copier update`: each case shows a message that names the problem (and, where the
template can add one, the fix), exits non-zero, and leaves the project exactly as it was.

Some of these are copier's own checks, which run before any template code; the test pins what
the user actually sees. The README's troubleshooting table gives the fix for each.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import read_answers
from tests.update_helpers import clone_project, commit_all, copier, git, output, snapshot, update


@pytest.fixture(scope="module")
def committed(generate: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = generate(tmp_path_factory.mktemp("errors") / "project", task_runner="celery")
    commit_all(project, "generated")
    return project


def edit_answers(change: Callable[[str], str]) -> Callable[[Path], None]:
    def _edit(project: Path) -> None:
        answers = project / ".copier-answers.yml"
        answers.write_text(change(answers.read_text()))
        commit_all(project, "hand-edited answers")

    return _edit


def remove_answers(project: Path) -> None:
    git(project, "rm", "-q", ".copier-answers.yml")
    commit_all(project, "answers removed")


def make_dirty(project: Path) -> None:
    (project / "backend/internal/draft.py").write_text("x = 1\n")


CASES: dict[str, tuple[Callable[[Path], None] | None, list[str], list[str]]] = {
    # name: (how the project is broken, update arguments, what the output must say)
    "dirty-tree": (
        make_dirty,
        ["--trust"],
        ["Destination repository is dirty", "commit or stash your local changes"],
    ),
    "missing-answers": (
        remove_answers,
        ["--trust"],
        ["cannot obtain old template references from `.copier-answers.yml`"],
    ),
    "answers-not-yaml": (
        edit_answers(lambda text: text + "_commit: [unclosed\n"),
        ["--trust"],
        [".copier-answers.yml", "line"],
    ),
    "answers-unknown-runner": (
        edit_answers(lambda text: text.replace("task_runner: celery", "task_runner: rq")),
        ["--trust"],
        [
            ".copier-answers.yml records an answer this template cannot use",
            'task_runner "rq" is not one of temporal, celery, none',
            "git checkout -- .copier-answers.yml",
        ],
    ),
    "answers-a-list": (
        edit_answers(lambda text: "- task_runner\n- celery\n"),
        ["--trust"],
        ["'list' object has no attribute 'items'"],
    ),
    "unknown-runner": (
        None,
        ["--trust", "-d", "task_runner=rq"],
        [
            'task_runner "rq" is not one of temporal, celery, none: e.g. -d task_runner=temporal',
            "Nothing was written.",
        ],
    ),
    "unknown-broker": (
        None,
        ["--trust", "-d", "celery_broker=kafka"],
        ['celery_broker "kafka" is not one of redis, rabbitmq'],
    ),
    "misspelled-boolean": (
        None,
        ["--trust", "-d", "celery_beat=flase"],
        ['celery_beat "flase" is not a yes or no: use celery_beat=true or celery_beat=false.'],
    ),
    "option-of-another-runner": (
        None,
        ["--trust", "-d", "temporal_ui=false"],
        ['temporal_ui applies to temporal projects only, and this one\'s task runner is "celery"'],
    ),
    "bad-answer-when-leaving-a-runner": (
        # Refused before the check of the work Celery still holds, which would come first.
        None,
        ["--trust", "-d", "task_runner=temporal", "-d", "temporal_task_queue=bad queue"],
        ['temporal_task_queue "bad queue" is not valid'],
    ),
    "bad-slug": (
        None,
        ["--trust", "-d", "project_slug=Bad Slug"],
        ['project_slug "Bad Slug" is not a valid Python package name'],
    ),
    "bad-email": (None, ["--trust", "-d", "author_email=nope"], ["use the form name@example.com"]),
    "env-not-utf8": (
        lambda project: (project / ".env").write_bytes(b"APP_NAME=caf\xe9\n"),
        ["--trust", "-d", "celery_beat=false"],
        [".env is not UTF-8 text (byte 0xe9 at offset 12)", "iconv -f latin1 -t utf-8"],
    ),
    "unknown-vcs-ref": (None, ["--trust", "--vcs-ref", "v9.9.9"], ["Unknown revision: 'v9.9.9'"]),
    "relative-template-path": (
        # What a relative `copier copy ../lich-template app` recorded before it was made absolute.
        edit_answers(lambda text: re.sub(r"_src_path: .*", "_src_path: ../lich-template", text)),
        ["--trust"],
        ["Updating is only supported in git-tracked templates."],
    ),
    "without-trust": (
        None,
        ["-d", "task_runner=temporal"],
        ["Template uses potentially unsafe feature", "--trust"],
    ),
}


# Copier's own failures, before any template code runs: it prints a traceback (README, "When
# copier itself fails").
COPIERS_OWN = {"answers-not-yaml", "answers-a-list", "unknown-vcs-ref"}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_update_input_fails_clearly_and_changes_nothing(
    case: str, committed: Path, tmp_path: Path
) -> None:
    breaks, args, messages = CASES[case]
    project = clone_project(committed, tmp_path / "project")
    if breaks:
        breaks(project)
    head, before = git(project, "rev-parse", "HEAD"), snapshot(project)

    result = copier(project, "update", "--defaults", *args)
    assert result.returncode != 0
    for message in messages:
        assert message in output(result)
    if case not in COPIERS_OWN:
        assert "Traceback" not in output(result)
    assert "Checking Celery" not in output(result), "refused before anything is checked"
    assert git(project, "rev-parse", "HEAD") == head
    assert snapshot(project) == before, "nothing half-done"


def test_copy_from_a_relative_path_records_an_absolute_one(
    copier_template: Path, tmp_path: Path
) -> None:
    """`copier copy ../template app` keeps working for `copier update` run inside `app`."""
    workdir = tmp_path / "work"
    (workdir / "sub").mkdir(parents=True)
    relative = os.path.relpath(copier_template, workdir / "sub")
    result = copier(
        workdir,
        "copy",
        "--trust",
        "--defaults",
        "-d",
        "project_name=Relative",
        relative,
        "app",
        cwd=workdir / "sub",
    )
    assert result.returncode == 0, output(result)
    project = workdir / "sub" / "app"
    assert read_answers(project)["_src_path"] == str(copier_template)
    commit_all(project, "generated")
    result = update(project, "--vcs-ref=:current:", "-d", "task_runner=temporal")
    assert result.returncode == 0, output(result)
    assert read_answers(project)["task_runner"] == "temporal"


@pytest.mark.parametrize(
    ("url", "noted"),
    [("redis://:secret@localhost:6379/0", True), ("", False), ("amqp://u:p@mq:5672//", False)],
)
def test_a_broker_switch_names_a_broker_url_left_behind(
    url: str, noted: bool, committed: Path, tmp_path: Path
) -> None:
    """.env's whole CELERY_BROKER_URL wins over the RABBITMQ_* settings the switch adds."""
    project = clone_project(committed, tmp_path / "project")
    (project / ".env").write_text(f"CELERY_BROKER_URL={url}\n")
    result = update(project, "-d", "celery_broker=rabbitmq")
    assert result.returncode == 0, output(result)
    note = ".env: CELERY_BROKER_URL is a redis:// URL, but the broker is now rabbitmq"
    assert (note in output(result)) is noted, output(result)
    assert (project / ".env").read_text().startswith(f"CELERY_BROKER_URL={url}\n")
