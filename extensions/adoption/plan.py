"""Every change the adoption makes, decided before the first one is made."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from migrations._common import (
    ANSWERS_FILE,
    RUNNERS,
    files_in,
    module_of,
    run,
    with_runner_lines,
)

from adoption.compose import passwordless_redis, plan_compose
from adoption.env import legacy_values, plan_env_example, plan_manifests
from adoption.evidence import (
    DEV_TOOLS,
    LIBRARIES,
    Evidence,
    choose_runner,
    derive_answers,
    python_files,
    requirement_lines,
    requirement_name,
)
from adoption.lint import (
    lint_statement,
    package_folders,
    plan_ci,
    split_files,
    with_lint_levels,
)
from adoption.project import Plan, Project
from adoption.runner_code import (
    CARRIED,
    Carried,
    carry_celery_app,
    carry_definitions,
    carry_worker_main,
    imported_names,
    parse,
)

# What pydantic's EmailStr needs, and lich init's requirements.txt forgot.
EMAIL_VALIDATOR = "email-validator>=2.0"

# Template files that test the template's own application entry: added only with it.
COMPANIONS = {"backend/tests/test_main.py": "backend/main.py"}


def render(template: str, vcs_ref: str | None, answers: dict[str, Any], destination: Path) -> None:
    copier = shutil.which("copier")
    command = [copier] if copier else [sys.executable, "-m", "copier"]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as data_file:
        json.dump(answers, data_file)  # JSON is YAML, so copier reads it as a data file
    args = ["copy", "--trust", "--defaults", "--quiet", "--data-file", data_file.name]
    args += ["--vcs-ref", vcs_ref] if vcs_ref else []
    try:
        failure = "copier could not render the template"
        run([*command, *args, template, destination], failure=failure)
    finally:
        Path(data_file.name).unlink()


# lich init's runner files that hold the team's own code, in the order they are carried (the
# Celery app and the Temporal worker need to know what the others kept).
DEFINITIONS = (
    "backend/internal/celery_tasks.py",
    "backend/internal/workers/activities.py",
    "backend/internal/workers/workflows.py",
)
CELERY_APP = "backend/internal/celery_app.py"
WORKER_MAIN = "backend/internal/workers/main.py"
WORKERS_PACKAGE = "backend/internal/workers/__init__.py"


def plan_runner_files(
    project: Project,
    runner: str,
    chosen: Path,
    own: dict[str, set[str]],
    usage: dict[str, list[str]],
    plan: Plan,
) -> set[str]:
    """The chosen runner's files replace lich init's, carrying the team's own code (see
    runner_code.py); the other runner's files go. Returns the paths handled."""
    present = sorted((p for p in own[runner] if project.read(p) is not None), key=carry_order)
    runner_files = set().union(*own.values())
    sources = {
        path: project.text(path) for path in python_files(project.root) if path not in runner_files
    }
    modules = {path: module_of(path) for path in present}
    # The names the team's other code imports from each runner module; more are added while
    # carried code itself needs them from another runner module (a workflow's input type).
    wanted = {
        path: set().union(*imported_names(sources, modules[path]).values(), set())
        for path in present
    }
    for _ in range(len(present) + 1):
        results = carry_runner_files(project, chosen, present, wanted)
        missing = {
            path: needed - available
            for path, needed, available in cross_references(results, modules)
            if needed - available - wanted[path]
        }
        if not missing:
            break
        for path, names in missing.items():
            wanted[path] |= names
    replaced = []
    for path in present:
        result = results[path]
        plan.write[path] = result.text.encode()
        template = (chosen / path).read_text(encoding="utf-8")
        if result.text != template:
            plan.carried.append(path)
        if project.edited(path):
            current = project.read(path) or b""
            report_carried(plan, result, plan.keep(f"adopted-{runner}", path, current))
        elif result.text != template:
            plan.report.append(
                f"{path}: the template's version, with lich init's {', '.join(result.kept)} "
                "that your code imports."
            )
        else:
            replaced.append(path)
    if replaced:
        plan.report.append(f"Replaced {len(replaced)} runner file(s) lich init wrote, unedited:")
        plan.report += [f"  {path}" for path in replaced]
    handled = set(present)
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


