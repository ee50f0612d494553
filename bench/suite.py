"""Wall time of the template's full test suite, `python3 dev.py test`, run once (it takes minutes).

Only with `python3 dev.py bench --suite`. The figure has no baseline: its target is absolute.
"""

from __future__ import annotations

import re
import sys
import time

from bench.common import ROOT, Config, Figure, say, value_at_most, venv_env
from tests import helpers

TARGET_SECONDS = 600.0


def run_suite(config: Config) -> list[Figure]:
    del config  # one run whatever the mode: it is the slowest figure by far
    say("suite: python3 dev.py test (minutes)")
    start = time.perf_counter()
    result = helpers.run(
        [sys.executable, ROOT / "dev.py", "test"], ROOT, venv_env(), 3600, check=False
    )
    seconds = time.perf_counter() - start
    summary = next(
        (
            line
            for line in reversed(result.stdout.splitlines())
            if re.search(r"\d+ (passed|failed)", line)
        ),
        f"exit code {result.returncode}",
    ).strip("= ")
    failed = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("FAILED ")]
    if failed:
        summary += f" (failed: {', '.join(failed)})"
    return [
        Figure(
            "suite",
            "python3 dev.py test (whole template suite)",
            [seconds],
            "s",
            target=f"<= {TARGET_SECONDS / 60:.0f} min",
            check=value_at_most(TARGET_SECONDS),
            note=summary,
        )
    ]
