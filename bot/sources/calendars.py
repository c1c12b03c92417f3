"""iCalendar calendars: parse, expand recurrences over a window, normalise into `EventOccurrence`s.

icalendar parses and recurring-ical-events expands (RRULE, RDATE, EXDATE, RECURRENCE-ID
overrides, VTIMEZONE/TZID, X-WR-TIMEZONE). Around them this module adds what the bot relies on:

* Every time is an aware UTC datetime. All-day dates start at local midnight in the configured
  time zone and end at the exclusive local midnight (at least one day: some exporters write
  DTEND equal to DTSTART); floating times are read in the configured time zone.
* `recurrence_id` is "" for a one-off event, else the occurrence's original start (ISO 8601 in
  UTC, or the ISO date for an all-day series), so a moved occurrence keeps its name.
  `sequence` is the SEQUENCE recurring-ical-events reports: the highest of the series.
* An event without UID gets one derived from its DTSTART and SUMMARY, stable across re-syncs.
* Each series (the VEVENTs sharing a UID) is expanded on its own, so a broken one is left out
  and reported in `ParsedCalendar.warnings` while the others come through.
* When icalendar refuses the whole file for one bad component, the events are read apart
  and only the unreadable ones are left out (and reported).
* The work is bounded before it starts. Each series' cost is estimated from its rules (an
  upper bound of its occurrences in the window, and of dateutil's walk from its DTSTART) and
  series are expanded cheapest first within `ExpansionLimits`; a series over the limits is
  left out whole and reported, never cut short. A rule that stops matching, on which
  dateutil would walk on to the year 9999, is refused too (see `_require_matches`).

A body that is not an iCalendar at all raises `SourceError`.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from dateutil.rrule import rrulestr

from bot.errors import SourceError
from bot.models import EventOccurrence, FetchRequest, FetchResult
from bot.ports import CalendarReading
from bot.sources.http import DEFAULT_FETCH_LIMITS, FetchLimits, fetch_all

logger = logging.getLogger(__name__)

DEFAULT_MAX_OCCURRENCES = 5_000
DEFAULT_MAX_RULE_STEPS = 200_000
UNTITLED = "(sense títol)"
PRIVATE_CLASSES = frozenset({"PRIVATE", "CONFIDENTIAL"})
WEB_SCHEMES = frozenset({"http", "https"})
RECURRENCE_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")
_DELIMITER = re.compile(rb"(?:\xef\xbb\xbf)?(BEGIN|END):([A-Z0-9-]+)\s*$", re.IGNORECASE)
_UID_LINE = re.compile(rb"^UID[;:]([^\r\n]*)", re.IGNORECASE | re.MULTILINE)

# Shortest length of each FREQ's period, so that rates computed from it are upper bounds.
_PERIOD_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3_600,
    "DAILY": 86_400,
    "WEEKLY": 7 * 86_400,
    "MONTHLY": 28 * 86_400,
    "YEARLY": 365 * 86_400,
}
# The BYxxx parts that add instants inside one period of a FREQ shorter than a day (RFC 5545
# §3.3.10); the other parts only filter.
_SUB_DAILY_EXPANSIONS = {
    "SECONDLY": (),
    "MINUTELY": ("BYSECOND",),
    "HOURLY": ("BYMINUTE", "BYSECOND"),
}
_TIME_OF_DAY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_PROBE_YEAR = 9992  # a leap year, eight before dateutil gives up (datetime.MAXYEAR)


@dataclass(frozen=True)
class ExpansionLimits:
    """How much one calendar may cost. Building an occurrence takes about 0.1 ms and one step
    of dateutil's walk from a rule's DTSTART about 6 µs, so the defaults cost about 1.5 s."""

    max_occurrences: int = DEFAULT_MAX_OCCURRENCES
    max_rule_steps: int = DEFAULT_MAX_RULE_STEPS


DEFAULT_EXPANSION_LIMITS = ExpansionLimits()


@dataclass(frozen=True)
class ParsedCalendar:
    """The occurrences in the window, by start; and one sentence for each event left out."""

    occurrences: tuple[EventOccurrence, ...]
    warnings: tuple[str, ...] = ()


def parse_calendar(
    body: bytes,
    *,
    start: datetime,
    end: datetime,
    timezone: ZoneInfo,
    limits: ExpansionLimits = DEFAULT_EXPANSION_LIMITS,
) -> ParsedCalendar:
    """The occurrences whose span meets [start, end), with `calendar` left "" for the caller.

    `timezone` is where all-day dates and floating times happen. Raises `SourceError` when
    `body` is not an iCalendar; a broken or too costly event only adds a warning."""
    window = _Window.of(start, end, timezone)
    calendar, unread = _read_calendar(body)
    x_wr_timezone, unknown_zone = _x_wr_timezone(calendar)
    costed, unreadable = _estimate(_collect_series(calendar), window)
    admitted, refused = _admit(costed, limits)
    occurrences, failed = _expand_all(admitted, window, x_wr_timezone)
    too_costly = [_too_costly(series, limits) for series in refused]
    return ParsedCalendar(
        occurrences=tuple(sorted(occurrences, key=_chronological)),
        warnings=tuple(unread + unknown_zone + unreadable + too_costly + failed),
    )


class HttpCalendarReader:
    """`ports.CalendarReader` over HTTP: fetches every calendar, then expands each over the
    window. A failed or unchanged (304) fetch gives a reading without occurrences, and a body
    that cannot be read becomes the reading's `error`: nothing raises."""

    def __init__(
        self, timezone: ZoneInfo, *, fetch_limits: FetchLimits = DEFAULT_FETCH_LIMITS
    ) -> None:
        self._timezone = timezone
        self._fetch_limits = fetch_limits

    def read_calendars(
        self, requests: Sequence[FetchRequest], start: datetime, end: datetime
    ) -> list[CalendarReading]:
        """One reading per request, in order."""
        fetches = fetch_all(requests, limits=self._fetch_limits)
        return [self._reading(fetch, start, end) for fetch in fetches]

    def _reading(self, fetch: FetchResult, start: datetime, end: datetime) -> CalendarReading:
        if fetch.body is None:
            return CalendarReading(fetch=fetch)
        try:
            parsed = parse_calendar(fetch.body, start=start, end=end, timezone=self._timezone)
        except SourceError as exc:
            return CalendarReading(fetch=fetch, error=f"{fetch.url}: {exc}")
        except Exception as exc:  # a parser bug on one calendar must not sink the whole poll
            logger.exception("parsing %s failed", fetch.url)
            return CalendarReading(fetch=fetch, error=f"{fetch.url}: error inesperat: {exc!r}")
        warning = "; ".join(parsed.warnings) or None
        return CalendarReading(fetch=fetch, occurrences=parsed.occurrences, warning=warning)


