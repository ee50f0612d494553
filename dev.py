#!/usr/bin/env python3
"""The template's own command runner; needs only Python 3.11+ and git.

    python3 dev.py demo    # generate a project per runner and run its example job end to end
    python3 dev.py test    # the whole test suite
    python3 dev.py bench   # benchmarks (see bench/)
    python3 dev.py release X.Y.Z   # tag a release, after CHANGELOG.md has its section

Each command first makes sure `.venv` holds exactly requirements-dev.txt (installed once, then
reused until that file changes).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
REQUIREMENTS = ROOT / "requirements-dev.txt"
STAMP = VENV / ".requirements.sha256"
sys.path.insert(0, str(ROOT / "extensions"))

from facts import LOCK_PLACEHOLDER, LOCKS, RUNNERS  # noqa: E402 - the template's facts

# The generated lock files: one per distinct dependency set, with the answers that render it.
RUNNER_VARIANTS = {
    "none": {"task_runner": "none"},
    "celery": {"task_runner": "celery"},
    "celery-flower": {"task_runner": "celery", "celery_flower": "true"},
    "temporal": {"task_runner": "temporal"},
}
# ... each with and without the app's own Redis (`use_redis`), which adds its client.
LOCK_VARIANTS = {
    f"{name}{suffix}": {**answers, "use_redis": redis}
    for name, answers in RUNNER_VARIANTS.items()
    for suffix, redis in (("", "false"), ("-redis", "true"))
}


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def check_call(command: list[str | Path], **kwargs: object) -> None:
    subprocess.run([str(part) for part in command], check=True, **kwargs)  # type: ignore[call-overload]


def ensure_venv() -> None:
    """Create or refresh .venv when requirements-dev.txt changed since the last install."""
    if sys.version_info < (3, 11):  # noqa: UP036 - users may run an older python3
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if shutil.which("git") is None:
        sys.exit("git is needed (copier renders and updates from git): install it first.")
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest and PYTHON.exists():
        return
    say(f"installing {REQUIREMENTS.name} into {VENV.relative_to(ROOT)} (once)")
    venv.create(VENV, with_pip=True, clear=VENV.exists())
    check_call([PYTHON, "-m", "pip", "install", "-q", "--upgrade", "pip>=25.1"])
    check_call([PYTHON, "-m", "pip", "install", "-q", "-r", REQUIREMENTS])
    STAMP.write_text(digest)


def venv_env() -> dict[str, str]:
    """This venv first on PATH, so generated projects find copier, ruff and the embedded servers.

    uv trusts the system's certificate store, as pip does (UV_SYSTEM_CERTS), so it reaches the
    package index behind a proxy that intercepts TLS with its own certificate authority.
    """
    path = f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    return {"UV_SYSTEM_CERTS": "1", **os.environ, "PATH": path}


def render(project: Path, answers: dict[str, str]) -> None:
    """`copier copy` of this checkout into a fresh `project`; --vcs-ref HEAD renders the checkout
    as it is, uncommitted edits included."""
    shutil.rmtree(project, ignore_errors=True)
    data = [arg for key, value in answers.items() for arg in ("-d", f"{key}={value}")]
    copier = [VENV / "bin" / "copier", "copy", "--trust", "--defaults", "--quiet", "--vcs-ref=HEAD"]
    check_call([*copier, *data, ROOT, project], env=venv_env())


def demo(runners: list[str]) -> int:
    """Generate one project per runner from this checkout and run its example job end to end."""
    for runner in runners:
        project = ROOT / "build" / f"demo-{runner}"
        say(f"copier copy ({runner}) -> {project.relative_to(ROOT)}")
        render(project, {"project_name": f"Demo {runner.title()}", "task_runner": runner})
        say(f"running the example job of the {runner} project (make demo, embedded servers)")
        check_call([PYTHON, "-m", "devtools.demo"], cwd=project / "backend", env=venv_env())
    say(f"demo done for: {', '.join(runners)}")
    return 0


def lock() -> int:
    """Regenerate extensions/locks/: render each dependency set, `uv lock` it, keep the lock."""
    for variant, answers in LOCK_VARIANTS.items():
        project = ROOT / "build" / f"lock-{variant}"
        render(project, {"project_name": LOCK_PLACEHOLDER.replace("-", " "), **answers})
        backend = project / "backend"
        (backend / "uv.lock").unlink(missing_ok=True)
        check_call([VENV / "bin" / "uv", "lock", "--quiet"], cwd=backend, env=venv_env())
        target = LOCKS / f"{variant}.lock"
        target.write_text((backend / "uv.lock").read_text())
        say(f"{target.relative_to(ROOT)}")
    return 0


RELEASE_HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\] - \d{4}-\d{2}-\d{2}$", re.M)


def git_out(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def release(version: str) -> int:
    """Tag HEAD `v<version>`: copier reads versions from tags. Refuses unless CHANGELOG.md's newest
    release section is that version and nothing waits under Unreleased, the tree is clean, and the
    tag is new and newer than every other."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = RELEASE_HEADING.search(changelog)
    unreleased = changelog.split("## [Unreleased]", 1)[-1].split("\n## [", 1)[0].strip()
    tags = [tag.removeprefix("v") for tag in git_out("tag", "--list", "v*").split()]
    problem = ""
    if released is None:
        problem = "CHANGELOG.md has no release section (## [X.Y.Z] - YYYY-MM-DD)."
    elif released["version"] != version:
        problem = (
            f"CHANGELOG.md's newest release is {released['version']}, not {version}: add a "
            f"## [{version}] - YYYY-MM-DD section above it, or release {released['version']}."
        )
    elif unreleased:
        problem = "CHANGELOG.md still lists changes under [Unreleased]: move them into the release."
    elif git_out("status", "--porcelain"):
        problem = "the working tree has uncommitted changes: commit them first."
    elif version in tags:
        problem = f"v{version} is tagged already."
    elif any(_version_key(tag) >= _version_key(version) for tag in tags if _version_key(tag)):
        problem = f"v{version} is not newer than every tag ({', '.join(sorted(tags))})."
    elif not _version_key(version):
        problem = f"{version} is not a version of the form X.Y.Z."
    if problem:
        print(f"release refused: {problem}", file=sys.stderr)
        return 1
    check_call(["git", "tag", "-a", f"v{version}", "-m", f"Lich template {version}"], cwd=ROOT)
    say(
        f"tagged v{version} on {git_out('rev-parse', '--short', 'HEAD')}; publish it with: "
        f"git push origin v{version}"
    )
    return 0


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(map(int, version.split("."))) if re.fullmatch(r"\d+\.\d+\.\d+", version) else ()


