"""The web page's accounts and its generated session key, in the same database as the queue."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.accounts import Role, User
from bot.errors import AccountError
from bot.store.schema import users, web_secrets

SESSION_KEY_NAME = "session"


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, user: User) -> None:
        try:
            with self.engine.begin() as tx:
                tx.execute(insert(users).values(_values(user)))
        except IntegrityError:
            raise AccountError(f"ja hi ha un usuari «{user.name}»") from None

    def get(self, name: str) -> User | None:
        with self.engine.begin() as tx:
            row = tx.execute(select(users).where(users.c.name == name)).first()
        return _user(row) if row else None

    def all(self) -> list[User]:
        with self.engine.begin() as tx:
            return [_user(row) for row in tx.execute(select(users).order_by(users.c.name))]

    def save(self, user: User) -> None:
        """Write back a changed account (its language, failed sign-ins, lock)."""
        with self.engine.begin() as tx:
            tx.execute(update(users).where(users.c.name == user.name).values(_values(user)))

    def remove(self, name: str) -> None:
        with self.engine.begin() as tx:
            if not tx.execute(delete(users).where(users.c.name == name)).rowcount:
                raise AccountError(f"no hi ha cap usuari «{name}»")

    def session_key(self) -> str:
        """The key that signs session cookies, generated on first use and kept, so sessions
        survive a restart. Two processes starting at once agree: the first insert wins."""
        with self.engine.begin() as tx:
            known = tx.execute(
                select(web_secrets.c.value).where(web_secrets.c.name == SESSION_KEY_NAME)
            ).scalar()
        if known:
            return str(known)
        try:
            with self.engine.begin() as tx:
                tx.execute(
                    insert(web_secrets).values(name=SESSION_KEY_NAME, value=secrets.token_hex(32))
                )
        except IntegrityError:
            pass  # another process stored its key first; read that one below
        return self.session_key()


def _values(user: User) -> dict[str, Any]:
    return user.__dict__ | {"role": user.role.value}


def _user(row: Any) -> User:
    fields = row._asdict()
    return User(**fields | {"role": Role(fields["role"])})


def accounts_for(store: object) -> Accounts:
    """The accounts kept beside a SQL store's queue (the only store the page runs on)."""
    engine = getattr(store, "engine", None)
    if not isinstance(engine, Engine):
        raise AccountError("la pàgina web necessita una base de dades SQL (database_url)")
    return Accounts(engine)
