"""Bring a Lich project made by the original `lich init` (cookiecutter) under this template.

    python3 <template>/extensions/adopt.py PROJECT [--runner temporal|celery|none]
                                                   [--vcs-ref REF] [--skip-tests]

Needs python3, git and `copier` (with copier-template-extensions) on PATH, and the network (uv
locks the project's dependencies). The project must be a clean, committed git work tree made by
`lich init`, without `.copier-answers.yml`. All or nothing: on any failure the tree is exactly as
before. In one commit, the command:

1. derives the answers from what the project has and uses, and says why: which runner library
   and runner modules its own code imports, runner files edited since `lich init` wrote them,
   `.lich/PROJECT_CONFIG.yaml`, `requirements.txt`, `.env`, `docker-compose.yml`, the git
   history's author. When the evidence does not decide, it stops and asks for `--runner`;
2. keeps the names running systems depend on: the Temporal task queue and namespace, the Celery
   broker and result URLs and queue, the Temporal address;
3. adds the template's files the project lacks; the chosen runner's files replace `lich init`'s
   stubs (an edited one is kept in `lich-kept/adopted-<runner>/`); the other runner's files go
   (an edited one to `lich-kept/adopted-unused/`), unless the project's code imports them;
   every other file the project has stays its own, with these additions: the dependencies of
   `backend/requirements.txt` in `backend/pyproject.toml` (and `uv.lock`), the template's
   ignore rules in `.gitignore`, the template's keys first in `.env.example` (the project's own
   kept below them), `compose/jobs.yml` included by `docker-compose.yml` (services it now
   provides leave `docker-compose.yml`, whose former version goes to `lich-kept/adopted/`),
   and `.env` completed with generated passwords;
4. runs the project's tests before and after (unless `--skip-tests`) and lists the ones that fail.

Afterwards `copier update --trust --defaults -d task_runner=...` works like in any project made
from the template.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "migrations"))

from _common import (  # the scripts run as files
    ANSWERS_FILE,
    KEPT_DIR,
    RUNNERS,
    MigrationError,
    as_bool,
    files_in,
    git,
    read_env,
    sync_env,
    with_runner_lines,
)
from answers import problem as answer_problem  # what copier.yml's validators accept
from facts import UV_VERSION

TEMPLATE = Path(__file__).resolve().parents[1]
# The import name of each runner's library, as code and requirements spell it.
LIBRARIES = {"temporal": "temporalio", "celery": "celery"}
IGNORED_PARTS = {".git", ".venv", "venv", "__pycache__", "node_modules", KEPT_DIR}
# Requirements that are development tools, not the application's: they join the `dev` group.
DEV_TOOLS = {
    "pytest", "pytest-asyncio", "pytest-cov", "pytest-mock", "coverage", "black", "ruff",
    "mypy", "isort", "flake8", "pylint", "pre-commit",
}  # fmt: skip
# What pydantic's EmailStr needs, and lich init's requirements.txt forgot.
EMAIL_VALIDATOR = "email-validator>=2.0"
# Template files that test the template's own application entry: added only with it.
COMPANIONS = {"backend/tests/test_main.py": "backend/main.py"}
# lich init's defaults, which running systems kept using when .env did not say otherwise.
LEGACY_CELERY = {
    "CELERY_BROKER_URL": "redis://localhost:6379/1",
    "CELERY_RESULT_BACKEND": "redis://localhost:6379/2",
    "CELERY_DEFAULT_QUEUE": "celery",
}
# The first line of the background jobs' part of the template's .env.example.
JOBS_SECTION = "# Background jobs"
COMPOSE_INCLUDE = """include:
  # The task runner's services and volumes, written by the Lich template (which rewrites the
  # file when the runner changes); its paths are relative to this folder.
  - path: compose/jobs.yml
    project_directory: .
