"""docker-compose.yml: the project's own file, including the task runner's compose/jobs.yml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from adoption.project import Plan, Project

COMPOSE_INCLUDE = """include:
  # The task runner's services and volumes, written by the Lich template (which rewrites the
  # file when the runner changes); its paths are relative to this folder.
  - path: compose/jobs.yml
    project_directory: .
"""


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
    text, joined = with_default_network("".join(lines))
    if "compose/jobs.yml" not in text:
        position = re.search(r"^services:", text, re.MULTILINE)
        at = position.start() if position else len(text)
        text = text[:at] + COMPOSE_INCLUDE + "\n" + text[at:]
    plan.write["docker-compose.yml"] = text.encode()
    plan.report.append("docker-compose.yml: includes compose/jobs.yml, the task runner's services")
    if joined:
        plan.report.append(
            f"docker-compose.yml: {', '.join(joined)} also join the default network, where the "
            "task runner's services run, so they reach each other (their own networks stay)"
        )
    if clash:
        kept = plan.keep("adopted", "docker-compose.yml", compose.encode())
        plan.report.append(
            f"docker-compose.yml: {', '.join(clash)} now come from compose/jobs.yml; your former "
            f"definitions are in {kept}"
        )


def with_default_network(compose: str) -> tuple[str, list[str]]:
    """Services that list their networks (lich init puts the database on `internal_net`) are
    on the default network only if they say so; compose/jobs.yml's services are on the default
    network. Each such service gets `default` added, so workers reach the database, Redis and
    the API. Returns the new text and the services that changed."""
    lines = compose.splitlines(keepends=True)
    joined = []
    for name, (start, end) in sorted(services_of(compose).items(), key=lambda i: -i[1][0]):
        at = next((n for n in range(start, end) if re.match(r"^    networks:\s*$", lines[n])), None)
        if at is None:
            continue
        items = at + 1
        while items < end and re.match(r"^      \S", lines[items]):
            items += 1
        listed = [line.strip() for line in lines[at + 1 : items]]
        if any(entry in ("- default", "default:", "default: {}") for entry in listed):
            continue
        mapping = bool(listed) and not listed[0].startswith("-")
        lines.insert(items, "      default: {}\n" if mapping else "      - default\n")
        joined.append(name)
    return "".join(lines), sorted(joined)


def redis_service(compose: str) -> str:
    """The block of a top-level `redis` service ("" when there is none)."""
    block = services_of(compose).get("redis")
    if block is None:
        return ""
    return "\n".join(compose.splitlines()[block[0] : block[1]])


def passwordless_redis(project: Project, answers: dict[str, Any]) -> bool:
    """The app's own Redis, as lich init's compose runs it: without a password."""
    if not answers.get("use_redis"):
        return False
    service = redis_service(project.text("docker-compose.yml"))
    return bool(service) and "requirepass" not in service
