"""Values derived once from the answers, for every template to use.

Each runner's footprint (dependencies, compose services, images, the lock file) is decided here
from the facts in facts.py, so templates ask simple questions such as `{% if use_celery %}` or loop
over a prepared list instead of repeating the runner logic file by file.
"""

from __future__ import annotations

import importlib.util
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from copier_template_extensions import ContextHook
from jinja2 import Environment, pass_context


def _load(name: str) -> Any:
    """A module beside this file, by path: one process may render several template versions (an
    update renders the old and the new), and each must read its own, never a cached module of
    another."""
    path = Path(__file__).resolve().with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"lich_{name}_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


facts = _load("facts")
answers = _load("answers")
CHOICES = {"task_runner": facts.RUNNERS, "celery_broker": facts.CELERY_BROKERS}


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
        # The app's own Redis: docker-compose.yml runs it, the app's settings read REDIS_*, and
        # Celery shares it (broker and results in databases of their own).
        "use_redis": bool(answers.get("use_redis", False)),
        # Whether anything needs a Redis server: `make dev` runs Valkey then.
        "runs_redis": use_celery or bool(answers.get("use_redis", False)),
    }


def compose_services(flags: dict[str, bool]) -> list[str]:
    """Names of the docker compose services, in start order."""
    services = ["api", "redis"] if flags["use_redis"] else ["api"]
    if flags["use_temporal"]:
        services += ["temporal", "temporal-ui"] if flags["use_temporal_ui"] else ["temporal"]
        services += ["temporal-worker"]
    if flags["use_celery"]:
        services += [] if flags["use_redis"] else ["redis"]
        services += ["rabbitmq"] if flags["use_rabbitmq"] else []
        services += ["celery-worker"]
        services += ["celery-beat"] if flags["use_beat"] else []
        services += ["flower"] if flags["use_flower"] else []
    return services


def lock_variant(runner: str, flags: dict[str, bool]) -> str:
    """Which lock file fits: one per distinct set of dependencies."""
    variant = "celery-flower" if flags["use_flower"] else runner
    return f"{variant}-redis" if flags["use_redis"] else variant


def runner_dependencies(runner: str, flags: dict[str, bool]) -> list[str]:
    flower = [facts.FLOWER_DEPENDENCY] if flags["use_flower"] else []
    return facts.RUNNER_DEPENDENCIES[runner] + flower


def runner_dev_dependencies(runner: str, flags: dict[str, bool]) -> list[str]:
    """The runner's embedded servers and stubs; Valkey is the app's when it has its own Redis."""
    found = facts.RUNNER_DEV_DEPENDENCIES[runner]
    if flags["use_redis"]:
        return [dependency for dependency in found if dependency != facts.VALKEY_DEV_DEPENDENCY]
    return found


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


class LockedNames:
    """The packages any lock file names (a project of the same name would shadow one), asked
    one name at a time: a search in the lock files' text, not a parse of 2 MB per copy."""

    def __init__(self, locks: Path) -> None:
        self.locks = locks

    def __contains__(self, name: object) -> bool:
        needle = f'\nname = "{name}"\n'
        return name != facts.LOCK_PLACEHOLDER and any(needle in text for text in self.texts)

    @cached_property
    def texts(self) -> list[str]:
        return [lock.read_text(encoding="utf-8") for lock in sorted(self.locks.glob("*.lock"))]


LOCKED_NAMES = LockedNames(facts.LOCKS)


@cache
def lock_text(lock: Path, dist_name: str) -> str:
    """The lock file for this project: its name put where the lock file has the placeholder."""
    text = lock.read_text(encoding="utf-8")
    return text.replace(f'"{facts.LOCK_PLACEHOLDER}"', f'"{dist_name}"')


# The answers derive() reads. Copier renders hundreds of strings per copy, each through the hook
# below: the values are computed once per distinct set of these answers.
DERIVED_FROM = (
    "task_runner",
    "celery_broker",
    "celery_beat",
    "celery_flower",
    "temporal_ui",
    "use_redis",
    "project_slug",
    "project_name",
)


