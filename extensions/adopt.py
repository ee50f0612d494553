"""Bring a Lich project made by the original `lich init` under this template.

    python3 <template>/extensions/adopt.py PROJECT [--runner temporal|celery|none]
                                                   [--vcs-ref REF] [--skip-tests]

The steps live in the `adoption` package beside this script (see its docstring).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from adoption.cli import main

if __name__ == "__main__":
    sys.exit(main())
