"""When approved posts go out: posting slots, a minimum gap, quiet hours, daily and monthly
caps, in local time across the DST changes. Pure: times in, times out.

A slot that does not exist on a spring-forward day (02:30 on the last Sunday of March in
Europe/Madrid) is skipped that day; one that happens twice in autumn is taken the first time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import DraftError
from bot.models import Blackout

SEARCH_DAYS = 400
CAP_WINDOW = timedelta(days=62)
"""How far back posts count towards the caps: enough to cover the current month."""


@dataclass(frozen=True)
class SlotRules:
    """`times` maps a weekday (0 = Monday) to its local posting times."""

    zone: ZoneInfo
    times: Mapping[int, tuple[time, ...]] = field(default_factory=dict)
    min_gap: timedelta = timedelta(0)
    quiet: tuple[time, time] | None = None
    daily_cap: int | None = None
    monthly_cap: int | None = None


def next_free_slot(after: datetime, taken: Sequence[datetime], rules: SlotRules) -> datetime:
    """The first slot after `after` outside quiet hours, at least `min_gap` from every taken
    time, on a local day and month still under their caps."""
    first_day = after.astimezone(rules.zone).date()
    for offset in range(SEARCH_DAYS):
        for moment in day_slots(first_day + timedelta(days=offset), rules):
            if moment > after and _fits(moment, taken, rules):
                return moment
    raise DraftError(
        f"no hi ha cap franja lliure en {SEARCH_DAYS} dies: reviseu schedules/slots.toml "
        "(franges, límits) o indiqueu l'hora amb --at"
    )


def day_slots(day: date, rules: SlotRules) -> list[datetime]:
    """The day's slots in UTC, leaving out local times the clock skips that day."""
    local = [
        datetime.combine(day, at, tzinfo=rules.zone) for at in rules.times.get(day.weekday(), ())
    ]
    return sorted(moment.astimezone(UTC) for moment in local if _exists(moment))


def cap_reached(now: datetime, sent: Sequence[datetime], rules: SlotRules) -> str | None:
    """Why nothing more may go out at `now`, given the posts already sent, or None."""
    if rules.daily_cap is not None and _same_day(now, sent, rules) >= rules.daily_cap:
        return f"límit diari de {rules.daily_cap} publicacions assolit"
    if rules.monthly_cap is not None and _same_month(now, sent, rules) >= rules.monthly_cap:
        return f"límit mensual de {rules.monthly_cap} publicacions assolit"
    return None


def blackout_at(moment: datetime, blackouts: Sequence[Blackout], zone: ZoneInfo) -> Blackout | None:
    """The blackout period covering `moment`'s local date, if any."""
    day = moment.astimezone(zone).date()
    return next((b for b in blackouts if b.start <= day <= b.end), None)


def _fits(moment: datetime, taken: Sequence[datetime], rules: SlotRules) -> bool:
    if _in_quiet_hours(moment, rules):
        return False
    if any(abs(moment - other) < rules.min_gap for other in taken):
        return False
    return cap_reached(moment, taken, rules) is None


def _in_quiet_hours(moment: datetime, rules: SlotRules) -> bool:
    if rules.quiet is None:
        return False
    start, end = rules.quiet
    at = moment.astimezone(rules.zone).time()
    return start <= at < end if start <= end else at >= start or at < end


def _same_day(moment: datetime, others: Sequence[datetime], rules: SlotRules) -> int:
    day = moment.astimezone(rules.zone).date()
    return sum(other.astimezone(rules.zone).date() == day for other in others)


def _same_month(moment: datetime, others: Sequence[datetime], rules: SlotRules) -> int:
    month = moment.astimezone(rules.zone).strftime("%Y-%m")
    return sum(other.astimezone(rules.zone).strftime("%Y-%m") == month for other in others)


def _exists(local: datetime) -> bool:
    """False for a wall-clock time inside the spring-forward gap."""
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)