"""


class AdoptError(Exception):
    pass


@dataclass
class Plan:
    """Every change, decided before the first one is made."""

    write: dict[str, bytes] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)

    def keep(self, folder: str, path: str, content: bytes) -> str:
        kept = f"{KEPT_DIR}/{folder}/{path}"
        self.write[kept] = content
        return kept


@dataclass
class Project:
    root: Path
    _first: str = ""

    def read(self, path: str) -> bytes | None:
        target = self.root / path
        return target.read_bytes() if target.is_file() else None

    def text(self, path: str) -> str:
        content = self.read(path)
        return content.decode("utf-8", errors="replace") if content is not None else ""

    def files(self) -> set[str]:
        return set(git(self.root, "ls-files", "-z").split("\0")) - {""}

    def as_generated(self, path: str) -> bytes | None:
        """The file as `lich init` left it: its content in the repository's first commit."""
        if not self._first:
            self._first = git(self.root, "rev-list", "--max-parents=0", "HEAD").split()[-1]
        shown = subprocess.run(
            ["git", "show", f"{self._first}:{path}"],
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        return shown.stdout if shown.returncode == 0 else None

    def edited(self, path: str) -> bool:
        """Changed since `lich init` wrote it (a file it did not write counts as edited)."""
        return self.as_generated(path) != self.read(path)


# ---------------------------------------------------------------- evidence and answers


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


def module_of(path: str) -> str:
    """backend/internal/workers/main.py -> internal.workers.main (packages without __init__)."""
    parts = Path(path).with_suffix("").parts[1:]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


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
        if as_bool(features["temporal"]):
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
    answers: dict[str, Any] = {"task_runner": runner}
    name = section.get("name") or config.get("project_name")
    answers["project_name"] = str(name or project.root.resolve().name)
    slug = section.get("slug") or config.get("project_slug")
    if slug and not answer_problem("project_slug", slug):
        answers["project_slug"] = str(slug)
    if section.get("description"):
        answers["project_description"] = str(section["description"])
    history = git(project.root, "log", "--reverse", "--format=%an%x00%ae", check=False).split("\n")
    git_name, _, git_email = history[0].partition("\0") if history[0] else ("", "", "")
    answers["author_name"] = str(author.get("name") or git_name or "Lich Developer")
    email = str(author.get("email") or git_email)
    if not answer_problem("author_email", email):
        answers["author_email"] = email
    env = {**read_env(project.root / ".env.example"), **read_env(project.root / ".env")}
    compose = project.text("docker-compose.yml").lower()
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


def legacy_env(project: Project, runner: str) -> dict[str, str]:
    """Settings running systems depend on, as the new settings name them."""
    env = {**read_env(project.root / ".env.example"), **read_env(project.root / ".env")}
    kept: dict[str, str] = {}
    if runner == "celery":
        kept = {key: env.get(key) or default for key, default in LEGACY_CELERY.items()}
    if runner == "temporal" and env.get("TEMPORAL_HOST"):
        host = env["TEMPORAL_HOST"]
        kept["TEMPORAL_ADDRESS"] = (
            host if ":" in host else f"{host}:{env.get('TEMPORAL_PORT') or 7233}"
        )
    return kept


# ---------------------------------------------------------------- rendering


def render(template: str, vcs_ref: str | None, answers: dict[str, Any], destination: Path) -> None:
    copier = shutil.which("copier")
    command = [copier] if copier else [sys.executable, "-m", "copier"]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as data_file:
        json.dump(answers, data_file)  # JSON is YAML, so copier reads it as a data file
    args = ["copy", "--trust", "--defaults", "--quiet", "--data-file", data_file.name]
    args += ["--vcs-ref", vcs_ref] if vcs_ref else []
    result = subprocess.run(
        [*command, *args, template, str(destination)], capture_output=True, text=True, check=False
    )
    Path(data_file.name).unlink()
    if result.returncode != 0:
        raise AdoptError(f"copier could not render the template:\n{result.stderr.strip()}")


# ---------------------------------------------------------------- the plan


def plan_runner_files(
    project: Project,
    runner: str,
    chosen: Path,
    own: dict[str, set[str]],
    usage: dict[str, list[str]],
    plan: Plan,
) -> set[str]:
    """The chosen runner's files replace lich init's; the others' go. Returns handled paths."""
    handled: set[str] = set()
    replaced, kept = [], []
    for path in sorted(own[runner]):
        current = project.read(path)
        if current is None:
            continue
        handled.add(path)
        plan.write[path] = (chosen / path).read_bytes()
        if project.edited(path):
            kept.append(plan.keep(f"adopted-{runner}", path, current))
        else:
            replaced.append(path)
    if replaced:
        plan.report.append(f"Replaced {len(replaced)} runner file(s) lich init wrote, unedited:")
        plan.report += [f"  {path}" for path in replaced]
    if kept:
        plan.report.append(
            "Replaced runner file(s) you had edited; your versions are kept, move what you need "
            "into the new files:"
        )
        plan.report += [f"  {path}" for path in kept]
    for other in RUNNERS:
        if other == runner:
            continue
        for path in sorted(own[other]):
            current = project.read(path)
            if current is None or path in handled:
                continue
            handled.add(path)
            if usage.get(other):
                plan.report.append(f"Left in place (your code imports it): {path}")
            elif project.edited(path):
                plan.delete.append(path)
                kept_path = plan.keep("adopted-unused", path, current)
                plan.report.append(f"Moved (edited, {other} is not the chosen runner): {kept_path}")
            else:
                plan.delete.append(path)
                plan.report.append(f"Removed (unedited lich init file of {other}): {path}")
    return handled


def with_requirements(pyproject: str, requirements: list[str]) -> tuple[str, list[str], list[str]]:
    """pyproject.toml with requirements.txt's lines in `dependencies` (tools in `dev`)."""
    runtime: list[str] = []
    tools: list[str] = []
    for line in requirements:
        name = requirement_name(line)
        if name in LIBRARIES.values() or name == "flower":
            continue  # the task runner's packages come from the template's groups
        (tools if name in DEV_TOOLS else runtime).append(line)

    def extend(text: str, header: str, lines: list[str]) -> str:
        if not lines:
            return text
        start = text.index(header)
        end = text.index("\n]", start)
        block = "".join(f'    "{line}",\n' for line in lines)
        comment = "    # From backend/requirements.txt (lich init)\n"
        return text[: end + 1] + comment + block + text[end + 1 :]

    pyproject = extend(pyproject, "\ndependencies = [", runtime)
    pyproject = extend(pyproject, "\ndev = [", tools)
    return pyproject, runtime, tools


def needs_email_validator(project: Project, requirements: list[str]) -> bool:
    """Code that uses pydantic's EmailStr without email-validator installed cannot import."""
    names = {requirement_name(line) for line in requirements}
    if "email-validator" in names or any("pydantic[email" in line for line in requirements):
        return False
    return any(
        "EmailStr" in (project.root / path).read_text(encoding="utf-8", errors="replace")
        for path in python_files(project.root)
    )


def with_lines(text: str, lines: list[str], heading: str) -> str:
    """`text` with each of `lines` it lacks appended under a comment."""
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in lines if line.strip() and line.strip() not in present]
    if not missing:
        return text
    separator = "" if text.endswith("\n") or not text else "\n"
    return f"{text}{separator}\n# {heading}\n" + "\n".join(missing) + "\n"


