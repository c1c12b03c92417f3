"""What the web tests share: an `App` over a real SQLite file, accounts of each role, and a
TestClient that signs in through the form and reads the CSRF token from the page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bot.accounts import Role, User, hash_password
from bot.app import build_app
from bot.clock import FixedClock
from bot.models import Draft, DraftKind, Image
from bot.service import App
from bot.settings import Settings
from bot.store.accounts import accounts_for
from bot.web.app import create_app

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PASSWORD = "una contrasenya llarga"
PASSWORD_HASH = hash_password(PASSWORD)
"""Hashed once: argon2 is slow on purpose."""
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(tmp_path: Path, **settings: Any) -> App:
    config = Settings(**{"config_dir": tmp_path, "slots_file": ""} | settings)
    app = build_app(config, FixedClock(NOW))
    accounts = accounts_for(app.store)
    for role in Role:
        accounts.add(User(role.value, role, PASSWORD_HASH, NOW))
    accounts.add(User("editor2", Role.EDITOR, PASSWORD_HASH, NOW))
    return app


def add_draft(
    app: App, text: str = "Cooperativa nova a Igualada #EconomiaSocial", **fields: Any
) -> Draft:
    values: dict[str, Any] = {
        "member": "Igualada", "source_url": "https://example.cat/noticia",
        "source_title": "Una cooperativa nova", "matched_keywords": ("cooperativa",),
        "image": Image("https://example.cat/foto.jpg", None),
    } | fields  # fmt: skip
    stored = app.store.add_draft(Draft(DraftKind.NEWS, text, NOW, **values), "xmess-bot")
    assert stored is not None
    return stored


def csrf(client: TestClient, path: str = "/") -> str:
    match = TOKEN.search(client.get(path).text)
    assert match is not None, f"no CSRF token on {path}"
    return match.group(1)


def signed_in(app: App, name: str) -> TestClient:
    client = TestClient(create_app(app), follow_redirects=False)
    response = client.post(
        "/signin", data={"name": name, "password": PASSWORD, "csrf_token": csrf(client, "/signin")}
    )
    assert response.status_code == 303
    return client


def post(client: TestClient, path: str, data: dict[str, str], page: str = "/") -> Any:
    return client.post(path, data=data | {"csrf_token": csrf(client, page)})
