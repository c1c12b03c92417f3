"""Posting slots, gaps, quiet hours and caps, in Europe/Madrid local time across DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import DraftError
from bot.slots import SlotRules, cap_reached, next_free_slot

MADRID = ZoneInfo("Europe/Madrid")
WEEKDAY_TIMES = (time(9, 30), time(12, 30), time(17, 30))
RULES = SlotRules(
    zone=MADRID,
    times={day: WEEKDAY_TIMES for day in range(5)} | {5: (time(11, 0),)},
    min_gap=timedelta(minutes=45),
    quiet=(time(22, 0), time(8, 0)),
    daily_cap=3,
    monthly_cap=40,
)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MADRID).astimezone(UTC)


@pytest.mark.parametrize(
    ("after", "taken", "expected"),
    [
        ("2026-11-27T10:00", [], "2026-11-27T12:30"),  # Friday: the next slot that day
        ("2026-11-27T10:00", ["2026-11-27T12:00"], "2026-11-27T17:30"),  # 12:30 too close
        ("2026-11-27T18:00", [], "2026-11-28T11:00"),  # Saturday has one slot
        ("2026-11-28T11:30", [], "2026-11-30T09:30"),  # nothing on Sunday
        (
            "2026-11-27T08:00",
            ["2026-11-27T09:30", "2026-11-27T12:30", "2026-11-27T17:30"],
            "2026-11-28T11:00",
        ),  # the daily cap of 3 is reached on Friday
    ],
)
def test_the_next_free_slot(after: str, taken: list[str], expected: str) -> None:
    assert next_free_slot(local(after), [local(t) for t in taken], RULES) == local(expected)


def test_a_slot_in_quiet_hours_is_never_used() -> None:
    rules = SlotRules(zone=MADRID, times={4: (time(23, 0), time(9, 30))}, quiet=RULES.quiet)
    assert next_free_slot(local("2026-11-27T10:00"), [], rules) == local("2026-12-04T09:30")


def test_the_spring_forward_day_skips_a_slot_the_clock_never_shows() -> None:
    every_day = SlotRules(zone=MADRID, times={day: (time(2, 30), time(9, 30)) for day in range(7)})
    after = local("2026-03-28T23:00")
    assert next_free_slot(after, [], every_day) == datetime(2026, 3, 29, 7, 30, tzinfo=UTC)


def test_the_autumn_day_takes_a_doubled_slot_the_first_time() -> None:
    every_day = SlotRules(zone=MADRID, times={day: (time(2, 30),) for day in range(7)})
    after = local("2026-10-24T23:00")
    assert next_free_slot(after, [], every_day) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_morning_slot_keeps_its_local_time_across_the_change() -> None:
    every_day = SlotRules(zone=MADRID, times={day: (time(9, 30),) for day in range(7)})
    before = next_free_slot(local("2026-10-24T08:00"), [], every_day)
    after = next_free_slot(local("2026-10-25T08:00"), [], every_day)
    assert (before, after) == (
        datetime(2026, 10, 24, 7, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 8, 30, tzinfo=UTC),
    )


def test_the_daily_cap_counts_the_local_day_across_the_change() -> None:
    sent = [local("2026-03-29T00:30"), local("2026-03-29T09:00"), local("2026-03-29T23:30")]
    assert cap_reached(local("2026-03-29T23:45"), sent, RULES) == (
        "límit diari de 3 publicacions assolit"
    )
    assert cap_reached(local("2026-03-30T00:15"), sent, RULES) is None


def test_the_monthly_cap_holds_until_the_next_month() -> None:
    sent = [local("2026-11-02T09:30") + timedelta(hours=hour) for hour in range(40)]
    assert cap_reached(local("2026-11-30T12:00"), sent, RULES) == (
        "límit mensual de 40 publicacions assolit"
    )
    assert cap_reached(local("2026-12-01T09:00"), sent, RULES) is None


def test_no_slot_at_all_is_a_clear_error() -> None:
    with pytest.raises(DraftError, match="cap franja lliure"):
        next_free_slot(local("2026-11-27T10:00"), [], SlotRules(zone=MADRID))