def carry_runner_files(
    project: Project, chosen: Path, present: list[str], wanted: dict[str, set[str]]
) -> dict[str, Carried]:
    """Each runner file as the adoption writes it: the template's, with what must be carried."""
    results: dict[str, Carried] = {}
    available: dict[str, set[str]] = {}
    for path in present:
        template = (chosen / path).read_text(encoding="utf-8")
        names = wanted[path]
        if not project.edited(path) and not names:
            result = Carried(path, text=template)
        else:
            base = project.as_generated(path)
            base_text = base.decode("utf-8", errors="replace") if base is not None else None
            ours = project.text(path)
            if path in DEFINITIONS:
                result = carry_definitions(path, base_text, ours, template, names)
            elif path == CELERY_APP:
                tasks = results.get(DEFINITIONS[0]) or Carried(DEFINITIONS[0])
                result = carry_celery_app(path, base_text, ours, template, tasks, names)
            elif path == WORKER_MAIN:
                result = carry_worker_main(path, ours, template, available)
            elif path == WORKERS_PACKAGE:
                result = carry_package_exports(path, template, names, available)
            else:
                result = Carried(path, text=template, config_changed=True)
        results[path] = result
        module = parse(result.text)
        available[module_of(path)] = module.bound if module else set()
    return results


def cross_references(
    results: dict[str, Carried], modules: dict[str, str]
) -> list[tuple[str, set[str], set[str]]]:
    """(path, names the other carried files import from it, names it defines)."""
    found = []
    for path, module in modules.items():
        others = {other: r.text for other, r in results.items() if other != path}
        needed = set().union(*imported_names(others, module).values(), set())
        parsed = parse(results[path].text)
        found.append((path, needed, parsed.bound if parsed else set()))
    return found


def carry_order(path: str) -> tuple[int, str]:
    """Definitions first, then the files that register or schedule them."""
    order = [*DEFINITIONS, CELERY_APP, WORKER_MAIN, WORKERS_PACKAGE]
    return (order.index(path) if path in order else len(order), path)


def carry_package_exports(
    path: str, template: str, wanted: set[str], available: dict[str, set[str]]
) -> Carried:
    """`internal/workers/__init__.py`: lich init's re-exports that the team's code imports."""
    carried = Carried(path, text=template)
    lines = []
    for name in sorted(wanted):
        module = next((m for m, names in sorted(available.items()) if name in names), None)
        if module and module.startswith("internal.workers."):
            lines.append(f"from {module} import {name}")
            carried.kept.append(name)
    if lines:
        names = ", ".join(f'"{name}"' for name in carried.kept)
        carried.text = (
            f"{template.rstrip()}\n\n{CARRIED}: what your code imports from this package\n"
            + "\n".join(lines)
            + f"\n\n__all__ = [{names}]\n"
        )
    return carried


def report_carried(plan: Plan, carried: Carried, kept: str) -> None:
    """What the adoption did with a runner file the team had edited."""
    what = []
    if carried.kept:
        what.append(f"your {', '.join(carried.kept)} kept in it")
    if carried.registered:
        what.append(f"{', '.join(carried.registered)} registered in the worker")
    if carried.beat:
        what.append(f"beat entries {', '.join(carried.beat)} kept")
    if carried.include:
        what.append(f"task modules {', '.join(carried.include)} included")
    done = "; ".join(what) if what else "nothing of yours needed carrying"
    plan.report.append(f"{carried.path}: the template's version, {done}.")
    if carried.clashes:
        plan.report.append(
            f"  Your edited {', '.join(carried.clashes)} has the name of the template's own, which "
            f"stays: compare yours in {kept} and move what you need."
        )
    if carried.config_changed:
        plan.report.append(
            f"  Your other edits of it (settings, worker set-up) are not carried: see {kept}."
        )
    else:
        plan.report.append(f"  Your version, as it was, is in {kept}.")


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


