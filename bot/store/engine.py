"""Opening the database: the engine, SQLite's WAL mode, and migrations to the newest schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from bot.errors import ConfigError
from bot.store.sql_store import SqlStore

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
HEAD_REVISION = "0007"
"""The newest migration; a test checks it against the migrations folder. A database already
there opens without loading Alembic, which saves every command ~0.3 s and ~12 MB."""
SQLITE_BUSY_TIMEOUT_MS = 15_000
MIGRATION_LOCK = 0x786D657373  # "xmess": the PostgreSQL advisory lock held while migrating


def open_store(url: str) -> SqlStore:
    """Open (creating if needed) the database at `url` and migrate it to the newest schema."""
    engine = make_engine(url)
    try:
        if schema_revision(engine) != HEAD_REVISION:
            migrate(engine)
    except OperationalError as error:
        raise ConfigError(
            f"database_url: no s'ha pogut obrir la base de dades: {error.orig}"
        ) from None
    return SqlStore(engine)


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        # The URL itself is not repeated: it may carry a password.
        raise ConfigError(
            "database_url: no és una URL de base de dades (p. ex. sqlite:///var/xmess.sqlite3)"
        ) from None
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL lets the web page read while a poll writes; foreign keys are off by default."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at; None for a new database."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DatabaseError:
        return None


def migrate(engine: Engine) -> None:
    """Upgrade to the newest schema in one transaction, which holds a lock so that processes
    opening a new database together (replicas of `run`, a command beside them) migrate it
    once: one migrates while the others wait, and they then find the schema at the head."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with (
        engine.connect() as connection,
        _foreign_keys_unchecked(connection),
        connection.begin(),
    ):
        _lock_for_migration(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _foreign_keys_unchecked(connection: Connection) -> Iterator[None]:
    """SQLite changes a column by rebuilding its table (Alembic's batch mode): with foreign
    keys enforced, dropping the old `drafts` fails on its notes and history. The pragma only
    changes outside a transaction, and is set back before the connection goes back to the
    pool."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        yield
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _lock_for_migration(connection: Connection) -> None:
    """PostgreSQL: an advisory lock, released with the transaction. SQLite: its write lock
    taken up front (Python's sqlite3 would run the DDL outside any transaction)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
