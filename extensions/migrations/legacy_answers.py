"""Before the update: answers recorded before the question they answer existed.

- `use_temporal: true|false` (versions before 1.0.0) becomes `task_runner`. A `-d task_runner=...`
  given on the command line still wins.
- A project adopted from `lich init` before 2.2.0 (its adoption commit is in its history) gets
  `adopted_from_lich_init: true`, so its tests keep their guard against lich init's own.

Copier re-reads the answers file after the before-stage migrations, so the update renders the
new version with these answers. Running twice is harmless: the second run changes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # extensions/, as in every script

from migrations._common import (
    ADOPTION_COMMIT,
    ANSWERS_FILE,
    git,
    parse_answers,
    project_dir,
    runner_of,
    say,
)


def main() -> None:
    project = project_dir()
    path = project / ANSWERS_FILE
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    answers = parse_answers(text, ANSWERS_FILE)
    changes = [*runner_answer(answers), *adoption_answer(project, answers)]
    if not changes:
        return
    header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    path.write_text(header + yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    for change in changes:
        say(f"Answers: {change}")


def runner_answer(answers: dict[str, Any]) -> list[str]:
    if "use_temporal" not in answers:
        return []
    runner = runner_of(answers)
    answers.pop("use_temporal")
    answers.setdefault("task_runner", runner)
    return [f"the legacy use_temporal answer is now task_runner: {answers['task_runner']}"]


def adoption_answer(project: Path, answers: dict[str, Any]) -> list[str]:
    if "adopted_from_lich_init" in answers:
        return []
    # Commits touching this folder only: in a monorepo, another project's adoption is not ours.
    log = ["log", "-1", "--format=%h", "--fixed-strings", f"--grep={ADOPTION_COMMIT} (", "--", "."]
    commit = git(project, *log, check=False).strip()
    if not commit:
        return []
    answers["adopted_from_lich_init"] = True
    return [f"adopted from lich init (commit {commit}): adopted_from_lich_init: true"]


if __name__ == "__main__":
    main()
