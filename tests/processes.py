"""How tests start the bot as a child process: the environment it gets, a free port."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

DATABASE_VARIABLE = "XMESS_DATABASE_URL"


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
