"""Each generated project's own test suite passes, integration tests included (real servers and
worker processes), from a fresh clone installed exactly as its lock says (catches a missing
dependency or a stale lock). Other tests that change a project into one whose files equal a
fresh project's (a switch, an update) run its unit tests only: these run the rest.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import UNIT_TESTS, matrix_id, python_env, read_env, run
from tests.update_helpers import commit_all, is_clean, output, update

# A project per runner, RabbitMQ, Flower and the app's own Redis in one of them (every lock
# file is also checked against its pyproject.toml by test_generate's matrix).
VARIANTS = [
    {"task_runner": "none"},
    {"task_runner": "celery", "celery_broker": "redis", "celery_beat": True},
    {
        "task_runner": "celery",
        "celery_broker": "rabbitmq",
        "celery_beat": False,
        "celery_flower": True,
        "use_redis": True,
    },
    {"task_runner": "temporal"},
]
MAKE = ["make", "--no-print-directory"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
@pytest.mark.parametrize("answers", VARIANTS, ids=matrix_id)
def test_a_fresh_clone_installs_from_its_lock_and_passes_its_checks(
    answers: dict[str, Any], generate: Any, tmp_path: Path
) -> None:
    """As CI does: a fresh clone, `make install` with UV_LOCKED (the lock must match exactly),
    then `make lint` (ruff, mypy --strict) and `make test`, in the project's own environment."""
    project = generate(tmp_path / "project", **answers)
    commit_all(project, "Initial commit from the Lich template")
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", project, clone], tmp_path)
    env = {**python_env(), "UV_LOCKED": "1"}
    run([*MAKE, "install"], clone, env)
    assert is_clean(clone), "make install leaves the tree clean"
    env_file, example = read_env(clone / ".env"), read_env(clone / ".env.example")
    assert set(env_file) == set(example)
    for key, value in example.items():
        secret = key.endswith(("_PASSWORD", "_BASIC_AUTH"))
        assert env_file[key] == value or (secret and not value and len(env_file[key]) >= 24), key
    run([*MAKE, "lint"], clone, env)
    assert " passed" in run([*MAKE, "test"], clone, env).stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_after_a_switch_make_install_leaves_only_the_new_runner_installed(
    generate: Any, tmp_path: Path
) -> None:
    project = generate(tmp_path / "project", task_runner="celery")
    commit_all(project, "Initial commit from the Lich template")
    run([*MAKE, "install"], project, python_env())
    site = next((project / "backend/.venv/lib").glob("python*/site-packages"))
    assert (site / "celery").is_dir()
    result = update(project, "--vcs-ref=:current:", "-d", "task_runner=temporal")
    assert result.returncode == 0, output(result)
    commit_all(project, "Switch to Temporal")
    run([*MAKE, "install"], project, python_env())
    assert not (site / "celery").exists() and not (site / "kombu").exists()
    assert (site / "temporalio").is_dir()
    # The environment is the lock's, as a fresh clone's (above): its unit tests suffice.
    unit = [project / "backend/.venv/bin/python", "-m", "pytest", "-q", *UNIT_TESTS]
    assert " passed" in run(unit, project / "backend", python_env()).stdout
