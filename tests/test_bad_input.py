"""Bad answers stop `copier copy` with a message that names the problem and the fix, and leave
nothing behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import BIN


def copier_copy(template: Path, dst: Path, *data: str) -> subprocess.CompletedProcess[str]:
    args = [str(BIN / "copier"), "copy", "--trust", "--defaults", "--vcs-ref", "HEAD"]
    # A name first: each test's own answers come after it, and win.
    args += [arg for pair in ("project_name=Bad Input", *data) for arg in ("-d", pair)]
    return subprocess.run(
        [*args, str(template), str(dst)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("project_slug=Bad-Slug", 'project_slug "Bad-Slug" is not a valid Python package name'),
        ("project_slug=1st_app", "starting with a letter"),
        ("author_email=not-an-email", 'author_email "not-an-email" is not an e-mail address'),
        ("task_runner=rq", "task_runner"),
        ("temporal_task_queue=bad queue", "temporal_task_queue"),
        ("project_slug=celery", 'project_slug "celery" is the name of a package the project'),
        ("project_slug=pydantic", 'Choose another, e.g. "pydantic_app"'),
        ("project_slug=" + "a" * 41, "is 41 characters long: keep it to 40"),
        ("project_name=" + "N" * 61, "project_name is 61 characters long: keep it to 60"),
    ],
)
def test_bad_answer_fails_clearly_and_writes_nothing(
    copier_template: Path, tmp_path: Path, answer: str, message: str
) -> None:
    dst = tmp_path / "project"
    extra = ["task_runner=temporal"] if answer.startswith("temporal_") else []
    result = copier_copy(copier_template, dst, *extra, answer)
    assert result.returncode != 0
    assert message in result.stderr + result.stdout
    assert not dst.exists() or not any(dst.iterdir())


def test_an_unknown_runner_names_the_valid_choices(copier_template: Path, tmp_path: Path) -> None:
    result = copier_copy(copier_template, tmp_path / "project", "task_runner=rq")
    output = result.stderr + result.stdout
    assert result.returncode != 0
    assert all(choice in output for choice in ("temporal", "celery", "none"))
