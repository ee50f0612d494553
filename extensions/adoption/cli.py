"""The command: `python3 extensions/adopt.py PROJECT [--runner ...]`."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from migrations._common import RUNNERS, MigrationError

from adoption.apply import adopt, find_uv
from adoption.evidence import Evidence
from adoption.project import AdoptError, Plan
from adoption.verify import (
    broken_packages,
    lint_findings,
    report_tests,
    tests_after,
    tests_before,
)

TEMPLATE = Path(__file__).resolve().parents[2]


def say_report(runner: str, answers: dict[str, Any], evidence: Evidence, plan: Plan) -> None:
    print(f"Adopted with task runner: {runner}")
    for line in evidence.lines:
        print(f"  evidence: {line}")
    print("Answers recorded in .copier-answers.yml:")
    for key, value in answers.items():
        print(f"  {key}: {value}")
    for line in plan.report:
        print(line)
    print(plan.lint)
    if "backend/api/http/emails.py" in plan.write:
        print(
            "The example e-mail routes are in backend/api/http/emails.py, and the readiness check "
            "(GET /ready: does the task runner answer?) in backend/api/http/ready.py; to serve "
            "them, add to backend/api/http/__init__.py:\n"
            "  from .emails import router as emails_router\n"
            "  from .ready import router as ready_router\n"
            '  router.include_router(emails_router, prefix="/emails", tags=["Emails"])\n'
            '  router.include_router(ready_router, tags=["Health"])\n'
            "and, so that a 422 never repeats what was sent, to backend/main.py after `app`:\n"
            "  from api.errors import EXCEPTION_HANDLERS\n"
            "  for error, handler in EXCEPTION_HANDLERS.items():\n"
            "      app.add_exception_handler(error, handler)"
        )
    if "backend/api/http/metrics.py" in plan.write:
        print(
            "The workers report traces, metrics and errors already (docs/workers.md); for the "
            "API's, add to backend/main.py before `app`:\n"
            "  from pkg.telemetry import setup_error_reports, setup_metrics, setup_telemetry\n"
            '  setup_metrics(); setup_telemetry("api"); setup_error_reports("api")\n'
            "and to backend/api/http/__init__.py (GET /metrics):\n"
            "  from .metrics import router as metrics_router\n"
            "  router.include_router(metrics_router)"
        )
    print("Committed. Review it with `git show --stat`; change the runner later with:")
    print("  copier update --trust --defaults -d task_runner=<temporal|celery|none>")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="the Lich project to adopt")
    parser.add_argument("--runner", choices=RUNNERS, help="the task runner to keep")
    parser.add_argument("--vcs-ref", help="template version (git tag or commit); default: newest")
    parser.add_argument(
        "--template",
        default=str(TEMPLATE),
        help="template path or URL (default: the template this script belongs to)",
    )
    parser.add_argument(
        "--skip-tests", action="store_true", help="do not run the project's tests before/after"
    )
    args = parser.parse_args(argv)
    template = args.template
    if Path(template).exists():
        template = str(Path(template).resolve())  # a relative _src_path breaks later updates
    project = args.project.resolve()
    try:
        runner, answers, evidence, plan = adopt(project, template, args.vcs_ref, args.runner)
    except (AdoptError, MigrationError) as error:
        print(f"Adoption stopped: {error}\nNothing was changed.", file=sys.stderr)
        return 1
    say_report(runner, answers, evidence, plan)
    if not args.skip_tests:
        with tempfile.TemporaryDirectory(prefix="lich-adopt-tests.") as scratch:
            before = tests_before(project, find_uv(Path(scratch)), Path(scratch))
            after = tests_after(project)
            failing = isinstance(after, dict) and bool(after)
            broken = broken_packages(project / "backend") if failing else {}
            report_tests(before, after, broken)
            if isinstance(after, dict):  # make install worked: the project's ruff is there
                print(lint_findings(project / "backend", set(plan.adopted)))
    return 0