# --- the window and its time zone -----------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    """The span asked for, in UTC, and the zone where dates and floating times happen."""

    start: datetime
    end: datetime
    timezone: ZoneInfo

    @classmethod
    def of(cls, start: datetime, end: datetime, timezone: ZoneInfo) -> _Window:
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware")
        return cls(start.astimezone(UTC), end.astimezone(UTC), timezone)

    def utc(self, value: date | datetime) -> datetime:
        """Dates are local midnight and naive times are floating: both happen in `timezone`."""
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(), tzinfo=self.timezone)
        elif value.tzinfo is None:
            value = value.replace(tzinfo=self.timezone)
        return value.astimezone(UTC)

    def local(self, value: datetime) -> datetime:
        """Query bounds in `timezone`: the library reads dates and floating times in the zone
        of the bounds, and this makes it read them as `utc` does."""
        return value.astimezone(self.timezone)


# --- reading the file -----------------------------------------------------------------------


def _read_calendar(body: bytes) -> tuple[icalendar.Calendar, list[str]]:
    """The calendar, with warnings when icalendar refused the whole file and it was read in
    parts. Raises `SourceError` when not even that gives a calendar with events."""
    try:
        return _parse(body), []
    except SourceError as whole:
        header, components = _cut(body)
        events = [text for name, text in components if name == "VEVENT"]
        if not events:
            raise
        zones = [text for name, text in components if name == "VTIMEZONE"]
        return _parse_piecewise(header, zones, events, whole)


