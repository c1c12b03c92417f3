"""`/healthz`: what a container health check or a monitor reads."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.app import build_app
from bot.clock import FixedClock
from bot.service import App
from bot.settings import Settings
from bot.web.app import create_app
from tests.test_service import NOW


def make_app(tmp_path: Path) -> App:
    settings = Settings(config_dir=tmp_path, slots_file="")  # type: ignore[call-arg]
    return build_app(settings, FixedClock(NOW))


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
