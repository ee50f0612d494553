"""What a valid answer is, stated once: copier.yml's validators, the check of `-d` answers at
copier's first render (context.py) and the answers `adopt.py` derives all ask here.

Standard library only: context.py loads it by path, adopt.py (any python3) imports it.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from typing import Any

QUESTIONS = (
    "project_name",
    "project_slug",
    "project_description",
    "author_name",
    "author_email",
    "use_redis",
    "task_runner",
    "celery_broker",
    "celery_beat",
    "celery_flower",
    "temporal_namespace",
    "temporal_task_queue",
    "temporal_ui",
    "adopted_from_lich_init",
)
# The options that mean something for one runner only.
RUNNER_OF_OPTION = {
    "celery_broker": "celery",
    "celery_beat": "celery",
    "celery_flower": "celery",
    "temporal_namespace": "temporal",
    "temporal_task_queue": "temporal",
    "temporal_ui": "temporal",
}
BOOLEANS = ("use_redis", "celery_beat", "celery_flower", "temporal_ui", "adopted_from_lich_init")
# What copier reads as a boolean; anything else it would take as true without a word.
TRUE_WORDS = ("true", "yes", "y", "on", "1")
FALSE_WORDS = ("false", "no", "n", "off", "0")


def is_true(value: Any) -> bool:
    """A boolean answer as copier reads it: a YAML boolean, or one of TRUE_WORDS in any case."""
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    return bool(value)


NAME_MAX, SLUG_MAX, NAME_PART_MAX = 60, 40, 60
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAMESPACE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")
TASK_QUEUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def slug_from(name: str) -> str:
    """The package name a project name suggests: lowercase ASCII words joined by `_`."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return slug[:SLUG_MAX].rstrip("_")


def suggested_slug(name: str) -> str:
    """slug_from, made valid: a name starting with a digit, or with no ASCII letter, still gets a
    package name to offer as the default of an interactive prompt."""
    slug = slug_from(name)
    if not slug:
        return "app"
    return slug if slug[0].isalpha() else f"app_{slug}"[:SLUG_MAX].rstrip("_")


def problem(question: str, value: Any, reserved: Container[str] = ()) -> str:
    """What is wrong with one answer and how to fix it, or "" when it is fine."""
    text = str(value)
    if question == "project_name":
        if not text.strip():
            return 'project_name must not be empty: give a short human name, e.g. "Billing API".'
        if len(text) > NAME_MAX:
            return (
                f"project_name is {len(text)} characters long: keep it to {NAME_MAX} "
                "(the description can say more)."
            )
        if CONTROL.search(text):
            return "project_name holds a control character (a line break?): give it on one line."
    if question == "project_slug":
        if not SLUG.match(text):
            example = suggested_slug(text)
            return (
                f'project_slug "{text}" is not a valid Python package name: use lowercase letters, '
                f'digits and underscores, starting with a letter (e.g. "{example}").'
            )
        if len(text) > SLUG_MAX:
            return f'project_slug "{text}" is {len(text)} characters long: keep it to {SLUG_MAX}.'
        if text.replace("_", "-") in reserved:
            return (
                f'project_slug "{text}" is the name of a package the project depends on: the '
                f'project would shadow it. Choose another, e.g. "{text}_app".'
            )
    if question == "author_email" and not EMAIL.match(text):
        return f'author_email "{text}" is not an e-mail address: use the form name@example.com.'
    if question == "temporal_namespace" and not (
        NAMESPACE.match(text) and len(text) <= NAME_PART_MAX
    ):
        return (
            f'temporal_namespace "{text}" is not valid: use up to {NAME_PART_MAX} letters, '
            'digits, ".", "_" or "-", starting with a letter (e.g. "default").'
        )
    if question == "temporal_task_queue" and not (
        TASK_QUEUE.match(text) and len(text) <= NAME_PART_MAX
    ):
        return (
            f'temporal_task_queue "{text}" is not valid: use up to {NAME_PART_MAX} letters, '
            'digits, ".", "_" or "-" (e.g. "shop-tasks").'
        )
    return ""


def choice_problem(key: str, value: Any, choices: Mapping[str, Iterable[str]]) -> str:
    allowed = tuple(choices.get(key, ()))
    if not allowed or value in allowed:
        return ""
    return f'{key} "{value}" is not one of {", ".join(allowed)}: e.g. -d {key}={allowed[0]}.'


def data_problems(
    data: Mapping[str, Any],
    choices: Mapping[str, Iterable[str]],
    runner: str | None,
    reserved: Container[str] = (),
) -> list[str]:
    """Every problem of the answers given on the command line (`-d`), in question order.

    `runner` is the task runner the project will have (None while it is still to be asked): an
    option of another runner would be silently ignored, so it is refused instead.
    """
    problems = []
    # Keys that are no question are not refused: copier passes every recorded answer back in as
    # data when it renders the new version, including keys of questions a later version dropped.
    for key in (question for question in QUESTIONS if question in data):
        value = data[key]
        if found := choice_problem(key, value, choices):
            problems.append(found)
            continue
        if key in BOOLEANS and str(value).strip().lower() not in (*TRUE_WORDS, *FALSE_WORDS):
            problems.append(f'{key} "{value}" is not a yes or no: use {key}=true or {key}=false.')
            continue
        owner = RUNNER_OF_OPTION.get(key)
        if owner and runner is not None and runner != owner:
            problems.append(
                f"{key} applies to {owner} projects only, and this one's task runner is "
                f'"{runner}": drop -d {key}, or choose {owner} with -d task_runner={owner}.'
            )
            continue
        if found := problem(key, value, reserved):
            problems.append(found)
    return problems


def report(problems: list[str], what: str, fix: str) -> str:
    """The few lines a user reads: each problem, then what happened and what to do."""
    lines = [f"Lich: {what}:"] + [f"  - {found}" for found in problems] + [f"  {fix}"]
    return "\n".join(lines)