def _parse_piecewise(
    header: list[bytes], zones: list[bytes], events: list[bytes], whole: SourceError
) -> tuple[icalendar.Calendar, list[str]]:
    """icalendar refuses a whole file for one bad component (a VFREEBUSY period that ends
    before it starts, a VALARM with a bad TRIGGER): keep the zones that read alone, then read
    the events, halving the set until each bad one is alone. Other components are dropped."""
    zones = [zone for zone in zones if _parses(_wrap(header, [zone]))]
    try:
        calendar = _parse(_wrap(header, zones))
    except SourceError:
        raise whole from None
    parsed, warnings_ = _parse_events(header, zones, events)
    for event in parsed:
        calendar.add_component(event)
    read_apart = "s'han llegit els esdeveniments d'un en un"
    return calendar, [
        f"el calendari no es pot llegir sencer ({_cause(whole)}): {read_apart}",
        *warnings_,
    ]


def _parse_events(
    header: list[bytes], zones: list[bytes], events: list[bytes]
) -> tuple[list[icalendar.Component], list[str]]:
    try:
        return _parse(_wrap(header, [*zones, *events])).walk("VEVENT"), []
    except SourceError as exc:
        if len(events) == 1:
            label = _uid_line(events[0])
            return [], [f"s'ha omès un esdeveniment il·legible ({label}): {_cause(exc)}"]
    middle = len(events) // 2
    first, first_warnings = _parse_events(header, zones, events[:middle])
    second, second_warnings = _parse_events(header, zones, events[middle:])
    return first + second, first_warnings + second_warnings


def _parses(body: bytes) -> bool:
    try:
        _parse(body)
    except SourceError:
        return False
    return True


def _wrap(header: list[bytes], components: list[bytes]) -> bytes:
    return b"\n".join([b"BEGIN:VCALENDAR", *header, *components, b"END:VCALENDAR", b""])


def _cut(body: bytes) -> tuple[list[bytes], list[tuple[str, bytes]]]:
    """The VCALENDAR's own property lines, and its components as (name, text)."""
    header: list[bytes] = []
    components: list[tuple[str, list[bytes]]] = []
    depth = 0
    for line in body.split(b"\n"):
        keyword, name = _delimiter(line)
        if keyword == "BEGIN":
            depth += 1
            if depth == 2:
                components.append((name, []))
        if depth >= 2:
            components[-1][1].append(line)
        elif depth == 1 and not keyword:
            header.append(line)
        if keyword == "END":
            depth = max(0, depth - 1)
    return header, [(name, b"\n".join(lines)) for name, lines in components]


def _delimiter(line: bytes) -> tuple[str, str]:
    """("BEGIN", "VEVENT") for a line that opens or closes a component, else ("", ""). A folded
    line starts with a space, so a long text never looks like one."""
    match = _DELIMITER.match(line)
    return (match[1].decode().upper(), match[2].decode().upper()) if match else ("", "")


def _uid_line(text: bytes) -> str:
    match = _UID_LINE.search(text)
    return f"UID {match[1].decode(errors='replace').strip()}" if match else "sense UID"


def _parse(body: bytes) -> icalendar.Calendar:
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except Exception as exc:  # icalendar means ValueError, but fuzzed bytes reach others too
        raise SourceError(f"el calendari no és un iCalendar vàlid: {_short(exc)}") from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise SourceError("el calendari no és un iCalendar vàlid: no comença per BEGIN:VCALENDAR")
    if _text(calendar.get("CALSCALE", "GREGORIAN")).upper() != "GREGORIAN":
        raise SourceError("el calendari no fa servir el calendari gregorià (CALSCALE)")
    return calendar


def _cause(exc: SourceError) -> str:
    """What icalendar said, without our own words around it."""
    return _short(exc.__cause__) if isinstance(exc.__cause__, Exception) else str(exc)


