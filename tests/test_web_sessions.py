"""The session key: kept in the database when not configured, so sessions outlive a restart;
taken from the environment only, never from the config file."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import build_app
from bot.clock import FixedClock
from bot.errors import ConfigError
from bot.settings import Settings, load_settings
from bot.store.accounts import accounts_for
from bot.web.app import SESSION_COOKIE, create_app
from tests.web_site import NOW, make_app, signed_in


def test_a_session_survives_a_restart_of_the_page(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    cookie = signed_in(app, "viewer").cookies[SESSION_COOKIE]
    restarted = TestClient(create_app(app), follow_redirects=False)
    restarted.cookies.set(SESSION_COOKIE, cookie)
    assert restarted.get("/").status_code == 200


def test_a_configured_key_replaces_the_stored_one(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    cookie = signed_in(app, "viewer").cookies[SESSION_COOKIE]
    web = {"secret_key": "una clau de prova llarga"}
    settings = Settings(config_dir=tmp_path, slots_file="", web=web)  # type: ignore[arg-type]
    keyed = build_app(settings, FixedClock(NOW))
    other = TestClient(create_app(keyed), follow_redirects=False)  # same database, new key
    other.cookies.set(SESSION_COOKIE, cookie)
    assert other.get("/").headers["location"] == "/signin"


def test_a_removed_account_loses_its_session(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    viewer = signed_in(app, "viewer")
    accounts_for(app.store).remove("viewer")
    assert viewer.get("/").headers["location"] == "/signin"


def test_the_key_is_refused_in_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "xmess.toml"
    config.write_text('[web]\nsecret_key = "no aquí"\n')
    with pytest.raises(ConfigError, match="XMESS_WEB__SECRET_KEY"):
        load_settings(config)