# lich init's logging package: its `setup_logging()` is untyped, and the template's workers call
# it when they start. Unedited, it gets a typed signature around lich init's function.
LOGGER_PACKAGE = "backend/pkg/logger/__init__.py"
TYPED_LOGGER = '''"""Logger package."""
from .setup import get_logger
from .setup import setup_logging as _setup_logging

__all__ = ["get_logger", "setup_logging"]


def setup_logging() -> None:
    """lich init's logging set-up (pkg/logger/setup.py), with a typed signature: the Lich
    template's workers call it when they start, and are checked with mypy --strict."""
    _setup_logging()
'''


def plan_legacy_files(project: Project, plan: Plan) -> None:
    """lich init's files that the template's make obsolete: requirements.txt (now in
    pyproject.toml and uv.lock) and the worker image (one image for all, backend/Dockerfile)."""
    for path, why in (
        ("backend/requirements.txt", "its packages are in backend/pyproject.toml and uv.lock"),
        (
            "backend/Dockerfile.worker",
            "one image runs the API and every worker (backend/Dockerfile)",
        ),
    ):
        current = project.read(path)
        if current is None:
            continue
        if path.endswith("requirements.txt") or not project.edited(path):
            plan.delete.append(path)
            plan.report.append(f"{path}: removed, {why}")
        else:
            plan.report.append(f"{path}: yours (edited), kept; {why}: compare them")
    if project.read(LOGGER_PACKAGE) is not None:
        if project.edited(LOGGER_PACKAGE):
            plan.report.append(
                f"{LOGGER_PACKAGE}: yours (edited), kept; the template's workers call its "
                "setup_logging(): give it a typed signature (def setup_logging() -> None)"
            )
        else:
            plan.write[LOGGER_PACKAGE] = TYPED_LOGGER.encode()
            plan.carried.append(LOGGER_PACKAGE)
            plan.report.append(
                f"{LOGGER_PACKAGE}: setup_logging() gets a typed signature around lich init's"
            )


def note_health_probe(project: Project, plan: Plan) -> None:
    """lich init's GET /health answers HEAD with 405; the template's answers both."""
    path = "backend/api/http/health.py"
    own = project.text(path)
    if own and path not in plan.write and ".head(" not in own:
        plan.report.append(
            f"{path}: yours, kept; it answers GET only (HEAD, which some load balancers "
            'probe with, gets 405): add @router.head("/health", include_in_schema=False)'
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
    plan_legacy_files(project, plan)
    note_health_probe(project, plan)
    plan_ci(project, chosen, plan)
    template_python, adopted = split_files(project, chosen, plan)
    packages = package_folders((existing | set(plan.write)) - set(plan.delete))
    plan.write["backend/pyproject.toml"] = with_lint_levels(pyproject, adopted, packages).encode()
    plan.lint = lint_statement(template_python, adopted)
    plan.adopted = adopted
    dockerfile = "backend/Dockerfile"
    if dockerfile in existing and not project.edited(dockerfile):
        plan.write[dockerfile] = (chosen / dockerfile).read_bytes()
        plan.report.append(f"{dockerfile}: lich init's, unedited, replaced (one image, uv.lock)")
    elif dockerfile in existing:
        plan.report.append(
            f"{dockerfile}: yours (edited), kept; the compose workers need the task runner's "
            "packages: compare it with the template's (uv sync from uv.lock)"
        )
    plan_compose(project, chosen, plan)
    legacy = legacy_values(project, answers)
    example = plan_env_example(project, chosen, plan, legacy, passwordless_redis(project, answers))
    plan_manifests(chosen, plan, legacy)
    plan_project_config(project, chosen, plan)
    return runner, answers, evidence, plan, example
