"""deploy/k8s/ of every generated project renders with Kustomize and validates as Kubernetes and
KEDA would, with the project's own checker (deploy/check.py, what `make k8s-check` and the
project's CI run); the checker catches the mistakes it is there for; a runner switch rewrites
the runner's manifests and keeps the user's edits to the rest.

No cluster runs here: `kubectl kustomize` renders offline; `kubectl apply` would need a server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import MATRIX, debian_tool, facts, matrix_id, python_env
from tests.update_helpers import commit_all, output, update

pytestmark = pytest.mark.slow


def kubectl() -> str:
    """Debian's kubectl (with Kustomize)."""
    return debian_tool("kubectl", "kubectl")


def check(project: Path) -> subprocess.CompletedProcess[str]:
    kubectl()
    return subprocess.run(
        [sys.executable, "deploy/check.py"],
        cwd=project,
        env={**os.environ, **python_env()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rendered(project: Path) -> list[dict[str, Any]]:
    out = subprocess.run(
        [kubectl(), "kustomize", "deploy/k8s"], cwd=project, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return [manifest for manifest in yaml.safe_load_all(out.stdout) if manifest]


@pytest.mark.parametrize("answers", MATRIX, ids=matrix_id)
def test_every_combination_validates(
    answers: dict[str, Any], generate: Any, tmp_path: Path
) -> None:
    project = generate(tmp_path / "project", **answers)
    result = check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    objects = rendered(project)
    names = {f"{m['kind']}/{m['metadata']['name']}" for m in objects}
    runner = answers["task_runner"]
    workers = {name for name in names if name.startswith("Deployment/") and "-api" not in name}
    scaled = {name for name in names if name.startswith("ScaledObject/")}
    if runner == "none":
        assert workers == scaled == set()
        assert not (project / "deploy/keda.schema.json").exists()
    if runner == "temporal":
        assert {n.split("/")[1].removeprefix("lich-test-") for n in workers} == {"temporal-worker"}
        assert len(scaled) == 1
    if runner == "celery":
        expected = {"celery-worker", "celery-bulk"}
        expected |= {"celery-beat"} if answers.get("celery_beat", True) else set()
        expected |= {"flower"} if answers.get("celery_flower") else set()
        assert {n.split("/")[1].removeprefix("lich-test-") for n in workers} == expected
        assert len(scaled) == 2, "the default worker and the bulk worker scale on their queues"
        triggers = {
            trigger["type"]
            for manifest in objects
            if manifest["kind"] == "ScaledObject"
            for trigger in manifest["spec"]["triggers"]
        }
        assert triggers == {"rabbitmq" if answers.get("celery_broker") == "rabbitmq" else "redis"}
    for manifest in objects:
        if manifest["kind"] == "ScaledObject":
            assert manifest["spec"]["minReplicaCount"] >= 1


def test_the_checker_catches_what_it_is_there_for(generate: Any, tmp_path: Path) -> None:
    """A scale to zero, two beats, a grace period under the hard limit, an unknown field in a
    KEDA object and in a core one: each named."""
    project = generate(tmp_path / "project", task_runner="celery")
    assert check(project).returncode == 0
    jobs = project / "deploy/k8s/jobs/celery.yaml"
    text = jobs.read_text()
    text = text.replace("  minReplicaCount: 1", "  minReplicaCount: 0", 1)
    text = text.replace("  strategy:\n    type: Recreate", "  strategy:\n    type: RollingUpdate")
    grace = facts.JOB_LIMITS["celery_task_time_limit"] + facts.STOP_GRACE_MARGIN
    text = text.replace(
        f"terminationGracePeriodSeconds: {grace}", "terminationGracePeriodSeconds: 60"
    )
    text = text.replace("  maxReplicaCount: 10", "  maxReplicaCount: 10\n  bogus: 1", 1)
    text = text.replace("          ports:", "          portz:", 1) if "portz" in text else text
    jobs.write_text(text)
    api = project / "deploy/k8s/api.yaml"
    api.write_text(api.read_text().replace("  replicas: 2", "  replicas: 2\n  bogus: 1", 1))
    result = check(project)
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert "minReplicaCount below 1" in said
    assert "beat must be one replica, replaced by Recreate" in said
    assert "60 s to stop, not more than CELERY_TASK_TIME_LIMIT" in said
    assert said.count("'bogus' was unexpected") == 2, said  # the KEDA object and the Deployment


def test_the_checker_follows_every_reference(generate: Any, tmp_path: Path) -> None:
    """A pod reading a ConfigMap the render lacks or an image kustomize does not set, a ScaledObject
    scaling no Deployment, a TriggerAuthentication reading a key the Secret does not have."""
    project = generate(tmp_path / "project", task_runner="temporal")
    jobs = project / "deploy/k8s/jobs/temporal.yaml"
    text = jobs.read_text().replace("name: lich-test-config", "name: lich-test-settings", 1)
    text = text.replace("image: lich-test-backend", "image: lich-test-worker", 1)
    text = text.replace("    name: lich-test-temporal-worker", "    name: lich-test-worker", 1)
    jobs.write_text(text.replace("key: TEMPORAL_API_KEY", "key: TEMPORAL_KEY", 1))
    result = check(project)
    said = result.stderr
    assert result.returncode == 1, result.stdout + said
    assert "Deployment/lich-test-temporal-worker: no ConfigMap lich-test-settings" in said
    assert "image lich-test-worker is not kustomization's" in said
    assert "ScaledObject/lich-test-temporal-worker: no Deployment lich-test-worker" in said
    assert "no key TEMPORAL_KEY in the Secret lich-test-secrets" in said


def test_every_setting_is_in_the_configmap_or_the_secret(generate: Any, tmp_path: Path) -> None:
    project = generate(tmp_path / "project", task_runner="celery", celery_flower=True)
    config = project / "deploy/k8s/config.env"
    config.write_text(
        config.read_text().replace("CELERY_MAX_DELIVERIES=", "#CELERY_MAX_DELIVERIES=")
    )
    said = check(project)
    assert said.returncode == 1
    assert "CELERY_MAX_DELIVERIES: in neither config.env nor secrets.env.example" in said.stderr
    secrets = (project / "deploy/k8s/secrets.env.example").read_text()
    assert "REDIS_PASSWORD=\n" in secrets and "FLOWER_BASIC_AUTH=\n" in secrets
    assert "REDIS_PASSWORD" not in config.read_text(), "no secret in the repository"


def test_the_keda_schema_is_the_pinned_release(generate: Any, tmp_path: Path) -> None:
    project = generate(tmp_path / "project", task_runner="temporal")
    schema = json.loads((project / "deploy/keda.schema.json").read_text())
    assert f"KEDA v{facts.KEDA_VERSION}" in schema["$comment"]
    assert set(schema) == {"$comment", "ScaledObject", "TriggerAuthentication"}


def test_a_switch_rewrites_the_runners_manifests_and_keeps_the_rest(
    generate: Any, tmp_path: Path
) -> None:
    project = generate(tmp_path / "project", task_runner="celery")
    api = project / "deploy/k8s/api.yaml"
    api.write_text(api.read_text().replace("  replicas: 2", "  replicas: 4", 1))
    config = project / "deploy/k8s/config.env"
    config.write_text(
        config.read_text()
        .replace("CORS_ORIGINS=http://localhost:3000", "CORS_ORIGINS=https://shop.example")
        # Beside the runner's settings, which the switch replaces: merged key by key.
        .replace("JOBS_AUTH_DEPENDENCY=\n", "JOBS_AUTH_DEPENDENCY=shop.auth:current_user\n")
    )
    commit_all(project, "our cluster")
    result = update(project, "--vcs-ref=:current:", "-d", "task_runner=temporal")
    assert result.returncode == 0, output(result)
    jobs = sorted(path.name for path in (project / "deploy/k8s/jobs").iterdir())
    assert jobs == ["kustomization.yaml", "temporal.yaml"]
    assert "  replicas: 4" in api.read_text(), "the user's edit stays"
    assert "CORS_ORIGINS=https://shop.example" in config.read_text()
    assert "JOBS_AUTH_DEPENDENCY=shop.auth:current_user\n" in config.read_text()
    assert "<<<<<<<" not in config.read_text()
    assert "TEMPORAL_ADDRESS=" in config.read_text() and "CELERY_" not in config.read_text()
    assert check(project).returncode == 0