def _short(exc: Exception) -> str:
    """icalendar's messages quote the input; a line of it is enough to recognise it."""
    message = str(exc) or type(exc).__name__
    return message if len(message) <= 160 else message[:159] + "…"


def _x_wr_timezone(calendar: icalendar.Calendar) -> tuple[str | None, list[str]]:
    """Google's zone for its UTC times, which the library applies. An unknown one would break
    every event, so it is ignored, with a warning."""
    name = _text(calendar.get("X-WR-TIMEZONE")).strip()
    if not name:
        return None, []
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None, [f"el calendari declara una zona horària desconeguda: {name}"]
    return name, []


@dataclass(frozen=True)
class _Series:
    """The VEVENTs sharing a UID: one event, or a rule with its overrides."""

    uid: str
    events: tuple[icalendar.Component, ...]

    @property
    def recurring(self) -> bool:
        """An empty `RRULE:` line (seen in real exports) makes no series, as in the library."""
        return any(event.get(name) for event in self.events for name in RECURRENCE_PROPERTIES)

    @property
    def label(self) -> str:
        """How warnings name the series for a person."""
        return f"«{_folded(self.events[0].get('SUMMARY')) or UNTITLED}» (UID {self.uid})"


def _collect_series(calendar: icalendar.Calendar) -> list[_Series]:
    groups: dict[str, list[icalendar.Component]] = {}
    for event in calendar.walk("VEVENT"):
        uid = _uid(event)
        event["UID"] = uid  # the library groups by UID, and would invent one new each time
        groups.setdefault(uid, []).append(event)
    return [_Series(uid, tuple(events)) for uid, events in groups.items()]


def _uid(event: icalendar.Component) -> str:
    """The event's UID, else a hash of its DTSTART (with TZID) and SUMMARY."""
    uid = _text(event.get("UID")).strip()
    if uid:
        return uid
    start = event.get("DTSTART")
    tzid = start.params.get("TZID", "") if hasattr(start, "params") else ""
    key = "\x1f".join((_raw(start), str(tzid), _text(event.get("SUMMARY"))))
    return "sense-uid-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _raw(value: Any) -> str:
    return value.to_ical().decode() if hasattr(value, "to_ical") else _text(value)


# --- bounding the work ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Cost:
    """Upper-bound estimates: occurrences met in the window, and dateutil's steps."""

    occurrences: float = 0.0
    steps: float = 0.0

    def __add__(self, other: _Cost) -> _Cost:
        return _Cost(self.occurrences + other.occurrences, self.steps + other.steps)


def _estimate(
    series: Iterable[_Series], window: _Window
) -> tuple[list[tuple[_Series, _Cost]], list[str]]:
    """Each series with its cost; a series whose dates or rules cannot be read is reported."""
    costed: list[tuple[_Series, _Cost]] = []
    unreadable: list[str] = []
    for one in series:
        try:
            costed.append((one, sum((_event_cost(e, window) for e in one.events), _Cost())))
        except Exception as exc:  # malformed input breaks library code in any way
            unreadable.append(_left_out(one, exc))
    return costed, unreadable


def _event_cost(event: icalendar.Component, window: _Window) -> _Cost:
    first = window.utc(_dtstart(event))
    length = _length(event, window)
    starts = [first, *(window.utc(value) for value in _rdates(event))]
    met = sum(1 for s in starts if window.start - length <= s < window.end)
    rules = (_rule_cost(rule, first, length, window) for rule in _rrules(event))
    return sum(rules, _Cost(occurrences=met))


def _dtstart(event: icalendar.Component) -> date | datetime:
    if "DTSTART" not in event:
        raise ValueError("no té data d'inici (DTSTART)")
    return _when(event, "DTSTART")


def _when(component: icalendar.Component, name: str) -> date | datetime:
    """The value of a date or date-time property; ValueError when it holds something else."""
    value = _value(component, name)
    if not isinstance(value, date):
        raise ValueError(f"{name} no és una data: {value!r}")
    return value


def _value(component: icalendar.Component, name: str) -> Any:
    """A property's parsed value; icalendar raises for one it could not parse."""
    prop: Any = component[name]
    return prop.dt


