"""Fixtures shared by the test modules.

The suite runs once on SQLite and, when `XMESS_TEST_POSTGRES_URL` names a PostgreSQL server
(`scripts/test-postgres.sh` starts one), once more on it: every test then gets a fresh
database, cloned from a migrated template, exported as `XMESS_DATABASE_URL` so settings, the
CLI and subprocesses all use it. Tests about SQLite itself carry `@pytest.mark.sqlite_only`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import Pool

from bot.loopback import LoopbackServer
from bot.store import SqlStore, open_store

POSTGRES_URL = os.environ.get("XMESS_TEST_POSTGRES_URL")
_database_numbers = itertools.count()


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A real HTTP server on 127.0.0.1 with no resources yet; tests add what they serve."""
    with LoopbackServer() as server:
        yield server


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus of real and hostile feeds and calendars, beside the repository."""
    path = (Path(__file__).parents[1] / ".." / "shared" / "corpus").resolve()
    if not path.is_dir():
        pytest.skip(f"shared corpus not found at {path}: it ships with CI, not with the repository")
    return path


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[tuple[psycopg.Connection, str] | None]:
    """On the PostgreSQL pass: a connection that creates databases, and the name of this
    worker's migrated template. None on the SQLite pass."""
    if POSTGRES_URL is None:
        yield None
        return
    server = make_url(POSTGRES_URL)
    with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as admin:
        template = f"xmess_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
        admin.execute(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {template}")
        open_store(server.set(database=template).render_as_string(False)).close()
        yield admin, template


@pytest.fixture(autouse=True)
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_admin: tuple[psycopg.Connection, str] | None,
) -> Iterator[str]:
    """The database of this test: a SQLite file in `tmp_path`, or on the PostgreSQL pass a
    fresh database that the environment points every part of the bot at."""
    sqlite_url = f"sqlite:///{tmp_path / 'xmess.sqlite3'}"
    if postgres_admin is None or request.node.get_closest_marker("sqlite_only"):
        yield sqlite_url
        return
    admin, template = postgres_admin
    name = f"{template.replace('template', 'test')}_{next(_database_numbers)}"
    admin.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
    url = make_url(POSTGRES_URL or "").set(database=name).render_as_string(False)
    monkeypatch.setenv("XMESS_DATABASE_URL", url)
    opened: list[psycopg.Connection] = []

    def remember(connection: psycopg.Connection, _record: object) -> None:
        opened.append(connection)

    event.listen(Pool, "connect", remember)
    yield url
    event.remove(Pool, "connect", remember)
    # The stores a test opened are not closed by it: closing their connections here keeps
    # psycopg from warning when they are collected, and lets the database be dropped.
    for connection in opened:
        connection.close()
    admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def store(database_url: str) -> SqlStore:
    """The test's database, opened and migrated."""
    return open_store(database_url)


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as psycopg's own connection string."""
    return make_url(url).set(drivername="postgresql").render_as_string(False)
