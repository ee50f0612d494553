"""The project's tests before and after the adoption, and what they say."""

from __future__ import annotations

import json
import re
from pathlib import Path

from migrations._common import run


def failing_tests(backend: Path, python: Path) -> dict[str, str] | str:
    """The project's failing tests (node id -> why: the error's type and first line), or why
    they could not run."""
    # -vv: the summary lines are not cut to the terminal's width.
    result = run(
        [python, "-m", "pytest", "-vv", "-rfE", "-p", "no:cacheprovider",
         "--continue-on-collection-errors"],
        backend,
        timeout=1800,
    )  # fmt: skip
    if result.returncode not in (0, 1):
        return f"pytest exited {result.returncode}: {(result.stdout + result.stderr)[-500:]}"
    # Only the summary: captured log lines may start with "ERROR " too.
    summary = result.stdout.rpartition("short test summary info")[2]
    failures = {}
    for line in summary.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            test, _, why = line.split(" ", 1)[1].partition(" - ")
            failures[test] = cause(why) or "an error while collecting it (see pytest's output)"
    return dict(sorted(failures.items()))


def cause(message: str) -> str:
    """A failure's reason, comparable between two runs in two places: no paths, no addresses."""
    message = re.sub(r"0x[0-9a-fA-F]+", "0x...", message)
    return re.sub(r"(?:/[^/\s'\"]+)+/", "", message).strip()


def tests_before(project: Path, uv: str, tmp: Path) -> dict[str, str] | str:
    """The tests as they were: lich init's way, requirements.txt in a virtual environment."""
    snapshot = tmp / "before"
    archive = run(["git", "archive", "HEAD~1"], project, text=False, failure="git archive failed")
    snapshot.mkdir()
    run(["tar", "-x", "-C", snapshot], input=archive.stdout, text=False, failure="tar failed")
    backend = snapshot / "backend"
    created = run([uv, "venv", "-q", tmp / "venv-before"])
    python = tmp / "venv-before" / "bin" / "python"
    requirements = ["-r", "requirements.txt"]
    install = run([uv, "pip", "install", "-q", "--python", python, *requirements], backend)
    if created.returncode or install.returncode:
        return f"could not install requirements.txt: {install.stderr.strip()[-300:]}"
    return failing_tests(backend, python)


def tests_after(project: Path) -> dict[str, str] | str:
    install = run(["make", "--no-print-directory", "install"], project)
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
    result = run([python, "-c", IMPORT_EACH, *packages], backend, timeout=300)
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
    before: dict[str, str] | str,
    after: dict[str, str] | str,
    broken: dict[str, str] | None = None,
) -> None:
    if broken:
        report_broken_packages(broken)
    if isinstance(after, str):
        print(f"Tests: could not run them after the adoption ({after}); run `make test`.")
        return
    if isinstance(before, str):
        print(f"Tests: could not run them before the adoption ({before}).")
        before = {}
    if not after:
        print("Tests: all pass after the adoption (make test).")
        return
    old, other, new = compare_failures(before, after)
    if old:
        print(f"Tests failing before the adoption too, for the same reason ({len(old)}):")
        print("".join(f"  {test}: {after[test]}\n" for test in old), end="")
    if other:
        print(f"Tests failing after the adoption for another reason than before ({len(other)}):")
        print("".join(f"  {test}: {why}\n" for test, why in other), end="")
    if new:
        print(f"Tests failing after the adoption only ({len(new)}):")
        print("".join(f"  {test}: {after[test]}\n" for test in new), end="")


def compare_failures(
    before: dict[str, str], after: dict[str, str]
) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """(failing for the same reason as before, failing for another reason (test, "was X, now
    Y"), failing after only). A module that failed to import before failed all its tests: its
    tests count as failing before, for the reason the module gave."""
    same, other, new = [], [], []
    for test, why in after.items():
        was = before.get(test, before.get(test.split("::")[0]))
        if was is None:
            new.append(test)
        elif was == why:
            same.append(test)
        else:
            other.append((test, f"was {was}; now {why}"))
    return same, other, new


def lint_findings(backend: Path, adopted: set[str]) -> str:
    """What `make lint`'s ruff finds today, and where: a line for the report."""
    python = backend / ".venv" / "bin" / "python"
    result = run(
        [python, "-m", "ruff", "check", "--output-format", "concise", "--exit-zero", "."],
        backend,
        timeout=300,
    )
    found = [
        line.split(":", 1)[0]
        for line in result.stdout.splitlines()
        if re.match(r"^\S+\.py:\d", line)
    ]
    if not found:
        return "Lint today: ruff finds nothing."
    theirs = [path for path in found if path not in adopted]
    where = (
        "all in the files adopted from lich init"
        if not theirs
        else f"{len(theirs)} in the template's files ({', '.join(sorted(set(theirs)))})"
    )
    return (
        f"Lint today: ruff finds {len(found)} problem(s), {where}: `make format` fixes the ones "
        "it can, `make lint` lists the rest. lich init's own CI reported the same."
    )