# Commands whose arguments belong to another tool, passed through untouched (`test -k e2e`).
PASS_THROUGH = {"test": "pytest", "bench": "bench"}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="create or refresh .venv only")
    demo_parser = commands.add_parser("demo", help="generate projects and run their example job")
    demo_parser.add_argument("--runner", choices=RUNNERS, action="append", help="repeatable")
    commands.add_parser("lock", help="regenerate the generated projects' lock files")
    commands.add_parser("test", help="run the whole test suite; more arguments go to pytest")
    commands.add_parser("bench", help="run the benchmarks; more arguments go to bench (--help)")
    release_parser = commands.add_parser("release", help="tag a release from CHANGELOG.md")
    release_parser.add_argument("version", help="X.Y.Z, as CHANGELOG.md's newest section")
    command, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command in PASS_THROUGH:
        ensure_venv()
        module = [PYTHON, "-m", PASS_THROUGH[command], *rest]
        return subprocess.run(module, cwd=ROOT, env=venv_env(), check=False).returncode
    args = parser.parse_args()
    if args.command == "release":  # git only: no venv needed
        return release(args.version)
    ensure_venv()
    if args.command == "demo":
        return demo(args.runner or list(RUNNERS))
    if args.command == "lock":
        return lock()
    return 0


if __name__ == "__main__":
    sys.exit(main())
