"""Lint and CI after the adoption: the template's files as strictly as in any project of the
template, the team's files at the level lich init's CI checked them, and a CI that installs
from the lock.

lich init's CI ran `ruff check .` with no configuration (ruff's classic rules: E4, E7, E9, F)
and mypy two ways: `mypy . --ignore-missing-imports || true` (never failing) and `--strict`
(which lich init's own code never passed). Its files keep the first: ruff's classic rules, no
format check, mypy's findings not failing the build. They are listed by name in
`backend/pyproject.toml`, so every file added later is checked as strictly as the template's.
"""

from __future__ import annotations

import re
from pathlib import Path

from adoption.project import Plan, Project

# The template's rule families beyond ruff's classic set (E4, E7, E9, F), which lich init's
# files are spared.
BEYOND_CLASSIC = ["E1", "E2", "E3", "E5", "W", "I", "B", "UP", "SIM", "RUF", "ASYNC", "LOG", "G"]
LICH_INIT_CI = (".github/workflows/ci-backend.yml", ".github/workflows/ci.yml")
HEADER = """
# Files adopted from lich init, checked at the level lich init's CI had: ruff's classic rules
# (E4, E7, E9, F), no format check, mypy's findings not failing the build. Every other file,
# each new one included, is checked like the Lich template's own (strict).
"""


def split_files(project: Project, chosen: Path, plan: Plan) -> tuple[list[str], list[str]]:
    """(the template's Python files under backend/, the team's: lich init's, its own, and the
    template's that now carry its code), as the adoption leaves them; paths relative to
    backend/. A file is the template's when it holds exactly what the template renders."""
    files = {
        path
        for path in project.files() | set(plan.write)
        if path.startswith("backend/") and path.endswith(".py") and path not in plan.delete
    }
    template, team = [], []
    for path in sorted(files):
        content = plan.write.get(path, project.read(path))
        rendered = chosen / path
        ours = rendered.is_file() and content == rendered.read_bytes()
        (template if ours else team).append(path.removeprefix("backend/"))
    return template, team


def with_lint_levels(pyproject: str, files: list[str], packages: set[str]) -> str:
    """pyproject.toml with the adopted files at lich init's level (`packages`: the folders
    under backend/ that hold an `__init__.py`)."""
    if not files:
        return pyproject
    ignores = ", ".join(f'"{code}"' for code in BEYOND_CLASSIC)
    modules = sorted({module_name(path, packages) for path in files})
    lines = [HEADER.strip("\n"), "[tool.ruff.lint.per-file-ignores]"]
    lines += [f'"{path}" = [{ignores}]' for path in files]
    lines += ["", "[tool.ruff.format]", "exclude = ["]
    lines += [f'    "{path}",' for path in files]
    lines += ["]", "", "[[tool.mypy.overrides]]", "module = ["]
    lines += [f'    "{module}",' for module in modules]
    lines += ["]", "ignore_errors = true", ""]
    return pyproject.rstrip("\n") + "\n\n" + "\n".join(lines)


def module_name(path: str, packages: set[str]) -> str:
    """The module name mypy gives a file: its folders count only while they are packages
    (`scripts/seed_db.py`, in a folder without `__init__.py`, is `seed_db`)."""
    parts = list(Path(path).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    name, folders = [parts[-1]], parts[:-1]
    while folders and "/".join(folders) in packages:
        name.insert(0, folders.pop())
    return ".".join(name)


def package_folders(files: set[str]) -> set[str]:
    """Folders under backend/ (relative to it) that hold an `__init__.py`."""
    return {
        str(Path(path).parent.relative_to("backend"))
        for path in files
        if path.startswith("backend/") and path.endswith("/__init__.py")
    }


def plan_ci(project: Project, chosen: Path, plan: Plan) -> None:
    """lich init's backend CI installs backend/requirements.txt, which the adoption folds into
    pyproject.toml: the template's CI (make install from the lock, lint, tests) replaces it."""
    for path in LICH_INIT_CI:
        current = project.read(path)
        if current is None:
            continue
        if project.edited(path):
            kept = plan.keep("adopted", path, current)
            plan.report.append(f"{path}: yours (edited), kept in {kept}")
        if path == ".github/workflows/ci.yml":
            plan.write[path] = (chosen / path).read_bytes()
            plan.report.append(
                f"{path}: the template's CI (make install from uv.lock, make lint, make test); "
                "lich init's manual 'CI - All' did the same from requirements.txt"
            )
        else:
            plan.delete.append(path)
            plan.report.append(f"{path}: removed; .github/workflows/ci.yml runs the backend now")
    for path in sorted(project.files()):
        if (
            path.startswith(".github/workflows/")
            and path not in LICH_INIT_CI
            and re.search(r"requirements\.txt", project.text(path))
        ):
            plan.report.append(
                f"{path}: still installs backend/requirements.txt, which is now "
                "backend/pyproject.toml and uv.lock: use `make install` there"
            )
    top = project.toplevel
    if top != project.root.resolve():
        where = project.root.resolve().relative_to(top)
        plan.report.append(
            f"CI: GitHub runs workflows only from the repository's own .github/workflows/; "
            f"copy {where}/.github/workflows/ci.yml there, with `working-directory: {where}`."
        )


def lint_statement(template: list[str], files: list[str]) -> str:
    return (
        f"Lint now covers: the template's {len(template)} Python files strictly (ruff's full "
        "rule set, ruff format, mypy --strict), and your "
        f"{len(files)} adopted files at lich init's level (ruff's classic rules E4, E7, E9, F; "
        "no format check; mypy's findings do not fail the build), listed in "
        "backend/pyproject.toml. Files you add are checked strictly."
    )
