"""Any sensible project name and description render a project that installs and passes its own
lint: quotes, `#`, YAML's words (yes, null, true), long texts and non-ASCII letters stay what
they are in every file that carries them (Python, YAML, TOML, .env)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import BIN, read_answers, run

DESCRIPTION = (
    'A "quoted" description with a backslash \\d, a # sign, an apostrophe\'s worth of text and '
    "enough words to run past any line-length limit a formatter would enforce on one line."
)
NAMES = [
    ("Shop # App", {}),
    ('O\'Brien "Quoted" Co', {}),
    ("yes", {}),
    ("null", {}),
    ("true", {"task_runner": "celery"}),
    ("N" * 60, {"task_runner": "temporal"}),
    ("日本語 サービス", {"project_slug": "nihongo"}),
]


@pytest.mark.parametrize(("name", "extra"), NAMES, ids=[n[:12] for n, _ in NAMES])
def test_a_name_survives_every_file_format(
    name: str, extra: dict[str, Any], generate: Any, tmp_path: Path
) -> None:
    project = generate(
        tmp_path / "project", project_name=name, project_description=DESCRIPTION, **extra
    )
    backend = project / "backend"
    run([BIN / "ruff", "check", "--no-cache", "."], backend)
    run([BIN / "ruff", "format", "--check", "--no-cache", "."], backend)

    assert read_answers(project)["project_name"] == name
    config = yaml.safe_load((project / ".lich/PROJECT_CONFIG.yaml").read_text())
    assert config["project"]["name"] == name
    assert config["project"]["description"] == DESCRIPTION
    assert isinstance(config["project"]["slug"], str)
    pyproject = tomllib.loads((backend / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == DESCRIPTION
    # .env.example as python-dotenv (the settings) reads it, and the settings themselves.
    (project / ".env").write_text((project / ".env.example").read_text())
    read = "from pkg.config.settings import settings; print(json.dumps(settings.project_name))"
    result = subprocess.run(
        [sys.executable, "-c", f"import json; {read}"],
        cwd=backend,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == name
