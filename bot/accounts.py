"""The web page's people: roles, what each may do, passwords and the lock-out rule. Pure.

A viewer reads; an editor also approves, edits, reschedules, rejects and writes posts; an
admin also manages accounts. Passwords are kept only as argon2 hashes. After
`MAX_FAILED_SIGNINS` wrong passwords in a row an account is locked for `LOCKOUT`, the right
password included, so guessing is slow; a right password before that clears the count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.errors import AccountError

MAX_FAILED_SIGNINS = 5
LOCKOUT = timedelta(minutes=15)
LANGUAGES = ("ca", "es", "en")
"""Catalan first; the page speaks each person's choice."""
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def can_act(self) -> bool:
        """Approve, edit, reschedule, reject, note, write: everyone but a viewer."""
        return self is not Role.VIEWER

    @property
    def can_manage_users(self) -> bool:
        return self is Role.ADMIN


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    password_hash: str
    created_at: datetime
    language: str = "ca"
    failed_signins: int = 0
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"la contrasenya ha de tenir com a mínim {MIN_PASSWORD_LENGTH} caràcters"
        )
    return _hasher.hash(password)


def password_matches(user: User | None, password: str) -> bool:
    """Whether `password` is the user's. An unknown name costs the same hash check, so the
    answer's timing does not tell which names exist."""
    try:
        return _hasher.verify(user.password_hash if user else _unknown_user_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _unknown_user_hash() -> str:
    return _hasher.hash("no user has this password")


def after_failed_signin(user: User, now: datetime) -> User:
    """One more wrong password; the last one allowed locks the account for `LOCKOUT`."""
    failed = user.failed_signins + 1
    if failed >= MAX_FAILED_SIGNINS:
        return replace(user, failed_signins=0, locked_until=now + LOCKOUT)
    return replace(user, failed_signins=failed)


def check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 200:
        raise AccountError("el nom d'usuari no pot ser buit ni passar de 200 caràcters")
    return cleaned


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise AccountError(f"llengua desconeguda «{language}»: tria {', '.join(LANGUAGES)}")
    return language
