"""1.0.0, before the update: the legacy `use_temporal: true|false` answer becomes `task_runner`.

Versions before 1.0.0 (and projects adopted from the cookiecutter-based `lich init`) recorded a
boolean `use_temporal`. Copier re-reads the answers file after the before-stage migrations, so
renaming the key here makes the update keep the project's runner instead of falling back to the
default. A `-d task_runner=...` given on the command line still wins. Running twice is harmless:
the second run finds no `use_temporal` and changes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ANSWERS_FILE, parse_answers, project_dir, runner_of, say


def main() -> None:
    path = project_dir() / ANSWERS_FILE
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    answers = parse_answers(text, ANSWERS_FILE)
    if "use_temporal" not in answers:
        return
    runner = runner_of(answers)
    answers.pop("use_temporal")
    answers.setdefault("task_runner", runner)
    header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    path.write_text(header + yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    say(f"Answers: the legacy use_temporal answer is now task_runner: {answers['task_runner']}")


if __name__ == "__main__":
    main()
