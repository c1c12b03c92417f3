"""When an event occurrence gets its reminders, and when a reminder stops being useful. Pure.

An offset is written `"7d 09:00"` (seven local days before the start, at 9:00 local time) or
`"2h"` / `"30m"` (that long before the start). Local times are taken on the local calendar
day, so they stay at 9:00 across the DST changes; a time the clock skips (02:30 on the last
Sunday of March in Europe/Madrid) moves on by the hour the clock jumps. An all-day event has
no hour: a before-the-start offset becomes its day-of reminder at `all_day_time`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.models import EventOccurrence

DEFAULT_OFFSETS = ("7d 09:00", "1d 09:00", "2h")
DEFAULT_ALL_DAY_TIME = time(9, 0)
_DAYS_AT = re.compile(r"^(\d{1,3})d (\d{2}):(\d{2})$")
_BEFORE = re.compile(r"^(\d{1,4})([hm])$")


@dataclass(frozen=True)
class Offset:
    """One configured offset: `days` local days before at local `at`, or `before` the start."""

    label: str
    days: int = 0
    at: time | None = None
    before: timedelta = timedelta(0)


@dataclass(frozen=True)
class Reminder:
    """One reminder of one occurrence: which offset, and the moment (UTC) it goes out."""

    offset: str
    at: datetime


def parse_offset(text: str) -> Offset:
    """`"7d 09:00"` or `"2h"`/`"90m"`; raises ValueError with the forms it accepts."""
    cleaned = " ".join(text.split())
    days_at = _DAYS_AT.match(cleaned)
    if days_at:
        days, hour, minute = (int(part) for part in days_at.groups())
        if hour < 24 and minute < 60:
            return Offset(cleaned, days=days, at=time(hour, minute))
    before = _BEFORE.match(cleaned)
    if before and int(before.group(1)) > 0:
        unit = "hours" if before.group(2) == "h" else "minutes"
        return Offset(cleaned, before=timedelta(**{unit: int(before.group(1))}))
    raise ValueError(
        f"«{text}» no és un moment de recordatori: escriviu «7d 09:00» (7 dies abans a les "
        "9 h), «0d 09:00» (el mateix dia) o «2h» / «30m» (abans de començar)"
    )


def reminder_times(
    occurrence: EventOccurrence, offsets: Sequence[Offset], zone: ZoneInfo, all_day_time: time
) -> list[Reminder]:
    """Every reminder of `occurrence`, earliest first: only those still useful (`useful_until`), one
    per moment (two offsets landing on the same minute make one reminder, the first named)."""
    found: dict[datetime, Reminder] = {}
    for offset in offsets:
        at = _moment(occurrence, offset, zone, all_day_time)
        if at < useful_until(occurrence) and at not in found:
            found[at] = Reminder(offset.label, at)
    return sorted(found.values(), key=lambda reminder: reminder.at)


def _moment(
    occurrence: EventOccurrence, offset: Offset, zone: ZoneInfo, all_day_time: time
) -> datetime:
    start_day = occurrence.starts_at.astimezone(zone).date()
    if offset.at is not None:
        return _local(start_day - timedelta(days=offset.days), offset.at, zone)
    if occurrence.all_day:
        return _local(start_day, all_day_time, zone)
    return occurrence.starts_at - offset.before


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock moment in UTC; one in the spring gap reads with the winter offset,
    so it lands the skipped hour later (02:30 → 03:30)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def days_until_word(reminder_at: datetime, starts_at: datetime, zone: ZoneInfo) -> str:
    """How the reminder says when the event is, in local days: "avui", "demà", "d'aquí a 7
    dies" (catalan.md's relative words)."""
    days = (starts_at.astimezone(zone).date() - reminder_at.astimezone(zone).date()).days
    if days <= 0:
        return "avui"
    if days == 1:
        return "demà"
    return f"d'aquí a {days} dies"


def useful_until(occurrence: EventOccurrence) -> datetime:
    """A timed event's reminders must go out before it starts; an all-day event (a fair) runs
    all day, so its day-of reminder at 9:00 is useful until it ends."""
    return occurrence.ends_at if occurrence.all_day else occurrence.starts_at


def reminder_key(occurrence: EventOccurrence, offset: str) -> str:
    """The dedupe key: one reminder per occurrence and offset, whatever its date becomes (a
    moved occurrence redrafts the same reminder instead of adding one)."""
    return f"reminder:{occurrence.key}\x1f{offset}"


def cancellation_key(occurrence_key: str) -> str:
    return f"cancellation:{occurrence_key}"


def move_key(occurrence: EventOccurrence) -> str:
    """One correction per new date: moving the event twice after it was announced gives one
    correction for each date it moved to."""
    return f"moved:{occurrence.key}\x1f{occurrence.starts_at.isoformat()}"
