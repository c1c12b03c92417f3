"""How tests start the bot as a child process: the environment it gets (the fake X's
credentials among it), a free port."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

from bot.fake_x import FakeCredentials

DATABASE_VARIABLE = "XMESS_DATABASE_URL"
CREDENTIALS = FakeCredentials()
CREDENTIAL_ENV = {  # the fake X's credentials, as a child process reads them
    "XMESS_X__CONSUMER_KEY": CREDENTIALS.consumer_key,
    "XMESS_X__CONSUMER_SECRET": CREDENTIALS.consumer_secret,
    "XMESS_X__ACCESS_TOKEN": CREDENTIALS.access_token,
    "XMESS_X__ACCESS_TOKEN_SECRET": CREDENTIALS.access_token_secret,
}


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Ours without `XMESS_…` settings (the test's config file decides), except the database
    the PostgreSQL pass gives each test, plus `extra` (credentials)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XMESS_")}
    if DATABASE_VARIABLE in os.environ:
        env[DATABASE_VARIABLE] = os.environ[DATABASE_VARIABLE]
    return env | dict(extra or {})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
