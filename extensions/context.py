"""Values derived once from the answers, for every template to use.

Each runner's footprint (dependencies, compose services, images, the lock file) is decided here
from the facts in facts.py, so templates ask simple questions such as `{% if use_celery %}` or loop
over a prepared list instead of repeating the runner logic file by file.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path
from typing import Any

from copier_template_extensions import ContextHook


def _load_facts() -> Any:
    """facts.py beside this file, by path: one process may render several template versions (an
    update renders the old and the new), and each must read its own facts, never a cached
    module of another."""
    path = Path(__file__).resolve().with_name("facts.py")
    spec = importlib.util.spec_from_file_location(f"lich_facts_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


facts = _load_facts()


def runner_flags(runner: str, answers: dict[str, Any]) -> dict[str, bool]:
    """Which runner, and which of its options, as booleans the templates test directly."""
    use_celery, use_temporal = runner == "celery", runner == "temporal"
    return {
        "use_celery": use_celery,
        "use_temporal": use_temporal,
        "has_worker": use_celery or use_temporal,
        "use_rabbitmq": use_celery and answers.get("celery_broker") == "rabbitmq",
        "use_beat": use_celery and bool(answers.get("celery_beat", True)),
        "use_flower": use_celery and bool(answers.get("celery_flower", False)),
        "use_temporal_ui": use_temporal and bool(answers.get("temporal_ui", True)),
    }


def compose_services(flags: dict[str, bool]) -> list[str]:
    """Names of the docker compose services, in start order."""
    services = ["api"]
    if flags["use_temporal"]:
        services += ["temporal", "temporal-ui"] if flags["use_temporal_ui"] else ["temporal"]
        services += ["temporal-worker"]
    if flags["use_celery"]:
        services += ["redis", "rabbitmq"] if flags["use_rabbitmq"] else ["redis"]
        services += ["celery-worker"]
        services += ["celery-beat"] if flags["use_beat"] else []
        services += ["flower"] if flags["use_flower"] else []
    return services


def lock_variant(runner: str, flags: dict[str, bool]) -> str:
    """Which lock file fits: one per distinct set of dependencies."""
    return "celery-flower" if flags["use_flower"] else runner


def runner_dependencies(runner: str, flags: dict[str, bool]) -> list[str]:
    flower = [facts.FLOWER_DEPENDENCY] if flags["use_flower"] else []
    return facts.RUNNER_DEPENDENCIES[runner] + flower


def dotenv_quote(value: str) -> str:
    """A value as .env must spell it for python-dotenv and compose alike: quoted, so spaces and
    `#` stay part of it; single quotes also keep compose from expanding `$`."""
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def python_string(value: str) -> str:
    """A Python string literal as `ruff format` writes it: double quotes unless single quotes
    escape fewer characters; non-ASCII letters as they are."""
    quote = "'" if value.count('"') > value.count("'") else '"'
    escaped = value.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{escaped}{quote}"


@cache
def locked_names(locks: Path) -> frozenset[str]:
    """Every package any lock file names: a project of the same name would shadow it."""
    names: set[str] = set()
    for lock in locks.glob("*.lock"):
        names |= set(re.findall(r'^name = "([^"]+)"$', lock.read_text(encoding="utf-8"), re.M))
    return frozenset(names - {facts.LOCK_PLACEHOLDER})


@cache
def lock_text(lock: Path, dist_name: str) -> str:
    """The lock file for this project: its name put where the lock file has the placeholder."""
    text = lock.read_text(encoding="utf-8")
    return text.replace(f'"{facts.LOCK_PLACEHOLDER}"', f'"{dist_name}"')


def derive(answers: dict[str, Any]) -> dict[str, Any]:
    """Everything the templates need to know about the chosen runner."""
    runner = answers.get("task_runner", "none")
    if runner not in facts.RUNNERS:
        # The question's validator reports this to the user; keep rendering harmless meanwhile.
        runner = "none"
    flags = runner_flags(runner, answers)
    dist_name = str(answers.get("project_slug", "project")).replace("_", "-")
    variant = lock_variant(runner, flags)
    lock = facts.LOCKS / f"{variant}.lock"
    return {
        **flags,
        "runner_title": facts.RUNNER_TITLES[runner],
        "dist_name": dist_name,
        "app_dependencies": facts.APP_DEPENDENCIES,
        "runner_dependencies": runner_dependencies(runner, flags),
        # uv itself is a development dependency, so the lock pins the version everyone runs.
        "dev_dependencies": [*facts.DEV_DEPENDENCIES, f"uv=={facts.UV_VERSION}"],
        "runner_dev_dependencies": facts.RUNNER_DEV_DEPENDENCIES[runner],
        "uv_version": facts.UV_VERSION,
        "python_version": facts.PYTHON_VERSION,
        "images": facts.IMAGES,
        "env_project_name": dotenv_quote(str(answers.get("project_name", ""))),
        "py_project_name": python_string(str(answers.get("project_name", ""))),
        "compose_services": compose_services(flags),
        "reserved_names": sorted(locked_names(facts.LOCKS)),
        "lock_variant": variant,
        # Empty only while `python3 dev.py lock` makes the lock files.
        "uv_lock": lock_text(lock, dist_name) if lock.is_file() else "",
    }


class ContextUpdater(ContextHook):
    """Adds the derived values to every rendering context that carries copier's answers."""

    def hook(self, context: dict[str, Any]) -> None:
        context.update(derive(context))