def plan_env_example(project: Project, chosen: Path, plan: Plan) -> str:
    """The template's .env.example, with the keys only the project's had kept before the task
    runner's section (which `copier update` rewrites on a switch, so the two never touch)."""
    template = (chosen / ".env.example").read_text(encoding="utf-8")
    template_keys = set(read_env_text(template))
    extra = [
        line
        for line in project.text(".env.example").splitlines()
        if "=" in line
        and not line.lstrip().startswith("#")
        and line.split("=", 1)[0].strip() not in template_keys
    ]
    text = template
    if extra:
        anchor = template.index(JOBS_SECTION)
        block = "# Kept from lich init's .env.example\n" + "\n".join(extra) + "\n\n"
        text = template[:anchor] + block + template[anchor:]
    plan.write[".env.example"] = text.encode()
    plan.report.append(".env.example: the template's keys, and the ones only yours had")
    return text


def read_env_text(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs if k.strip() and not k.lstrip().startswith("#")}


def services_of(compose: str) -> dict[str, tuple[int, int]]:
    """Top-level services of a compose file: name -> (first line, line after the block)."""
    lines = compose.splitlines()
    blocks: dict[str, tuple[int, int]] = {}
    inside, current, start = False, None, 0
    for number, line in enumerate(lines):
        if re.match(r"^\S", line):
            if current:
                blocks[current] = (start, number)
                current = None
            inside = line.startswith("services:")
            continue
        match = re.match(r"^  ([A-Za-z0-9._-]+):\s*$", line)
        if inside and match:
            if current:
                blocks[current] = (start, number)
            current, start = match.group(1), number
    if current:
        blocks[current] = (start, len(lines))
    return blocks


