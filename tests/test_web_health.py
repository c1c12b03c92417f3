"""`/healthz`: what a container health check or a monitor reads."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.web.app import create_app
from tests.web_site import make_app


def test_healthz_is_ok_when_the_database_answers(tmp_path: Path) -> None:
    client = TestClient(create_app(make_app(tmp_path)))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "status": "ok"}


def test_healthz_is_503_when_the_scheduler_stopped(tmp_path: Path) -> None:
    web = create_app(make_app(tmp_path), scheduler_state=lambda: {"running": False})
    response = TestClient(web).get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
