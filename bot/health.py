"""Feed and calendar health between polls: what a success or a failure changes, and when a
failing source is tried again (exponential back-off, so a dead site costs little). Pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.models import FeedHealth, FetchResult

FIRST_BACKOFF = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=12)


def backoff_after(failures: int) -> timedelta:
    """10 min after the 2nd failure in a row, doubling up to 12 h; the 1st failure is retried
    at the next poll, since one timeout says little."""
    if failures < 2:
        return timedelta(0)
    return min(FIRST_BACKOFF * 2 ** (failures - 2), MAX_BACKOFF)


def is_due(health: FeedHealth, now: datetime) -> bool:
    return health.retry_after is None or health.retry_after <= now


def after_success(health: FeedHealth, fetch: FetchResult, now: datetime) -> FeedHealth:
    return replace(
        health,
        etag=fetch.etag or (health.etag if fetch.not_modified else None),
        last_modified=fetch.last_modified or (health.last_modified if fetch.not_modified else None),
        last_success_at=now,
        consecutive_failures=0,
        retry_after=None,
    )


def after_failure(health: FeedHealth, reason: str, now: datetime) -> FeedHealth:
    failures = health.consecutive_failures + 1
    wait = backoff_after(failures)
    return replace(
        health,
        last_error=reason,
        last_error_at=now,
        consecutive_failures=failures,
        retry_after=now + wait if wait else None,
    )


def with_warning(health: FeedHealth, warning: str, now: datetime) -> FeedHealth:
    """A feed that parsed with problems still counts as a success; the reason is kept."""
    return replace(health, last_error=f"avís: {warning}", last_error_at=now)
