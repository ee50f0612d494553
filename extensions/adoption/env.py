"""`.env.example` and `.env`: the template's keys, the project's own, and the names running
systems depend on.

`.env.example` is what `make install` copies to `.env` on a fresh clone, so the names a running
system uses (lich init's Celery queue `celery` and Redis databases 1 and 2, the Temporal address)
are written there, as values, not only announced: a clone without `.env` keeps them. `.env`
itself, when the team has one, is completed: the keys it lacks are appended, and a secret the
template's services require but `.env` leaves empty (a `.env` copied from `.env.example`) gets a
generated value; the team's values are never changed.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from migrations._common import env_entries, read_env, sync_env

from adoption.project import Plan, Project

# The first line of the background jobs' part of the template's .env.example.
JOBS_SECTION = "# Background jobs"
# Values lich init's Celery used when nothing said otherwise: queue `celery`, the broker in
# Redis database 1 and the results in database 2 (its default URLs, redis://localhost:6379/1
# and /2).
LEGACY_CELERY = {"CELERY_DEFAULT_QUEUE": "celery", "REDIS_BROKER_DB": "1", "REDIS_RESULT_DB": "2"}
# A compose variable that must not be empty: `${KEY:?message}`.
REQUIRED = re.compile(r"\$\{([A-Z][A-Z0-9_]*):\?")
EMPTY_ON_PURPOSE = "''"


def legacy_values(project: Project, answers: dict[str, Any]) -> dict[str, str]:
    """Values `.env.example` must hold instead of the template's defaults."""
    example = read_env(project.root / ".env.example")
    values: dict[str, str] = {}
    if answers["task_runner"] == "celery":
        values = dict(LEGACY_CELERY)
        if answers.get("celery_broker") == "rabbitmq":
            values.pop("REDIS_BROKER_DB")
    if answers["task_runner"] == "temporal" and example.get("TEMPORAL_HOST"):
        values["TEMPORAL_ADDRESS"] = temporal_address(example)
    if auth := auth_dependency(project):
        values["JOBS_AUTH_DEPENDENCY"] = auth
    return values


# Where lich init puts the dependency that authenticates a request (its JWT or Keycloak user).
LICH_AUTH = ("backend/internal/services/auth_deps.py", "internal.services.auth_deps")


def auth_dependency(project: Project) -> str:
    """`module:function` of the project's own auth dependency, for the jobs API in production
    (lich init's `get_current_user`, when its auth strategy authenticates anyone)."""
    path, module = LICH_AUTH
    config = project.text(".lich/PROJECT_CONFIG.yaml")
    if re.search(r"^\s+auth:\s*[\"']?none\b", config, re.MULTILINE):
        return ""  # lich init's `none` strategy: its get_current_user lets everyone in
    if re.search(r"^async def get_current_user\(", project.text(path), re.MULTILINE):
        return f"{module}:get_current_user"
    return ""


def temporal_address(env: dict[str, str]) -> str:
    """lich init's worker read TEMPORAL_HOST as host:port while its .env.example gave a bare host
    and TEMPORAL_PORT: the address the two meant."""
    host = env["TEMPORAL_HOST"]
    return host if ":" in host else f"{host}:{env.get('TEMPORAL_PORT') or 7233}"


def plan_env_example(
    project: Project, chosen: Path, plan: Plan, legacy: dict[str, str], passwordless_redis: bool
) -> str:
    """The template's .env.example with lich init's names as values, and the keys only the
    project's had, before the task runner's section (which `copier update` rewrites on a switch,
    so the two never touch)."""
    template = (chosen / ".env.example").read_text(encoding="utf-8")
    template_keys = {key for key, _, _ in env_entries(template)}
    extra = [line for key, _, line in env_entries(project.text(".env.example"))]
    extra = [line for line in extra if line.split("=", 1)[0].strip() not in template_keys]
    values = dict(legacy)
    if passwordless_redis:
        # The app's Redis (lich init's compose service) has no password: an empty one on
        # purpose, which `make install` must not fill with a generated secret.
        values["REDIS_PASSWORD"] = EMPTY_ON_PURPOSE
    text = with_values(template, values)
    if extra:
        anchor = text.index(JOBS_SECTION)
        block = "# Kept from lich init's .env.example\n" + "\n".join(extra) + "\n\n"
        text = text[:anchor] + block + text[anchor:]
    plan.write[".env.example"] = text.encode()
    plan.report.append(".env.example: the template's keys, and the ones only yours had")
    if legacy:
        names = ", ".join(f"{key}={value}" for key, value in legacy.items())
        plan.report.append(f".env.example: the names your running system uses: {names}")
    return text


