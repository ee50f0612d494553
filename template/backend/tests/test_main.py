"""The application: its routes are joined in api/http/ and served by main.app."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from main import app

BACKEND_DIR = Path(__file__).resolve().parents[1]


def test_health_answers_with_the_task_runner() -> None:
    response = TestClient(app).get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_email_and_readiness_routes_are_mounted() -> None:
    paths = TestClient(app).get("/openapi.json").json()["paths"]
    assert {"/health", "/ready", "/emails", "/emails/{job_id}"} <= set(paths)


def test_production_does_not_publish_the_api_description() -> None:
    # Settings are read at import: a fresh interpreter reads ENVIRONMENT=production.
    code = "from main import app; print(app.docs_url, app.redoc_url, app.openapi_url)"
    env = {**os.environ, "ENVIRONMENT": "production", "JOBS_API_TOKEN": "a-token"}
    shown = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=BACKEND_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.split() == ["None", "None", "None"]
