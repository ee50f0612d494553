"""What the project has and uses: the evidence that decides the runner and the answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from answers import problem as answer_problem  # what copier.yml's validators accept
from migrations._common import KEPT_DIR, git, is_true, module_of, read_env

from adoption.project import AdoptError, Project

# The import name of each runner's library, as code and requirements spell it.
LIBRARIES = {"temporal": "temporalio", "celery": "celery"}

IGNORED_PARTS = {".git", ".venv", "venv", "__pycache__", "node_modules", KEPT_DIR}

# Requirements that are development tools, not the application's: they join the `dev` group.
DEV_TOOLS = {
    "pytest", "pytest-asyncio", "pytest-cov", "pytest-mock", "coverage", "black", "ruff",
    "mypy", "isort", "flake8", "pylint", "pre-commit",
}  # fmt: skip


def read_yaml(path: Path) -> dict[str, Any]:
    """PyYAML when available; else the two-level `key: value` mapping PROJECT_CONFIG uses."""
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    try:
        import yaml

        loaded = yaml.safe_load(text)
        return loaded if isinstance(loaded, dict) else {}
    except ImportError:
        pass
    except yaml.YAMLError as error:
        raise AdoptError(f"{path.name} is not valid YAML: {error}") from error
    result: dict[str, Any] = {}
    section: dict[str, Any] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or ":" not in line:
            continue
        key, _, value = line.strip().partition(":")
        value = value.strip().strip("\"'")
        if line[0].isspace() and section is not None:
            section[key] = value
        elif value:
            result[key], section = value, None
        else:
            section = result.setdefault(key, {})
    return result


def requirement_name(line: str) -> str | None:
    line = line.strip()
    if not line or line.startswith(("#", "-")):
        return None
    match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return match.group(1).lower().replace("_", "-") if match else None


def requirement_lines(project: Project) -> list[str]:
    lines = project.text("backend/requirements.txt").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if requirement_name(line)]


def python_files(project: Path) -> list[str]:
    return sorted(
        path.relative_to(project).as_posix()
        for path in (project / "backend").rglob("*.py")
        if not IGNORED_PARTS.intersection(path.relative_to(project).parts)
    )


def runner_usage(project: Path, own: dict[str, set[str]]) -> dict[str, list[str]]:
    """Runner -> files outside every runner's own files that import that runner's code."""
    runner_files = set().union(*own.values())
    sources = {
        path: (project / path).read_text(encoding="utf-8", errors="replace")
        for path in python_files(project)
        if path not in runner_files
    }
    usage: dict[str, list[str]] = {}
    for runner in LIBRARIES:
        modules = {module_of(path) for path in own[runner] if path.endswith(".py")}
        names = sorted({LIBRARIES[runner], *modules}, key=len)
        pattern = re.compile(
            r"^\s*(?:from|import)\s+(" + "|".join(map(re.escape, names)) + r")(?:[.\s]|$)",
            re.MULTILINE,
        )
        usage[runner] = [path for path, source in sources.items() if pattern.search(source)]
    return usage


@dataclass
class Evidence:
    lines: list[str] = field(default_factory=list)
    edited: dict[str, list[str]] = field(default_factory=dict)

    def say(self, line: str) -> None:
        self.lines.append(line)


def choose_runner(
    project: Project, forced: str | None, own: dict[str, set[str]], evidence: Evidence
) -> tuple[str, dict[str, list[str]]]:
    usage = runner_usage(project.root, own)
    config = read_yaml(project.root / ".lich" / "PROJECT_CONFIG.yaml")
    features = config.get("features") if isinstance(config.get("features"), dict) else {}
    requirements = {requirement_name(line) for line in requirement_lines(project)}
    compose = project.text("docker-compose.yml")
    env = {**read_env(project.root / ".env.example"), **read_env(project.root / ".env")}
    decisive: set[str] = set()
    for runner, files in usage.items():
        if files:
            evidence.say(f"{runner}: imported by {', '.join(files[:3])}")
            decisive.add(runner)
        if LIBRARIES[runner] in requirements:
            evidence.say(f"{runner}: {LIBRARIES[runner]} is in requirements.txt")
            decisive.add(runner)
        evidence.edited[runner] = sorted(
            path for path in own[runner] if project.read(path) is not None and project.edited(path)
        )
        if evidence.edited[runner]:
            evidence.say(f"{runner}: edited since lich init: {', '.join(evidence.edited[runner])}")
    if "temporal" in features:
        evidence.say(f"PROJECT_CONFIG.yaml: features.temporal: {features['temporal']}")
        if is_true(features["temporal"]):
            decisive.add("temporal")
    if re.search(r"^\s{2}temporal:\s*$", compose, re.MULTILINE):
        evidence.say("docker-compose.yml: a temporal service")
        decisive.add("temporal")
    if env.get("CELERY_BROKER_URL"):
        evidence.say("a CELERY_BROKER_URL in .env")
        decisive.add("celery")
    if forced:
        evidence.say(f"--runner {forced} given")
        return forced, usage
    if len(decisive) > 1:
        raise AdoptError(
            "the project uses both Temporal and Celery:\n  "
            + "\n  ".join(evidence.lines)
            + "\nThis template keeps one runner. Choose the one to keep and run again with "
            "--runner temporal or --runner celery; the other's files are then left in place."
        )
    if decisive:
        return decisive.pop(), usage
    edited = {runner: files for runner, files in evidence.edited.items() if files}
    if edited:
        lines = [f"  {path} ({runner})" for runner, files in edited.items() for path in files]
        raise AdoptError(
            "the evidence does not decide the task runner. lich init wrote both runners' files, "
            "and these were edited since:\n"
            + "\n".join(lines)
            + "\nRun again with --runner temporal, --runner celery or --runner none. The files of "
            f"a runner you do not choose move to {KEPT_DIR}/adopted-unused/."
        )
    evidence.say("no runner is used, imported or configured")
    return "none", usage


def derive_answers(project: Project, runner: str, evidence: Evidence) -> dict[str, Any]:
    config = read_yaml(project.root / ".lich" / "PROJECT_CONFIG.yaml")
    section = config.get("project") if isinstance(config.get("project"), dict) else {}
    author = config.get("author") if isinstance(config.get("author"), dict) else {}
    answers: dict[str, Any] = {"task_runner": runner, "adopted_from_lich_init": True}
    name = section.get("name") or config.get("project_name")
    answers["project_name"] = str(name or project.root.resolve().name)
    slug = section.get("slug") or config.get("project_slug")
    if slug and not answer_problem("project_slug", slug):
        answers["project_slug"] = str(slug)
    if section.get("description"):
        answers["project_description"] = str(section["description"])
    # Without an author in PROJECT_CONFIG.yaml: whoever committed lich init's render.
    who = git(
        project.root,
        "log",
        "-1",
        "--format=%an%x00%ae",
        project.lich_init_commit or "HEAD",
        check=False,
    ).strip()
    git_name, _, git_email = who.partition("\0")
    answers["author_name"] = str(author.get("name") or git_name or "Lich Developer")
    email = str(author.get("email") or git_email)
    if not answer_problem("author_email", email):
        answers["author_email"] = email
    env = {**read_env(project.root / ".env.example"), **read_env(project.root / ".env")}
    compose = project.text("docker-compose.yml").lower()
    # lich init's `use_redis`: the app's own cache, in its compose file and its settings.
    stack = config.get("stack") if isinstance(config.get("stack"), dict) else {}
    settings = project.text("backend/pkg/config/settings.py")
    answers["use_redis"] = is_true(stack.get("cache", False)) or (
        "redis_host" in settings and re.search(r"^  redis:\s*$", compose, re.M) is not None
    )
    evidence.say(
        "the app's own Redis: "
        + (
            "yes (PROJECT_CONFIG stack.cache, its settings and compose service)"
            if answers["use_redis"]
            else "no"
        )
    )
    if runner == "celery":
        broker = env.get("CELERY_BROKER_URL", "")
        answers["celery_broker"] = "rabbitmq" if broker.startswith("amqp") else "redis"
        celery_code = project.text("backend/internal/celery_app.py")
        answers["celery_beat"] = "beat_schedule" in celery_code or "celery-beat" in compose
        requirements = {requirement_name(line) for line in requirement_lines(project)}
        answers["celery_flower"] = "flower" in compose or "flower" in requirements
        evidence.say(
            f"celery options: broker {answers['celery_broker']}, beat {answers['celery_beat']}, "
            f"flower {answers['celery_flower']}"
        )
    elif runner == "temporal":
        answers["temporal_ui"] = "temporal-ui" in compose or "temporalio/ui" in compose
        namespace = env.get("TEMPORAL_NAMESPACE") or "default"
        if not answer_problem("temporal_namespace", namespace):
            answers["temporal_namespace"] = namespace
        # lich init's worker polled `<project_slug>-tasks`, underscores and all.
        queue = env.get("TEMPORAL_TASK_QUEUE") or f"{answers.get('project_slug', 'app')}-tasks"
        if not answer_problem("temporal_task_queue", queue):
            answers["temporal_task_queue"] = queue
        evidence.say(
            f"temporal: task queue {answers.get('temporal_task_queue')}, namespace "
            f"{answers.get('temporal_namespace')} (the names the running worker uses)"
        )
    return answers
