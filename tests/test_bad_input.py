"""Bad answers stop `copier copy` with a message of a few lines that names the problem and the
fix, without a traceback, and leave nothing behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from extensions.answers import problem, suggested_slug
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
        ("project_slug=Bad Slug", '(e.g. "bad_slug")'),
        ("project_slug=1st_app", "starting with a letter"),
        ("author_email=not-an-email", 'author_email "not-an-email" is not an e-mail address'),
        ("author_email=nope", "use the form name@example.com"),
        ("task_runner=rq", 'task_runner "rq" is not one of temporal, celery, none'),
        ("celery_broker=kafka", 'celery_broker "kafka" is not one of redis, rabbitmq'),
        ("temporal_task_queue=bad queue", 'temporal_task_queue "bad queue" is not valid'),
        ("temporal_namespace=9ns", 'temporal_namespace "9ns" is not valid'),
        ("project_slug=celery", 'project_slug "celery" is the name of a package the project'),
        ("project_slug=pydantic", 'Choose another, e.g. "pydantic_app"'),
        ("project_slug=" + "a" * 41, "is 41 characters long: keep it to 40"),
        ("project_name=" + "N" * 61, "project_name is 61 characters long: keep it to 60"),
        ("project_name=2fa service", "-d project_slug=app_2fa_service"),
        ("project_name=日本語", 'project_name "日本語" makes no valid package name'),
        ("celery_beat=flase", 'celery_beat "flase" is not a yes or no'),
        ("temporal_ui=nope", "use temporal_ui=true or temporal_ui=false"),
        ("temporal_ui=false", "temporal_ui applies to temporal projects only"),
    ],
)
def test_bad_answer_fails_clearly_and_writes_nothing(
    copier_template: Path, tmp_path: Path, answer: str, message: str
) -> None:
    dst = tmp_path / "project"
    runner = {"temporal_ui=false": "celery", "celery_beat=flase": "celery"}.get(answer)
    if runner is None and answer.startswith(("temporal_", "celery_b")):
        runner = answer.split("_")[0]
    extra = [f"task_runner={runner}"] if runner else []
    result = copier_copy(copier_template, dst, *extra, answer)
    output = result.stderr + result.stdout
    assert result.returncode != 0
    assert message in output
    assert "Traceback" not in output
    ours = output[output.index("Lich:") :].splitlines()
    assert len(ours) <= 4, output
    assert "Nothing was written" in output
    assert not dst.exists() or not any(dst.iterdir())


def test_every_bad_answer_is_reported_at_once(copier_template: Path, tmp_path: Path) -> None:
    result = copier_copy(
        copier_template, tmp_path / "project", "task_runner=rq", "celery_beat=maybe"
    )
    output = result.stderr + result.stdout
    assert result.returncode != 0
    assert "these answers cannot be used" in output
    assert 'task_runner "rq"' in output and 'celery_beat "maybe"' in output


def test_a_prompt_offers_a_valid_package_name_for_any_name() -> None:
    """Without --defaults the slug's default is what the prompt offers: always a valid one."""
    for name in ("2fa service", "日本語", "Shop", "--", "9" * 80):
        assert problem("project_slug", suggested_slug(name)) == "", name


def test_an_unknown_runner_names_the_valid_choices(copier_template: Path, tmp_path: Path) -> None:
    result = copier_copy(copier_template, tmp_path / "project", "task_runner=rq")
    output = result.stderr + result.stdout
    assert result.returncode != 0
    assert all(choice in output for choice in ("temporal", "celery", "none"))