def derive(context: dict[str, Any]) -> dict[str, Any]:
    """Everything the templates need to know about the chosen runner (shared: never mutated)."""
    return _derive(tuple(context.get(key) for key in DERIVED_FROM))


@cache
def _derive(values: tuple[Any, ...]) -> dict[str, Any]:
    pairs = zip(DERIVED_FROM, values, strict=True)
    answers = {key: value for key, value in pairs if value is not None}
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
        "app_dependencies": [
            *facts.APP_DEPENDENCIES,
            *([facts.APP_REDIS_DEPENDENCY] if flags["use_redis"] else []),
        ],
        "runner_dependencies": runner_dependencies(runner, flags),
        # uv itself is a development dependency, so the lock pins the version everyone runs.
        "dev_dependencies": sorted(
            [
                *facts.DEV_DEPENDENCIES,
                f"uv=={facts.UV_VERSION}",
                *([facts.VALKEY_DEV_DEPENDENCY] if flags["use_redis"] else []),
            ]
        ),
        "runner_dev_dependencies": runner_dev_dependencies(runner, flags),
        "uv_version": facts.UV_VERSION,
        "python_version": facts.PYTHON_VERSION,
        "images": facts.IMAGES,
        "limits": facts.JOB_LIMITS,
        "stop_grace_seconds": {
            "temporal": facts.JOB_LIMITS["temporal_graceful_shutdown_seconds"]
            + facts.STOP_GRACE_MARGIN,
            "celery": facts.JOB_LIMITS["celery_task_time_limit"] + facts.STOP_GRACE_MARGIN,
            "celery_bulk": facts.JOB_LIMITS["celery_bulk_time_limit"] + facts.STOP_GRACE_MARGIN,
        },
        # Celery's Redis databases: beside the app's own (database 0) when it has one.
        "redis_broker_db": 1 if flags["use_redis"] else 0,
        "redis_result_db": 2 if flags["use_redis"] else 1,
        "default_queue": facts.CELERY_DEFAULT_QUEUE,
        "kubernetes_version": facts.KUBERNETES_VERSION,
        "keda_version": facts.KEDA_VERSION,
        "kubernetes_validate_version": facts.KUBERNETES_VALIDATE_VERSION,
        "k8s_values": facts.K8S_VALUES,
        "worker_metrics_port": facts.WORKER_METRICS_PORT,
        "secret_suffixes": facts.SECRET_SUFFIXES,
        "secret_keys": facts.SECRET_KEYS,
        "env_project_name": dotenv_quote(str(answers.get("project_name", ""))),
        "py_project_name": python_string(str(answers.get("project_name", ""))),
        "compose_services": compose_services(flags),
        "lock_variant": variant,
        # Empty only while `python3 dev.py lock` makes the lock files.
        "uv_lock": lock_text(lock, dist_name) if lock.is_file() else "",
    }


class AnswerError(SystemExit):
    """Ends copier with a short report on stderr and exit code 1, before anything is written.

    A SystemExit, not an Exception: copier turns any Exception raised while it renders a
    validator into a ValueError whose 40-line traceback buries the message.
    """


def _conf(context: Any) -> Any:
    return context.get("_copier_conf") or {"data": {}, "defaults": False}


def _from_command_line(context: Any, question: str) -> bool:
    """Whether copier will not ask `question` (given with -d, or --defaults): then a bad answer
    stops the run; in a prompt, copier shows the problem and asks again."""
    conf = _conf(context)
    return question in conf["data"] or bool(conf["defaults"])


def _stop(problems: list[str]) -> None:
    raise AnswerError(
        answers.report(
            problems,
            "these answers cannot be used" if len(problems) > 1 else "this answer cannot be used",
            "Nothing was written. Run the command again with the answer fixed.",
        )
    )


# Not conf["answers_file"]: copier renders that (and so hooks again).
ANSWERS_FILE = facts.ANSWERS_FILE