def _length(event: icalendar.Component, window: _Window) -> timedelta:
    """How long one occurrence lasts, for the estimate only (order and defaults are loose)."""
    if "DTEND" in event:
        return abs(window.utc(_when(event, "DTEND")) - window.utc(_dtstart(event)))
    if "DURATION" in event:
        duration: timedelta = abs(_value(event, "DURATION"))
        return duration
    return timedelta(days=1)


def _rdates(event: icalendar.Component) -> list[date | datetime]:
    """RDATE values; a PERIOD counts by its start."""
    values = event.get("RDATE", [])
    dates = (item.dt for rdate in _as_list(values) for item in rdate.dts)
    return [value[0] if isinstance(value, tuple) else value for value in dates]


def _rrules(event: icalendar.Component) -> list[icalendar.vRecur]:
    """The event's rules; an empty `RRULE:` line is no rule, as in the library."""
    rules = [rule for rule in _as_list(event.get("RRULE", [])) if rule]
    for rule in rules:
        if not isinstance(rule, icalendar.vRecur):
            raise ValueError(f"la regla de repetició no es pot llegir: {_raw(rule)}")
    return rules


def _rule_cost(
    rule: icalendar.vRecur, first: datetime, length: timedelta, window: _Window
) -> _Cost:
    rate = _rule_rate(rule)
    last = min(window.end, _until(rule, window) or window.end)
    walked = max(0.0, (last - first).total_seconds())
    inside = max(0.0, (last - max(first, window.start - length)).total_seconds())
    count = float(_part(rule, "COUNT", math.inf))
    return _Cost(occurrences=min(rate * inside, count), steps=rate * walked)


def _until(rule: icalendar.vRecur, window: _Window) -> datetime | None:
    """UNTIL in UTC; a date UNTIL includes its whole day."""
    value = _part(rule, "UNTIL", None)
    if value is None:
        return None
    if not isinstance(value, date):
        raise ValueError(f"la regla de repetició té un UNTIL il·legible: {value}")
    return window.utc(value) + (timedelta(0) if isinstance(value, datetime) else timedelta(days=1))


def _require_matches(rule: icalendar.vRecur, dtstart: date | datetime) -> None:
    """dateutil seeks a rule's next match up to the year 9999 and checks UNTIL only against
    matches, so a rule that stops matching (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) costs about
    10 s on every query. The same rule started in 9992 runs out of years within eight, so it
    costs milliseconds there: a rule that finds no match in them is refused, since it never
    matches or too rarely to post about. A rule that finds one has a short walk past the
    window in practice (a year of DAILY steps takes about 3 ms)."""
    pattern = icalendar.vRecur({k: v for k, v in rule.items() if k not in ("UNTIL", "COUNT")})
    at = datetime.combine(date(_PROBE_YEAR, dtstart.month, dtstart.day), _time_of(dtstart))
    try:
        match = next(iter(rrulestr(pattern.to_ical().decode(), dtstart=at)), None)
    except ValueError as exc:
        raise ValueError(f"la regla de repetició no es pot llegir ({_raw(rule)}): {exc}") from exc
    if match is None:
        raise ValueError(f"la regla de repetició no coincideix mai, o gairebé mai: {_raw(rule)}")


def _time_of(value: date | datetime) -> time:
    return value.time() if isinstance(value, datetime) else time()


def _rule_rate(rule: icalendar.vRecur) -> float:
    """An upper bound of the occurrences per second the rule makes."""
    freq = str(_part(rule, "FREQ", "")).upper()
    if freq not in _PERIOD_SECONDS:
        raise ValueError(f"la regla de repetició té una FREQ desconeguda: {freq!r}")
    interval = max(1, int(_part(rule, "INTERVAL", 1)))
    return _instants_per_period(rule, freq) / (_PERIOD_SECONDS[freq] * interval)