# The Kubernetes manifests that name what lich init's system names differently: the settings,
# and the KEDA triggers that watch the broker's queues (deploy/k8s/jobs/celery.yaml).
K8S_CONFIG, K8S_CELERY = "deploy/k8s/config.env", "deploy/k8s/jobs/celery.yaml"
# Legacy values that hold in a cluster too (an address does not: the cluster has its own).
K8S_LEGACY = ("CELERY_DEFAULT_QUEUE", "REDIS_BROKER_DB", "REDIS_RESULT_DB", "JOBS_AUTH_DEPENDENCY")


def plan_manifests(chosen: Path, plan: Plan, legacy: dict[str, str]) -> None:
    """deploy/k8s/ with the names of .env.example: its ConfigMap's values, and the queue and
    database its autoscalers watch."""
    names = {key: value for key, value in legacy.items() if key in K8S_LEGACY}
    if not names or not (chosen / K8S_CONFIG).is_file():
        return
    config = (chosen / K8S_CONFIG).read_text(encoding="utf-8")
    plan.write[K8S_CONFIG] = with_values(config, names).encode()
    if (chosen / K8S_CELERY).is_file():
        defaults = read_env(chosen / ".env.example")
        text = (chosen / K8S_CELERY).read_text(encoding="utf-8")
        watched = {
            "CELERY_DEFAULT_QUEUE": ("listName", ""),
            "REDIS_BROKER_DB": ("databaseIndex", '"'),
        }
        for key, (field, quote) in watched.items():
            if key in names:
                old = rf"^(\s+{field}: ){quote}{re.escape(defaults[key])}{quote}$"
                text = re.sub(old, rf"\g<1>{quote}{names[key]}{quote}", text, flags=re.MULTILINE)
        plan.write[K8S_CELERY] = text.encode()
    plan.report.append("deploy/k8s: the same names (config.env, the queue its autoscaling watches)")


def with_values(text: str, values: dict[str, str]) -> str:
    """`text` (a dotenv file) with each key of `values` set to that value, where it is."""
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        key = line.split("=", 1)[0].strip() if "=" in line else ""
        if key in values and not line.lstrip().startswith("#"):
            lines[number] = f"{key}={values[key]}\n"
    return "".join(lines)


def complete_env(
    project: Path, runner: str, example: str, required: set[str]
) -> tuple[list[str], str]:
    """Complete the team's `.env` (nothing when there is none: `make install` writes it from
    `.env.example`). Returns (keys added or filled, a line for the report)."""
    env = project / ".env"
    if not env.is_file():
        return [], ".env: there is none yet; `make install` writes it from .env.example"
    reason = f"the Lich template adoption (task runner: {runner})"
    added, _ = sync_env(project, reason, example)
    filled = fill_required(env, required)
    current = read_env(env)
    derived = {}
    if current.get("TEMPORAL_HOST") and "TEMPORAL_ADDRESS" not in current:
        derived["TEMPORAL_ADDRESS"] = temporal_address(current)
    if derived:
        text = env.read_text(encoding="utf-8")
        block = "".join(f"{key}={value}\n" for key, value in derived.items())
        comment = "# From your lich init settings (TEMPORAL_HOST, TEMPORAL_PORT)\n"
        env.write_text(f"{text.rstrip()}\n\n{comment}{block}", encoding="utf-8")
    changed = sorted({*added, *filled, *derived})
    if not changed:
        return [], ".env: it had every key already"
    return changed, f".env: added or filled {', '.join(changed)}"


def required_keys(plan: Plan) -> set[str]:
    """The variables the compose files the adoption writes refuse to run without."""
    found: set[str] = set()
    for name in ("docker-compose.yml", "compose/jobs.yml"):
        if name in plan.write:
            found |= set(REQUIRED.findall(plan.write[name].decode("utf-8", errors="replace")))
    return found


def fill_required(env: Path, required: set[str]) -> list[str]:
    """Give the required secrets `.env` leaves empty a generated value (a `.env` copied from
    `.env.example` has `REDIS_PASSWORD=`, which compose refuses)."""
    text = env.read_text(encoding="utf-8")
    filled = []
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        key, _, value = line.partition("=")
        key = key.strip()
        if key in required and not line.lstrip().startswith("#") and not value.strip():
            secret = secrets.token_urlsafe(24)
            lines[number] = f"{key}={'admin:' if key.endswith('_BASIC_AUTH') else ''}{secret}\n"
            filled.append(key)
    if filled:
        env.write_text("".join(lines), encoding="utf-8")
    return filled
