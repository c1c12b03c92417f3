"""The SQL store (SQLAlchemy 2 Core, migrations with Alembic): `open_store(url)` is the door."""

from bot.store.engine import open_store
from bot.store.sql_store import SqlStore

__all__ = ["SqlStore", "open_store"]
