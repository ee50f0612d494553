"""Record an absolute template path in `.copier-answers.yml`, whatever path `copier copy` got.

Copier stores `_src_path` exactly as typed. A relative one (`copier copy ../lich-template app`)
only means something from the directory copier ran in, so a later `copier update` run inside the
project fails with "Local template must be a directory". Files are rendered from that directory,
so a relative local path is resolved here, before the answers file is written. URLs and
absolute paths are left as they are.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from copier_template_extensions import ContextHook

REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|gh:|gl:|[^/]+@[^/]+:)", re.IGNORECASE)


class AbsoluteSourcePath(ContextHook):
    def hook(self, context: dict[str, Any]) -> None:
        answers = context.get("_copier_answers")
        source = answers.get("_src_path") if isinstance(answers, dict) else None
        if not isinstance(source, str) or REMOTE.match(source) or Path(source).is_absolute():
            return
        if Path(source).expanduser().is_dir():
            answers["_src_path"] = str(Path(source).expanduser().resolve())