def _instants_per_period(rule: icalendar.vRecur, freq: str) -> int:
    """BYSETPOS keeps that many of a period's instants, whatever the other parts make."""
    if freq in _SUB_DAILY_EXPANSIONS:
        instants = _product(rule, _SUB_DAILY_EXPANSIONS[freq])
    else:
        instants = _days_per_period(rule, freq) * _product(rule, _TIME_OF_DAY_PARTS)
    return min(instants, len(rule.get("BYSETPOS", [])) or instants)


def _days_per_period(rule: icalendar.vRecur, freq: str) -> int:
    if freq == "DAILY":
        return 1
    if freq == "WEEKLY":
        return _product(rule, ("BYDAY",))
    per_month = min(31, len(rule.get("BYMONTHDAY", [])) + 5 * len(rule.get("BYDAY", []))) or 1
    if freq == "MONTHLY":
        return per_month
    if "BYYEARDAY" in rule:
        return len(rule["BYYEARDAY"])
    if "BYWEEKNO" in rule:
        return 7 * len(rule["BYWEEKNO"])
    months = len(rule.get("BYMONTH", [])) or (12 if per_month > 1 else 1)
    return min(366, months * per_month)


def _product(rule: icalendar.vRecur, parts: Iterable[str]) -> int:
    return math.prod(len(rule.get(part, [])) or 1 for part in parts)


def _admit(
    costed: list[tuple[_Series, _Cost]], limits: ExpansionLimits
) -> tuple[list[_Series], list[_Series]]:
    """Cheapest first while the totals stay within the limits, so a runaway series costs only
    itself; returns (admitted, refused). A series with nothing in the window is neither."""
    admitted: list[_Series] = []
    refused: list[_Series] = []
    total = _Cost()
    for series, cost in sorted(costed, key=lambda pair: (pair[1].occurrences, pair[1].steps)):
        if cost.occurrences == 0:
            continue
        candidate = total + cost
        fits = candidate.occurrences <= limits.max_occurrences
        if fits and candidate.steps <= limits.max_rule_steps:
            admitted.append(series)
            total = candidate
        else:
            refused.append(series)
    return admitted, refused


# --- expanding ------------------------------------------------------------------------------


def _expand_all(
    series: Iterable[_Series], window: _Window, x_wr_timezone: str | None
) -> tuple[list[EventOccurrence], list[str]]:
    occurrences: list[EventOccurrence] = []
    failed: list[str] = []
    for one in series:
        try:
            occurrences.extend(_expand(one, window, x_wr_timezone))
        except Exception as exc:  # malformed input breaks library code in any way
            failed.append(_left_out(one, exc))
    return occurrences, failed


def _expand(series: _Series, window: _Window, x_wr_timezone: str | None) -> list[EventOccurrence]:
    for event in series.events:
        for rule in _rrules(event):
            _require_matches(rule, _dtstart(event))
    query = recurring_ical_events.of(_calendar_of(series, x_wr_timezone))
    found = query.between(window.local(window.start), window.local(window.end))
    name = _RecurrenceIds.of(series, window)
    return [_occurrence(component, name(component), window) for component in found]


def _calendar_of(series: _Series, x_wr_timezone: str | None) -> icalendar.Calendar:
    """A calendar of one series. The events' times are already resolved against the file's
    VTIMEZONEs; X-WR-TIMEZONE the library applies itself."""
    calendar = icalendar.Calendar()
    if x_wr_timezone is not None:
        calendar["X-WR-TIMEZONE"] = x_wr_timezone
    for event in series.events:
        calendar.add_component(event)
    return calendar