def plan_compose(project: Project, chosen: Path, plan: Plan) -> None:
    compose = project.text("docker-compose.yml")
    if not compose:
        return
    provided = set(services_of((chosen / "compose" / "jobs.yml").read_text()))
    ours = services_of(compose)
    clash = sorted(provided & set(ours))
    lines = compose.splitlines(keepends=True)
    for name in sorted(clash, key=lambda n: ours[n][0], reverse=True):
        start, end = ours[name]
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1  # the block's own comment lines go with it
        del lines[start:end]
    text = "".join(lines)
    if "compose/jobs.yml" not in text:
        position = re.search(r"^services:", text, re.MULTILINE)
        at = position.start() if position else len(text)
        text = text[:at] + COMPOSE_INCLUDE + "\n" + text[at:]
    plan.write["docker-compose.yml"] = text.encode()
    plan.report.append("docker-compose.yml: includes compose/jobs.yml, the task runner's services")
    if clash:
        kept = plan.keep("adopted", "docker-compose.yml", compose.encode())
        plan.report.append(
            f"docker-compose.yml: {', '.join(clash)} now come from compose/jobs.yml; your former "
            f"definitions are in {kept}"
        )


def plan_project_config(project: Project, chosen: Path, plan: Plan) -> None:
    """lich init's PROJECT_CONFIG.yaml stays, its task-runner lines set as the template's."""
    path = ".lich/PROJECT_CONFIG.yaml"
    own = project.text(path)
    if not own:
        return
    theirs = (chosen / path).read_text(encoding="utf-8")
    plan.write[path] = with_runner_lines(own, theirs).encode()
    plan.report.append(f"{path}: yours, with the task runner's lines (stack, features) added")


def plan_adoption(
    project: Project, template: str, vcs_ref: str | None, forced: str | None, tmp: Path
) -> tuple[str, dict[str, Any], Evidence, Plan, str]:
    """Decide every change; returns the runner, answers, evidence, plan and the new .env.example."""
    renders = {}
    base = {"project_name": "Lich Adoption"}
    for runner in RUNNERS:
        renders[runner] = tmp / runner
        render(template, vcs_ref, {**base, "task_runner": runner}, renders[runner])
    files = {runner: files_in(path) for runner, path in renders.items()}
    common = set.intersection(*files.values())
    own = {runner: files[runner] - common for runner in RUNNERS}
    evidence = Evidence()
    runner, usage = choose_runner(project, forced, own, evidence)
    answers = derive_answers(project, runner, evidence)
    chosen = tmp / "chosen"
    render(template, vcs_ref, answers, chosen)
    plan = Plan()
    handled = plan_runner_files(project, runner, chosen, own, usage, plan)
    existing = project.files()
    added = []
    for path in sorted(files_in(chosen) - handled):
        companion = COMPANIONS.get(path)
        if path in existing or path == ANSWERS_FILE:
            continue
        if companion and companion in existing:
            continue  # it tests the template's own file, which the project has its version of
        plan.write[path] = (chosen / path).read_bytes()
        added.append(path)
    plan.report.insert(0, f"Added {len(added)} template file(s) the project did not have.")
    plan.write[ANSWERS_FILE] = (chosen / ANSWERS_FILE).read_bytes()
    pyproject = (chosen / "backend" / "pyproject.toml").read_text()
    requirements = requirement_lines(project)
    if needs_email_validator(project, requirements):
        requirements.append(EMAIL_VALIDATOR)
        plan.report.append(
            f"backend/pyproject.toml: {EMAIL_VALIDATOR} added: your code uses pydantic's EmailStr, "
            "which needs it, and lich init's requirements.txt lacks it"
        )
    pyproject, runtime, tools = with_requirements(pyproject, requirements)
    plan.write["backend/pyproject.toml"] = pyproject.encode()
    if runtime or tools:
        plan.report.append(
            f"backend/pyproject.toml: {len(runtime)} dependencies and {len(tools)} tools from "
            "backend/requirements.txt (make install reads pyproject.toml and uv.lock now)"
        )
    gitignore = project.text(".gitignore")
    wanted = (chosen / ".gitignore").read_text().splitlines()
    updated = with_lines(gitignore, wanted, "Added by the Lich template")
    if updated != gitignore:
        plan.write[".gitignore"] = updated.encode()
        plan.report.append(".gitignore: the template's rules added (.venv/, backend/var/, ...)")
    dockerfile = "backend/Dockerfile"
    if dockerfile in existing and not project.edited(dockerfile):
        plan.write[dockerfile] = (chosen / dockerfile).read_bytes()
        plan.report.append(f"{dockerfile}: lich init's, unedited, replaced (one image, uv.lock)")
    elif dockerfile in existing:
        plan.report.append(
            f"{dockerfile}: yours (edited), kept; the compose workers need the task runner's "
            "packages: compare it with the template's (uv sync from uv.lock)"
        )
    example = plan_env_example(project, chosen, plan)
    plan_compose(project, chosen, plan)
    plan_project_config(project, chosen, plan)
    return runner, answers, evidence, plan, example