@cache
def _recorded(path: Path, stamp: tuple[int, int]) -> dict[str, Any]:
    """The answers file's mapping, read once per version of the file ({} if it holds none:
    copier itself reports that, before any hook runs)."""
    try:
        recorded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def recorded_answers(context: Any) -> dict[str, Any]:
    """The answers an existing project recorded ({} for a new one): an update hooks here before
    copier has put them in the context."""
    path = Path(_conf(context)["dst_path"]) / ANSWERS_FILE
    try:
        status = path.stat()
    except OSError:
        return {}
    return _recorded(path, (status.st_mtime_ns, status.st_size))


def recorded_runner(recorded: dict[str, Any]) -> str | None:
    if "task_runner" in recorded:
        return str(recorded["task_runner"])
    if "use_temporal" in recorded:  # before 1.0.0
        return "temporal" if answers.is_true(recorded["use_temporal"]) else "none"
    return None


def check_recorded(recorded: dict[str, Any]) -> None:
    """An update first replays the answers the project recorded: a hand-edited runner or broker
    there would end in copier's traceback."""
    found = [
        answers.choice_problem(key, recorded[key], CHOICES) for key in CHOICES if key in recorded
    ]
    if any(found):
        raise AnswerError(
            answers.report(
                [problem for problem in found if problem],
                f"{ANSWERS_FILE} records an answer this template cannot use",
                f"Restore it from git (git checkout -- {ANSWERS_FILE}), then change answers with "
                "-d. Nothing was written.",
            )
        )


def check_command_line(context: dict[str, Any]) -> None:
    """Every `-d` answer, checked before copier asks or validates anything: a value outside the
    choices, a boolean copier would read as true, an option of another runner, a bad format.
    When copier replays a project's recorded answers (an update renders the old version with
    them), only their runner and broker are checked."""
    conf = _conf(context)
    data = conf["data"]
    if "_src_path" in data:
        check_recorded(data)
        return
    if not data:
        return
    runner = data.get("task_runner", context.get("task_runner"))
    if runner is None and any(key in answers.RUNNER_OF_OPTION for key in data):
        runner = recorded_runner(recorded_answers(context))
    if runner is None and conf["defaults"]:
        runner = "none"
    runner = runner if runner in facts.RUNNERS else None
    # Every render asks: the answers are checked once per distinct command line and runner.
    key = (tuple(sorted((str(name), repr(value)) for name, value in data.items())), runner)
    if key not in _CHECKED:
        _CHECKED[key] = answers.data_problems(data, CHOICES, runner, LOCKED_NAMES)
    if _CHECKED[key]:
        _stop(_CHECKED[key])


_CHECKED: dict[tuple[Any, ...], list[str]] = {}


@pass_context
def answer_problem(context: Any, question: str, value: Any) -> str:
    """A validator's message: "" when the answer is fine."""
    found = answers.problem(question, value, LOCKED_NAMES)
    if found and question == "project_slug" and question not in _conf(context)["data"]:
        name = str(context.get("project_name", ""))
        found = (
            f'project_name "{name}" makes no valid package name ("{value}"): give one with '
            f"-d project_slug={answers.suggested_slug(name)} (lowercase letters, digits and "
            "underscores, starting with a letter)."
        )
    if found and _from_command_line(context, question):
        _stop([found])
    return found


@pass_context
def default_slug(context: Any, name: str) -> str:
    """project_slug's default: in a prompt always a valid one to accept or edit; from the
    command line the plain derivation, so a name that makes no valid slug is reported."""
    if _from_command_line(context, "project_slug"):
        return str(answers.slug_from(name))
    return str(answers.suggested_slug(name))


class ContextUpdater(ContextHook):
    """Adds the derived values to every rendering context that carries copier's answers, and
    the answer checks to copier.yml."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["answer_problem"] = answer_problem
        environment.globals["default_slug"] = default_slug

    def hook(self, context: dict[str, Any]) -> None:
        check_command_line(context)
        context.update(derive(context))