@dataclass(frozen=True)
class _RecurrenceIds:
    """Names each occurrence by its original start ("" in a one-off event): the library sets
    RECURRENCE-ID to it on the occurrences a rule makes and keeps the file's on overrides.
    Under RANGE=THISANDFUTURE it gives every later occurrence the override's RECURRENCE-ID,
    so each gets its own back: its start less the override's shift."""

    recurring: bool
    shifts: dict[datetime, timedelta]
    window: _Window

    @classmethod
    def of(cls, series: _Series, window: _Window) -> _RecurrenceIds:
        shifts = {}
        for event in series.events:
            if _upper(_params(event, "RECURRENCE-ID").get("RANGE")) == "THISANDFUTURE":
                original = window.utc(_when(event, "RECURRENCE-ID"))
                shifts[original] = window.utc(_dtstart(event)) - original
        return cls(series.recurring, shifts, window)

    def __call__(self, component: icalendar.Component) -> str:
        if not self.recurring:
            return ""
        original = _when(component, "RECURRENCE-ID")
        instant = self.window.utc(original)
        if instant in self.shifts:
            instant = self.window.utc(_when(component, "DTSTART")) - self.shifts[instant]
        if isinstance(original, datetime):
            return instant.isoformat()
        return self.window.local(instant).date().isoformat()


def _occurrence(
    component: icalendar.Component, recurrence_id: str, window: _Window
) -> EventOccurrence:
    """One occurrence as the library gives it: a copy of its VEVENT with its own DTSTART and
    DTEND."""
    starts_at, ends_at, all_day = _span(component, window)
    return EventOccurrence(
        calendar="",
        uid=_text(component.get("UID")),
        recurrence_id=recurrence_id,
        sequence=_sequence(component),
        title=_folded(component.get("SUMMARY")),
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        location=_folded(component.get("LOCATION")),
        description=_text(component.get("DESCRIPTION")).replace("\r\n", "\n").strip(),
        url=_web_url(component.get("URL")),
        cancelled=_upper(component.get("STATUS")) == "CANCELLED",
        private=_upper(component.get("CLASS")) in PRIVATE_CLASSES,
        categories=_categories(component.get("CATEGORIES")),
    )


def _span(component: icalendar.Component, window: _Window) -> tuple[datetime, datetime, bool]:
    """(starts_at, ends_at, all_day). The library gives DTEND always, of DTSTART's type."""
    start, end = _when(component, "DTSTART"), _when(component, "DTEND")
    if isinstance(start, datetime):
        return window.utc(start), window.utc(end), False
    return window.utc(start), window.utc(max(end, start + timedelta(days=1))), True


def _chronological(occurrence: EventOccurrence) -> tuple[datetime, str, str]:
    return occurrence.starts_at, occurrence.uid, occurrence.recurrence_id


def _left_out(series: _Series, exc: Exception) -> str:
    return f"s'ha omès l'esdeveniment {series.label}: {_short(exc)}"


def _too_costly(series: _Series, limits: ExpansionLimits) -> str:
    limit = f"{limits.max_occurrences} ocurrències per calendari"
    if series.recurring:
        return f"s'ha omès l'esdeveniment {series.label}: es repeteix massa sovint ({limit})"
    return f"s'ha omès l'esdeveniment {series.label}: el calendari en té massa ({limit})"


# --- property values ------------------------------------------------------------------------


def _params(component: icalendar.Component, name: str) -> dict[str, Any]:
    return dict(getattr(component.get(name), "params", {}))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _part(rule: icalendar.vRecur, name: str, default: Any) -> Any:
    """The first value of one part of a rule (icalendar keeps every part as a list)."""
    values = rule.get(name) or [default]
    return values[0]


def _text(value: Any) -> str:
    """A property's text; the first one when it is repeated (one per LANGUAGE, say)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value)


def _folded(value: Any) -> str:
    return " ".join(_text(value).split())


def _upper(value: Any) -> str:
    return _text(value).strip().upper()


def _sequence(component: icalendar.Component) -> int:
    try:
        return max(0, int(component.get("SEQUENCE", 0)))
    except (TypeError, ValueError):
        return 0


def _web_url(value: Any) -> str | None:
    """Only an absolute http(s) link is worth posting (not mailto:, cid: or a bare path)."""
    url = _text(value).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in WEB_SCHEMES and parts.netloc else None


def _categories(value: Any) -> tuple[str, ...]:
    """CATEGORIES may repeat and may be empty; each name once, in order."""
    items = [] if value is None else _as_list(value)
    names = (" ".join(str(name).split()) for item in items for name in getattr(item, "cats", []))
    return tuple(dict.fromkeys(name for name in names if name))