# ---------------------------------------------------------------- doing it


def is_lich_project(project: Path) -> bool:
    if (project / ".lich" / "PROJECT_CONFIG.yaml").is_file():
        return True
    backend = project / "backend"
    return all(
        (backend / part).exists() for part in ("main.py", "api/http", "pkg/config/settings.py")
    )


def check_project(project: Path) -> None:
    if not project.is_dir():
        raise AdoptError(f"{project} is not a directory.")
    if git(project, "rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
        raise AdoptError(f"{project} is not a git work tree: run `git init` and commit it first.")
    if not git(project, "rev-parse", "--verify", "-q", "HEAD", check=False).strip():
        raise AdoptError(f"{project} has no commit yet: commit it first.")
    if (project / ANSWERS_FILE).exists():
        raise AdoptError(
            f"{project} already has {ANSWERS_FILE}: it is under a copier template already. "
            "Use `copier update --trust` there."
        )
    if not is_lich_project(project):
        raise AdoptError(
            f"{project} is not a Lich project: it has no .lich/PROJECT_CONFIG.yaml, and no "
            "backend/main.py with backend/api/http/ and backend/pkg/config/settings.py (what "
            "`lich init` makes). Point the command at the project's root folder."
        )
    if git(project, "status", "--porcelain", check=False).strip():
        raise AdoptError(
            f"{project} has uncommitted changes or untracked files: commit them first, so the "
            "adoption is one reviewable commit."
        )


@contextmanager
def all_or_nothing(project: Path) -> Iterator[None]:
    """On any failure, put the tree back exactly as it was (it was clean and committed)."""
    head = git(project, "rev-parse", "HEAD").strip()
    env = project / ".env"
    env_before = env.read_bytes() if env.exists() else None
    try:
        yield
    except BaseException:
        git(project, "reset", "-q", "--hard", head, check=False)
        git(project, "clean", "-q", "-f", "-d", check=False)
        if env_before is not None:
            env.write_bytes(env_before)
        elif env.exists():
            env.unlink()
        raise


def find_uv(tmp: Path) -> str:
    """uv from PATH, or the locked version installed with pip into a scratch environment."""
    found = shutil.which("uv")
    if found:
        return found
    venv.create(tmp / "uv", with_pip=True)
    pip = subprocess.run(
        [tmp / "uv" / "bin" / "python", "-m", "pip", "install", "-q", f"uv=={UV_VERSION}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if pip.returncode != 0:
        raise AdoptError(f"could not install uv {UV_VERSION} with pip:\n{pip.stderr.strip()}")
    return str(tmp / "uv" / "bin" / "uv")


def apply(project: Path, plan: Plan) -> None:
    for path in plan.delete:
        (project / path).unlink()
    for path, content in plan.write.items():
        target = project / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def lock(project: Path, uv: str) -> None:
    result = subprocess.run(
        [uv, "lock", "--quiet"],
        cwd=project / "backend",
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AdoptError(
            "uv could not lock the dependencies (requirements.txt's and the template's):\n"
            f"{result.stderr.strip()}\nRelax the pin it names in backend/requirements.txt, "
            "commit, and run again."
        )


def complete_env(project: Path, runner: str, example: str, kept: dict[str, str]) -> list[str]:
    """Append to .env the keys it lacks (passwords generated), then lich init's values that
    running systems use, which win over the template's defaults."""
    reason = f"the Lich template adoption (task runner: {runner})"
    added, _ = sync_env(project, reason, example)
    env = project / ".env"
    if kept and env.is_file():
        text = env.read_text(encoding="utf-8")
        block = "".join(f"{key}={value}\n" for key, value in kept.items())
        comment = "# Kept from lich init: what the running systems use (wins over the above)\n"
        env.write_text(f"{text.rstrip()}\n\n{comment}{block}", encoding="utf-8")
    return sorted({*added, *kept})


def commit(project: Path, runner: str) -> None:
    git(project, "add", "-A")
    identity = (
        []
        if git(project, "config", "user.email", check=False).strip()
        else ["-c", "user.name=Lich adopt", "-c", "user.email=adopt@lich.invalid"]
    )
    message = f"Adopt the Lich copier template (task runner: {runner})"
    result = subprocess.run(
        ["git", *identity, "commit", "-q", "-m", message],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise AdoptError(f"git commit failed (a commit hook of the project?):\n{output}")


def adopt(
    project: Path, template: str, vcs_ref: str | None, forced: str | None
) -> tuple[str, dict[str, Any], Evidence, Plan, list[str]]:
    check_project(project)
    with tempfile.TemporaryDirectory(prefix="lich-adopt.") as scratch:
        tmp = Path(scratch)
        runner, answers, evidence, plan, example = plan_adoption(
            Project(project), template, vcs_ref, forced, tmp
        )
        kept = legacy_env(Project(project), runner)
        uv = find_uv(tmp)
        with all_or_nothing(project):
            apply(project, plan)
            lock(project, uv)
            env_added = complete_env(project, runner, example, kept)
            commit(project, runner)
    return runner, answers, evidence, plan, env_added


# ---------------------------------------------------------------- the tests, before and after


def failing_tests(backend: Path, python: Path) -> list[str] | str:
    """The project's failing tests (node ids), or why they could not run."""
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider",
         "--continue-on-collection-errors"],
        cwd=backend,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )  # fmt: skip
    if result.returncode not in (0, 1):
        return f"pytest exited {result.returncode}: {(result.stdout + result.stderr)[-500:]}"
    # Only the summary: captured log lines may start with "ERROR " too.
    summary = result.stdout.rpartition("short test summary info")[2]
    return sorted(
        line.split()[1] for line in summary.splitlines() if line.startswith(("FAILED ", "ERROR "))
    )


def tests_before(project: Path, uv: str, tmp: Path) -> list[str] | str:
    """The tests as they were: lich init's way, requirements.txt in a virtual environment."""
    snapshot = tmp / "before"
    archive = subprocess.run(["git", "archive", "HEAD~1"], cwd=project, capture_output=True)
    snapshot.mkdir()
    subprocess.run(["tar", "-x", "-C", str(snapshot)], input=archive.stdout, check=True)
    backend = snapshot / "backend"
    created = subprocess.run([uv, "venv", "-q", str(tmp / "venv-before")], capture_output=True)
    python = tmp / "venv-before" / "bin" / "python"
    install = subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(python), "-r", "requirements.txt"],
        cwd=backend,
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode or install.returncode:
        return f"could not install requirements.txt: {install.stderr.strip()[-300:]}"
    return failing_tests(backend, python)


def tests_after(project: Path) -> list[str] | str:
    install = subprocess.run(
        ["make", "--no-print-directory", "install"], cwd=project, capture_output=True, text=True
    )
    if install.returncode:
        return f"make install failed: {(install.stdout + install.stderr).strip()[-500:]}"
    return failing_tests(project / "backend", project / "backend" / ".venv" / "bin" / "python")


# The project's packages the template puts files into: when one of them does not import, every
# module in it fails too, the template's included, and nothing the adoption did can change that.
SHARED_PACKAGES = (
    "api.http",
    "internal.adapters",
    "internal.dto",
    "internal.entities",
    "internal.ports",
    "internal.services",
    "pkg.config",
    "pkg.logger",
)
IMPORT_EACH = """
import importlib, json, sys
broken = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as error:
        broken[name] = f"{type(error).__name__}: {error}"
print(json.dumps(broken))
"""


def broken_packages(backend: Path) -> dict[str, str]:
    """The shared packages that do not import, with why, in the project's own environment."""
    packages = [name for name in SHARED_PACKAGES if (backend / name.replace(".", "/")).is_dir()]
    python = backend / ".venv" / "bin" / "python"
    result = subprocess.run(
        [str(python), "-c", IMPORT_EACH, *packages],
        cwd=backend,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        return dict(json.loads(result.stdout.strip().splitlines()[-1]))
    except (IndexError, ValueError):
        return {}


def report_broken_packages(broken: dict[str, str]) -> None:
    by_error: dict[str, list[str]] = {}
    for package, error in broken.items():
        by_error.setdefault(error, []).append(package)
    print("The project's own code does not import, so every module under these packages fails,")
    print("the template's included, before the adoption as after it:")
    for error, packages in by_error.items():
        print(f"  {', '.join(packages)}: {error}")
    print("Fix that import in your code; `make test` then runs the template's tests too.")


def report_tests(
    before: list[str] | str, after: list[str] | str, broken: dict[str, str] | None = None
) -> None:
    if broken:
        report_broken_packages(broken)
    if isinstance(after, str):
        print(f"Tests: could not run them after the adoption ({after}); run `make test`.")
        return
    if isinstance(before, str):
        print(f"Tests: could not run them before the adoption ({before}).")
        before = []
    if not after:
        print("Tests: all pass after the adoption (make test).")
        return
    # A module that failed to import before failed all its tests: an id without "::" is one.
    failed_before = set(before) | {test for test in after if test.split("::")[0] in before}
    old = [test for test in after if test in failed_before]
    new = [test for test in after if test not in failed_before]
    if old:
        print(f"Tests failing before the adoption too ({len(old)}), not caused by it:")
        print("".join(f"  {test}\n" for test in old), end="")
    if new:
        print(f"Tests failing after the adoption only ({len(new)}):")
        print("".join(f"  {test}\n" for test in new), end="")


def say_report(
    runner: str, answers: dict[str, Any], evidence: Evidence, plan: Plan, env_added: list[str]
) -> None:
    print(f"Adopted with task runner: {runner}")
    for line in evidence.lines:
        print(f"  evidence: {line}")
    print("Answers recorded in .copier-answers.yml:")
    for key, value in answers.items():
        print(f"  {key}: {value}")
    for line in plan.report:
        print(line)
    if env_added:
        print(f".env: added {', '.join(env_added)}")
    if "backend/api/http/emails.py" in plan.write:
        print(
            "The example e-mail routes are in backend/api/http/emails.py, and the readiness check "
            "(GET /ready: does the task runner answer?) in backend/api/http/ready.py; to serve "
            "them, add to backend/api/http/__init__.py:\n"
            "  from .emails import router as emails_router\n"
            "  from .ready import router as ready_router\n"
            '  router.include_router(emails_router, prefix="/emails", tags=["Emails"])\n'
            '  router.include_router(ready_router, tags=["Health"])'
        )
    print("Committed. Review it with `git show --stat`; change the runner later with:")
    print("  copier update --trust --defaults -d task_runner=<temporal|celery|none>")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="the Lich project to adopt")
    parser.add_argument("--runner", choices=RUNNERS, help="the task runner to keep")
    parser.add_argument("--vcs-ref", help="template version (git tag or commit); default: newest")
    parser.add_argument(
        "--template",
        default=str(TEMPLATE),
        help="template path or URL (default: the template this script belongs to)",
    )
    parser.add_argument(
        "--skip-tests", action="store_true", help="do not run the project's tests before/after"
    )
    args = parser.parse_args(argv)
    template = args.template
    if Path(template).exists():
        template = str(Path(template).resolve())  # a relative _src_path breaks later updates
    project = args.project.resolve()
    try:
        runner, answers, evidence, plan, env_added = adopt(
            project, template, args.vcs_ref, args.runner
        )
    except (AdoptError, MigrationError) as error:
        print(f"Adoption stopped: {error}\nNothing was changed.", file=sys.stderr)
        return 1
    say_report(runner, answers, evidence, plan, env_added)
    if not args.skip_tests:
        with tempfile.TemporaryDirectory(prefix="lich-adopt-tests.") as scratch:
            before = tests_before(project, find_uv(Path(scratch)), Path(scratch))
            after = tests_after(project)
            failing = isinstance(after, list) and bool(after)
            broken = broken_packages(project / "backend") if failing else {}
            report_tests(before, after, broken)
    return 0


if __name__ == "__main__":
    sys.exit(main())
