"""deploy/prometheus/alerts.yml of every runner: promtool accepts it, each alert fires on the
series it is for and stays quiet on the ones it is not (promtool's unit tests in tests/alerts/,
run on the generated file), and a project's rules name only its own runner's metrics.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import debian_tool

pytestmark = pytest.mark.slow

UNIT_TESTS = Path(__file__).resolve().parent / "alerts"
RULES = "deploy/prometheus/alerts.yml"

# Each variant: its answers, the unit-test files of tests/alerts/ that apply, its workers'
# scrape job and the metric families its rules may use.
VARIANTS: dict[str, dict[str, Any]] = {
    "temporal": {
        "answers": {"task_runner": "temporal"},
        "tests": ["api", "jobs", "temporal"],
        "worker_job": "temporal-worker",
        "prefix": "temporal_",
    },
    "celery-redis-beat": {
        "answers": {"task_runner": "celery", "celery_broker": "redis", "celery_beat": True},
        "tests": ["api", "jobs", "celery", "celery-beat"],
        "worker_job": "celery-worker",
        "prefix": "celery_",
    },
    "celery-rabbitmq": {
        "answers": {"task_runner": "celery", "celery_broker": "rabbitmq", "celery_beat": False},
        "tests": ["api", "jobs", "celery"],
        "worker_job": "celery-worker",
        "prefix": "celery_",
    },
    "none": {"answers": {"task_runner": "none"}, "tests": ["api"], "worker_job": None},
}


def promtool() -> str:
    return debian_tool("promtool", "prometheus")


def run_promtool(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [promtool(), *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(
    request: pytest.FixtureRequest, generate: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path]:
    """One project per runner variant, shared by the checks below."""
    found = VARIANTS[request.param]
    return found, generate(tmp_path_factory.mktemp(request.param), **found["answers"])


def alerting_rules(project: Path) -> list[dict[str, Any]]:
    groups = yaml.safe_load((project / RULES).read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def unit_test(name: str, project: Path, rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """tests/alerts/<name>.yml aimed at the project's rules: `rule_files` is its alerts.yml, and
    each expected alert gets the rule's own annotations (plain text: promtool compares them
    exactly) unless the test states them."""
    tests: dict[str, Any] = yaml.safe_load((UNIT_TESTS / f"{name}.yml").read_text())
    tests["rule_files"] = [str(project / RULES)]
    for case in tests["tests"]:
        for check in case.get("alert_rule_test", []):
            rule = rules[check["alertname"]]
            for expected in check.get("exp_alerts") or []:
                if "exp_annotations" not in expected:
                    assert "{{" not in str(rule["annotations"]), (
                        f"{check['alertname']}'s annotations are templates: "
                        f"give exp_annotations in tests/alerts/{name}.yml"
                    )
                    expected["exp_annotations"] = rule["annotations"]
    return tests


def test_promtool_accepts_the_rules(variant: tuple[dict[str, Any], Path]) -> None:
    _, project = variant
    result = run_promtool("check", "rules", RULES, cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout, result.stdout


def test_each_alert_fires_on_its_series_and_only_there(
    variant: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    """promtool's unit tests of tests/alerts/, run on this project's rules; every alert of the
    file has a test, and every test an alert."""
    found, project = variant
    rules = {rule["alert"]: rule for rule in alerting_rules(project)}
    files, tested = [], set()
    for name in found["tests"]:
        tests = unit_test(name, project, rules)
        tested |= {
            check["alertname"]
            for case in tests["tests"]
            for check in case.get("alert_rule_test", [])
            if check.get("exp_alerts")
        }
        (path := tmp_path / f"{name}.yml").write_text(yaml.safe_dump(tests, sort_keys=False))
        files.append(path)
    assert tested == set(rules), "alerts without a test that fires them, or tests of none"
    result = run_promtool("test", "rules", *files, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_says_how_bad_and_what_to_look_at(
    variant: tuple[dict[str, Any], Path],
) -> None:
    _, project = variant
    for rule in alerting_rules(project):
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert set(rule["annotations"]) == {"summary", "description"}, rule["alert"]
        assert "Look at" in rule["annotations"]["description"], rule["alert"]


def test_the_rules_name_only_the_runners_own_metrics(
    variant: tuple[dict[str, Any], Path],
) -> None:
    found, project = variant
    exprs = "\n".join(rule["expr"] for rule in alerting_rules(project))
    jobs = set(re.findall(r'job="([^"]+)"', exprs))
    assert jobs == {"api"} | ({found["worker_job"]} if found["worker_job"] else set())
    families = set(re.findall(r"\b(celery|temporal)_\w+", exprs))
    assert families == ({found["prefix"].rstrip("_")} if found["worker_job"] else set())
    text = (project / RULES).read_text()
    for other in {"celery_", "temporal_"} - {found.get("prefix")}:
        assert other not in text, f"{other} in a {found['answers']['task_runner']} project"
    if not found["worker_job"]:
        assert "jobs_requests_total" not in text, "no runner, so no runner to be unavailable"
