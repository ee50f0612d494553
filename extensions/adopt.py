"""Bring a Lich project made before this template (cookiecutter `lich init`) under it.

    python3 <template>/extensions/adopt.py PROJECT [--runner temporal|celery|none] [--vcs-ref TAG]

Needs python3 and `copier` (with copier-template-extensions) on PATH; the project must be a clean
git work tree without `.copier-answers.yml`. The command:

1. derives the answers from what the project has and uses: which runner library its code imports
   (outside the runner's own files), `backend/requirements.txt`, `.lich/PROJECT_CONFIG.yaml`
   (`features.temporal`), `.env`/`.env.example`, `docker-compose.yml`, the git history's author;
2. renders the template with those answers and adds the files the project lacks (never touching
   a file the project has: from now on copier treats it as the user's edit of the template file);
3. moves the files of a runner the project does not use (`lich init` generated both) to
   `lich-kept/adopted-unused/`, so a later switch to that runner starts from clean files;
4. appends to `.env` the keys `.env.example` has and `.env` lacks;
5. commits the result, so `copier update --trust --defaults -d task_runner=...` works right away.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "migrations"))

from _common import (
    ANSWERS_FILE,
    KEPT_DIR,
    RUNNERS,
    MigrationError,
    as_bool,
    files_in,
    git,
    read_env,
    sync_env,
)  # the scripts run as files

TEMPLATE = Path(__file__).resolve().parents[1]
# The import name of each runner's library, as code and requirements spell it.
LIBRARIES = {"temporal": "temporalio", "celery": "celery"}
IGNORED_PARTS = {".git", ".venv", "venv", "__pycache__", "node_modules", KEPT_DIR}
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


class AdoptError(Exception):
    pass


def read_simple_yaml(path: Path) -> dict[str, Any]:
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


def requirement_names(project: Path) -> set[str]:
    names = set()
    for path in (project / "backend" / "requirements.txt", project / "requirements.txt"):
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
                if match and not line.lstrip().startswith(("#", "-")):
                    names.add(match.group(1).lower().replace("_", "-"))
    return names


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


def runner_usage(project: Path, own: dict[str, set[str]]) -> dict[str, list[str]]:
    """Runner -> files outside every runner's own files that import that runner's code."""
    runner_files = set().union(*own.values())
    sources = {
        path: (project / path).read_text(encoding="utf-8", errors="replace")
        for path in python_files(project)
        if path not in runner_files
    }
    usage: dict[str, list[str]] = {}
    for runner in ("temporal", "celery"):
        modules = {module_of(path) for path in own[runner] if path.endswith(".py")}
        names = sorted({LIBRARIES[runner], *modules}, key=len)
        pattern = re.compile(
            r"^\s*(?:from|import)\s+(" + "|".join(map(re.escape, names)) + r")(?:[.\s]|$)",
            re.MULTILINE,
        )
        usage[runner] = [path for path, source in sources.items() if pattern.search(source)]
    return usage


def derive_answers(project: Path, runner: str, evidence: list[str]) -> dict[str, Any]:
    config = read_simple_yaml(project / ".lich" / "PROJECT_CONFIG.yaml")
    nested = config.get("project") if isinstance(config.get("project"), dict) else {}
    answers: dict[str, Any] = {"task_runner": runner}
    name = config.get("project_name") or config.get("name") or nested.get("name")
    answers["project_name"] = str(name or project.resolve().name)
    slug = config.get("project_slug") or config.get("slug") or nested.get("slug")
    if slug and SLUG.match(str(slug)):
        answers["project_slug"] = str(slug)
    if config.get("description"):
        answers["project_description"] = str(config["description"])
    author = git(project, "log", "--reverse", "--format=%an%x00%ae", check=False).splitlines()
    if author and "\0" in author[0]:
        answers["author_name"], answers["author_email"] = author[0].split("\0", 1)
    env = {**read_env(project / ".env.example"), **read_env(project / ".env")}
    texts = " ".join(
        (project / path).read_text(encoding="utf-8", errors="replace").lower()
        for path in ("docker-compose.yml", "docker-compose.yaml", "Makefile")
        if (project / path).is_file()
    )
    if runner == "celery":
        broker = env.get("CELERY_BROKER_URL", "")
        answers["celery_broker"] = "rabbitmq" if broker.startswith("amqp") else "redis"
        celery_code = " ".join(
            (project / path).read_text(encoding="utf-8", errors="replace")
            for path in python_files(project)
            if "celery" in path
        )
        answers["celery_beat"] = "beat_schedule" in celery_code or " beat" in texts
        answers["celery_flower"] = "flower" in texts or "flower" in requirement_names(project)
        evidence.append(
            f"celery options: broker {answers['celery_broker']}, beat {answers['celery_beat']}, "
            f"flower {answers['celery_flower']}"
        )
    elif runner == "temporal":
        answers["temporal_ui"] = "temporal-ui" in texts or "temporalio/ui" in texts or not texts
        if re.match(r"^[A-Za-z][A-Za-z0-9._-]*$", env.get("TEMPORAL_NAMESPACE", "")):
            answers["temporal_namespace"] = env["TEMPORAL_NAMESPACE"]
        if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", env.get("TEMPORAL_TASK_QUEUE", "")):
            answers["temporal_task_queue"] = env["TEMPORAL_TASK_QUEUE"]
    return answers


def choose_runner(
    project: Path, forced: str | None, usage: dict[str, list[str]], evidence: list[str]
) -> str:
    config = read_simple_yaml(project / ".lich" / "PROJECT_CONFIG.yaml")
    features = config.get("features") if isinstance(config.get("features"), dict) else {}
    requirements = requirement_names(project)
    for runner, files in usage.items():
        if files:
            evidence.append(f"{runner}: imported by {', '.join(files[:3])}")
        if LIBRARIES[runner] in requirements:
            evidence.append(f"{runner}: {LIBRARIES[runner]} is in requirements.txt")
    if "temporal" in features:
        evidence.append(f"PROJECT_CONFIG.yaml: features.temporal: {features['temporal']}")
    if forced:
        evidence.append(f"--runner {forced} given")
        return forced
    used = [runner for runner, files in usage.items() if files]
    if len(used) == 2:
        raise AdoptError(
            "the code uses both Temporal and Celery:\n  "
            + "\n  ".join(evidence)
            + "\nThis template keeps one runner. Choose the one to keep and run again with "
            "--runner temporal or --runner celery; the other's files are then left in place."
        )
    if used:
        return used[0]
    if as_bool(features.get("temporal")):
        return "temporal"
    listed = [runner for runner in ("temporal", "celery") if LIBRARIES[runner] in requirements]
    return listed[0] if len(listed) == 1 else "none"


def check_project(project: Path) -> None:
    if not project.is_dir():
        raise AdoptError(f"{project} is not a directory.")
    if git(project, "rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
        raise AdoptError(f"{project} is not a git work tree: run `git init` and commit it first.")
    if (project / ANSWERS_FILE).exists():
        raise AdoptError(
            f"{project} already has {ANSWERS_FILE}: it is under a copier template already. "
            "Use `copier update --trust` there."
        )
    if git(project, "status", "--porcelain", check=False).strip():
        raise AdoptError(
            f"{project} has uncommitted changes or untracked files: commit them first, so the "
            "adoption is one reviewable commit."
        )


def adopt(project: Path, template: str, vcs_ref: str | None, forced: str | None) -> None:
    check_project(project)
    evidence: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lich-adopt.") as tmp:
        renders = {}
        base = {"project_name": project.resolve().name}
        for runner in RUNNERS:
            renders[runner] = Path(tmp, runner)
            render(template, vcs_ref, {**base, "task_runner": runner}, renders[runner])
        files = {runner: files_in(path) for runner, path in renders.items()}
        common = set.intersection(*files.values())
        own = {runner: files[runner] - common for runner in RUNNERS}
        usage = runner_usage(project, own)
        runner = choose_runner(project, forced, usage, evidence)
        answers = derive_answers(project, runner, evidence)
        chosen = Path(tmp, "chosen")
        render(template, vcs_ref, answers, chosen)
        wanted = files_in(chosen)
        example = (chosen / ".env.example").read_text(encoding="utf-8")
        added = sorted(path for path in wanted if not (project / path).exists())
        for path in added:
            (project / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(chosen / path, project / path)
    kept_as_is = sorted(wanted - set(added))
    set_aside, still_used = [], []
    for other in RUNNERS:
        if other == runner:
            continue
        for path in sorted(own[other] - wanted):
            if not (project / path).is_file() or path in set_aside:
                continue
            if usage.get(other):
                still_used.append(path)
                continue
            target = project / KEPT_DIR / "adopted-unused" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(project / path, target)
            set_aside.append(path)
    env_added, _ = sync_env(project, f"the Lich template adoption (task runner: {runner})", example)
    git(project, "add", "-A")
    # The user's git identity when there is one; a named stand-in otherwise.
    identity = (
        []
        if git(project, "config", "user.email", check=False).strip()
        else ["-c", "user.name=Lich adopt", "-c", "user.email=adopt@lich.invalid"]
    )
    message = f"Adopt the Lich copier template (task runner: {runner})"
    git(project, *identity, "commit", "-q", "--no-verify", "-m", message)
    say_report(runner, answers, evidence, added, kept_as_is, set_aside, still_used, env_added)


def say_report(
    runner: str,
    answers: dict[str, Any],
    evidence: list[str],
    added: list[str],
    kept_as_is: list[str],
    set_aside: list[str],
    still_used: list[str],
    env_added: list[str],
) -> None:
    print(f"Adopted with task runner: {runner}")
    for line in evidence:
        print(f"  evidence: {line}")
    print("Answers recorded in .copier-answers.yml:")
    for key, value in answers.items():
        print(f"  {key}: {value}")
    print(f"Added {len(added)} template file(s) the project did not have.")
    print(f"Kept your version of {len(kept_as_is)} file(s) the template also has.")
    if set_aside:
        print(f"Files of a runner the project does not use, moved to {KEPT_DIR}/adopted-unused/:")
        for path in set_aside:
            print(f"  {path}")
    if still_used:
        print("Files of another runner that your code still imports, left in place:")
        for path in still_used:
            print(f"  {path}")
    if env_added:
        print(f".env: added {', '.join(env_added)}")
    print("Committed. Review it with `git show --stat`; change the runner later with:")
    print("  copier update --trust --defaults -d task_runner=<temporal|celery|none>")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="the Lich project to adopt")
    parser.add_argument("--runner", choices=RUNNERS, help="override the detected task runner")
    parser.add_argument("--vcs-ref", help="template version (git tag) to adopt; default: newest")
    parser.add_argument(
        "--template",
        default=str(TEMPLATE),
        help="template path or URL (default: the template this script belongs to)",
    )
    args = parser.parse_args(argv)
    template = args.template
    if Path(template).exists():
        template = str(Path(template).resolve())  # a relative _src_path breaks later updates
    try:
        adopt(args.project.resolve(), template, args.vcs_ref, args.runner)
    except (AdoptError, MigrationError) as error:
        print(f"Adoption stopped: {error}\nNothing was changed.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
