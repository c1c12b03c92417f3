"""Which calendar occurrences get an announcement, and when one stops being useful. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.models import EventOccurrence


def wants_announcement(occurrence: EventOccurrence, now: datetime, announce_days: int) -> bool:
    """An occurrence is announced once it is within `announce_days` and still ahead; private,
    confidential and cancelled events never are."""
    if occurrence.private or occurrence.cancelled or occurrence.starts_at <= now:
        return False
    return occurrence.starts_at - now <= timedelta(days=announce_days)


def has_started(occurrence: EventOccurrence, now: datetime) -> bool:
    return occurrence.starts_at <= now


def announcement_key(occurrence: EventOccurrence) -> str:
    return f"event:{occurrence.key}"
