"""The application: its routes are joined in api/http/ and served by main.app."""

from fastapi.testclient import TestClient

from main import app


def test_health_answers_with_the_task_runner() -> None:
    response = TestClient(app).get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_email_routes_are_mounted() -> None:
    paths = TestClient(app).get("/openapi.json").json()["paths"]
    assert {"/health", "/emails", "/emails/{job_id}"} <= set(paths)
