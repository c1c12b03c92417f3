"""Calendars: from .ics bytes to UTC occurrences over a window, with the work bounded."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.errors import SourceError
from bot.loopback import LoopbackServer, Resource
from bot.models import EventOccurrence, FetchRequest
from bot.sources.calendars import (
    DEFAULT_EXPANSION_LIMITS,
    ExpansionLimits,
    HttpCalendarReader,
    ParsedCalendar,
    parse_calendar,
)

FIXTURES = Path(__file__).parent / "fixtures" / "calendars"
MADRID = ZoneInfo("Europe/Madrid")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


SPRING_TO_AUTUMN = (utc(2026, 3, 1), utc(2026, 11, 1))


def read(
    name: str,
    window: tuple[datetime, datetime] = SPRING_TO_AUTUMN,
    limits: ExpansionLimits = DEFAULT_EXPANSION_LIMITS,
) -> ParsedCalendar:
    return parse(fixture(name), window, limits)


def parse(
    body: bytes,
    window: tuple[datetime, datetime] = SPRING_TO_AUTUMN,
    limits: ExpansionLimits = DEFAULT_EXPANSION_LIMITS,
) -> ParsedCalendar:
    start, end = window
    return parse_calendar(body, start=start, end=end, timezone=MADRID, limits=limits)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def occurrence(
    uid: str, title: str, starts_at: datetime, ends_at: datetime, **fields: Any
) -> EventOccurrence:
    """An expected occurrence: the fields a test does not name have their plain values."""
    plain: dict[str, Any] = {"calendar": "", "recurrence_id": "", "sequence": 0}
    return EventOccurrence(
        uid=uid, title=title, starts_at=starts_at, ends_at=ends_at, **(plain | fields)
    )


def weekly_meeting(
    original: datetime, starts_at: datetime, location: str = "En línia", cancelled: bool = False
) -> EventOccurrence:
    return occurrence(
        "reunio-coordinacio@xmess.cat",
        "Reunió de coordinació",
        starts_at,
        starts_at.replace(minute=30, hour=starts_at.hour + 1),
        recurrence_id=original.isoformat(),
        sequence=1,  # the series' highest SEQUENCE, from the overrides (see below)
        location=location,
        cancelled=cancelled,
    )


def market(day: int) -> EventOccurrence:
    return occurrence(
        "mercat-pages@xmess.cat",
        "Mercat de pagès",
        utc(2026, 3, day - 1, 23),
        utc(2026, 3, day, 23),
        all_day=True,
        recurrence_id=f"2026-03-{day:02d}",
        location="Plaça Major, Vic",
    )


ASSEMBLY = occurrence(
    "assemblea-2026@xmess.cat",
    "Assemblea de la XMESS",
    utc(2026, 4, 18, 8),  # 10:00 in Madrid, summer time (TZID with its VTIMEZONE)
    utc(2026, 4, 18, 11, 30),
    sequence=2,
    location="Ateneu Cooperatiu, Carrer de la Mel 5, Manresa",
    description="Ordre del dia:\n1. Benvinguda\n2. Pressupost 2026",
    url="https://xmess.cat/assemblea-2026",
    categories=("Assemblea", "Xarxa"),
)
FAIR = occurrence(
    "fira-ess-2026@xmess.cat",
    "Fira d'Economia Social i Solidària",
    utc(2026, 5, 15, 22),  # local midnight of the 16th
    utc(2026, 5, 17, 22),  # exclusive end: local midnight of the 18th
    all_day=True,
    location="Parc de l'Agulla, Manresa",
    url="https://firaess.cat/",
    categories=("Fira", "Economia social"),
)
WEBINAR = occurrence(
    "webinar-factura-electronica@xmess.cat",
    "Webinar: facturació electrònica per a cooperatives",  # a folded SUMMARY
    utc(2026, 4, 15, 17),  # given in UTC
    utc(2026, 4, 15, 18, 30),
    url=None,  # mailto: is no web page
)
AGENDA = (
    market(7),  # all-day series: recurrence ids are dates
    market(14),
    market(21),
    occurrence(
        "portes-obertes-fabrica@xmess.cat",
        "Jornada de portes obertes a La Fàbrica",
        utc(2026, 3, 29, 8),  # the day summer time begins: 10:00 is already UTC+2
        utc(2026, 3, 29, 10),
    ),
    occurrence(
        "esmorzar-socies@xmess.cat",
        "Esmorzar de sòcies",
        utc(2026, 4, 10, 7, 30),  # floating 09:30, read in Madrid
        utc(2026, 4, 10, 9),
        location="Cafè La Cooperativa, Vic",
    ),
    WEBINAR,
    ASSEMBLY,
    occurrence(
        "comissio-finances@xmess.cat",
        "Reunió de la comissió de finances",
        utc(2026, 4, 22, 17),
        utc(2026, 4, 22, 18, 30),
        private=True,
    ),
    occurrence(
        "entrevistes-seleccio@xmess.cat",
        "Entrevistes de selecció",
        utc(2026, 4, 28, 7),
        utc(2026, 4, 28, 12),
        private=True,  # CONFIDENTIAL
    ),
    occurrence(
        "taller-comunicacio@xmess.cat",
        "Taller de comunicació digital",
        utc(2026, 5, 6, 16),
        utc(2026, 5, 6, 18),
        sequence=1,
        cancelled=True,
    ),
    FAIR,
    occurrence(
        "mercat-tardor@xmess.cat",
        "Mercat de proximitat de tardor",
        utc(2026, 10, 25, 9),  # the day summer time ends: 10:00 is UTC+1 again
        utc(2026, 10, 25, 13),
    ),
)
WEEKLY_MEETINGS = (
    weekly_meeting(utc(2026, 3, 5, 17), utc(2026, 3, 5, 17)),
    weekly_meeting(utc(2026, 3, 12, 17), utc(2026, 3, 12, 17)),
    # moved from Thursday 19 to Friday 20 at 17:00: it keeps its original start as its name
    weekly_meeting(utc(2026, 3, 19, 17), utc(2026, 3, 20, 16), "Sala d'actes de l'Ateneu"),
    weekly_meeting(utc(2026, 3, 26, 17), utc(2026, 3, 26, 17)),
    # 2 April (Holy Thursday) is an EXDATE; from here on 18:00 in Madrid is 16:00 UTC
    weekly_meeting(utc(2026, 4, 9, 16), utc(2026, 4, 9, 16)),
    weekly_meeting(utc(2026, 4, 16, 16), utc(2026, 4, 16, 16)),
    weekly_meeting(utc(2026, 4, 23, 16), utc(2026, 4, 23, 16), cancelled=True),
    weekly_meeting(utc(2026, 4, 30, 16), utc(2026, 4, 30, 16)),  # UNTIL is inclusive
)


# --- what comes out of each fixture -----------------------------------------------------------


def test_the_network_agenda_becomes_utc_occurrences() -> None:
    assert read("xmess-agenda.ics") == ParsedCalendar(occurrences=AGENDA)


def test_a_weekly_meeting_expands_with_its_exception_and_its_moved_occurrence() -> None:
    assert read("reunio-coordinacio.ics") == ParsedCalendar(occurrences=WEEKLY_MEETINGS)


def test_google_utc_times_keep_their_local_hour_across_summer_time() -> None:
    """X-WR-TIMEZONE: the Tuesday 19:00 pick-up stays at 19:00 in Madrid after 29 March."""
    basket = "3k7s0cistella@google.com"
    starts = [utc(2026, 3, 17, 18), utc(2026, 3, 24, 18), utc(2026, 3, 31, 17)]

    assert read("google-cistella.ics") == ParsedCalendar(
        occurrences=tuple(
            occurrence(
                basket,
                "Repartiment de cistelles",
                start,
                start.replace(hour=start.hour + 1, minute=30),
                recurrence_id=start.isoformat(),
                location="Local de la cooperativa, Girona",
            )
            for start in starts
        )
    )


def test_an_unknown_google_zone_is_ignored_with_a_warning() -> None:
    edited = fixture("google-cistella.ics").replace(b"Europe/Madrid", b"Europe/Gotham")

    parsed = parse(edited)

    assert [o.starts_at for o in parsed.occurrences] == [
        utc(2026, 3, 17, 18),
        utc(2026, 3, 24, 18),
        utc(2026, 3, 31, 18),  # the UTC time as written
    ]
    assert parsed.warnings == ("el calendari declara una zona horària desconeguda: Europe/Gotham",)


def test_a_rescheduling_of_this_and_future_occurrences_keeps_each_original_start() -> None:
    """RANGE=THISANDFUTURE: the library names every moved occurrence after the override."""
    parsed = read("horari-canviat-endavant.ics")

    assert [(o.starts_at, o.recurrence_id) for o in parsed.occurrences] == [
        (utc(2026, 3, 2, 17), "2026-03-02T17:00:00+00:00"),
        (utc(2026, 3, 9, 17), "2026-03-09T17:00:00+00:00"),
        (utc(2026, 3, 16, 18), "2026-03-16T17:00:00+00:00"),
        (utc(2026, 3, 23, 18), "2026-03-23T17:00:00+00:00"),
    ]


def test_events_without_uid_or_summary_get_a_derived_uid_and_an_empty_title() -> None:
    assert read("sense-uid.ics") == ParsedCalendar(
        occurrences=(
            occurrence(
                "sense-uid-884fce099d3a483b",
                "Calçotada solidària",
                utc(2026, 3, 14, 23),
                utc(2026, 3, 15, 23),  # no DTEND: an all-day event lasts one day
                all_day=True,
                location="Plaça Fra Bernadí, Manlleu",
            ),
            occurrence(
                "sense-uid-2b6590a6beebd57e",
                "",
                utc(2026, 3, 20, 16),
                utc(2026, 3, 20, 18),
                description="Trobada oberta sense títol a l'agenda.",
            ),
        )
    )


def test_a_derived_uid_stays_the_same_when_other_properties_change() -> None:
    edited = (
        fixture("sense-uid.ics")
        .replace(b"DTSTAMP:20260301T080000Z", b"DTSTAMP:20260312T101500Z")
        .replace(b"LOCATION:Pla\xc3\xa7a Fra Bernad\xc3\xad", b"LOCATION:Parc del Ter")
        .replace(b"Trobada oberta", b"Trobada tancada")
    )

    assert [o.uid for o in parse(edited).occurrences] == [
        "sense-uid-884fce099d3a483b",
        "sense-uid-2b6590a6beebd57e",
    ]


# --- the window -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(utc(2026, 4, 18, 8), utc(2026, 4, 18, 11, 30), {ASSEMBLY.uid}, id="exact"),
        pytest.param(utc(2026, 4, 18), utc(2026, 4, 18, 8), set(), id="ends-as-it-starts"),
        pytest.param(utc(2026, 4, 18, 11, 30), utc(2026, 4, 19), set(), id="starts-as-it-ends"),
        pytest.param(utc(2026, 4, 18, 11, 29), utc(2026, 4, 19), {ASSEMBLY.uid}, id="overlap"),
        pytest.param(
            utc(2026, 4, 10, 8, 59),
            utc(2026, 4, 10, 12),
            {"esmorzar-socies@xmess.cat"},
            id="floating-in-madrid",
        ),
        pytest.param(utc(2026, 4, 10, 9), utc(2026, 4, 10, 12), set(), id="floating-not-in-utc"),
        pytest.param(
            utc(2026, 5, 15, 12), utc(2026, 5, 15, 22, 1), {FAIR.uid}, id="all-day-local-start"
        ),
        pytest.param(
            utc(2026, 5, 17, 21, 59), utc(2026, 5, 19), {FAIR.uid}, id="all-day-local-end"
        ),
        pytest.param(utc(2026, 5, 17, 22), utc(2026, 5, 19), set(), id="all-day-end-is-exclusive"),
    ],
)
def test_only_occurrences_meeting_the_window_are_returned(
    start: datetime, end: datetime, expected: set[str]
) -> None:
    parsed = read("xmess-agenda.ics", (start, end))

    assert {o.uid for o in parsed.occurrences} == expected


def test_a_recurring_series_is_cut_to_the_window() -> None:
    parsed = read("reunio-coordinacio.ics", (utc(2026, 3, 15), utc(2026, 4, 15)))

    assert parsed.occurrences == WEEKLY_MEETINGS[2:5]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(utc(2026, 3, 19), utc(2026, 3, 20), (), id="not-at-its-old-time"),
        pytest.param(
            utc(2026, 3, 20), utc(2026, 3, 21), WEEKLY_MEETINGS[2:3], id="at-its-new-time"
        ),
    ],
)
def test_a_moved_occurrence_is_found_at_its_new_time(
    start: datetime, end: datetime, expected: tuple[EventOccurrence, ...]
) -> None:
    assert read("reunio-coordinacio.ics", (start, end)).occurrences == expected


def test_a_window_needs_aware_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_calendar(
            fixture("xmess-agenda.ics"),
            start=datetime(2026, 3, 1),  # noqa: DTZ001 - the mistake under test
            end=utc(2026, 4, 1),
            timezone=MADRID,
        )


# --- SEQUENCE ---------------------------------------------------------------------------------


def test_a_changed_sequence_shows_in_the_occurrence() -> None:
    edited = fixture("xmess-agenda.ics").replace(b"SEQUENCE:2", b"SEQUENCE:3")

    assert parse(edited).occurrences == tuple(
        dataclasses.replace(o, sequence=3) if o.uid == ASSEMBLY.uid else o for o in AGENDA
    )


def test_a_series_reports_its_highest_sequence_on_every_occurrence() -> None:
    """recurring-ical-events gives each occurrence the series' highest SEQUENCE, so editing one
    override raises the sequence of all of them."""
    edited = fixture("reunio-coordinacio.ics").replace(b"SEQUENCE:1", b"SEQUENCE:4", 1)

    assert {o.sequence for o in parse(edited).occurrences} == {4}


# --- broken input -----------------------------------------------------------------------------


def test_broken_events_are_left_out_and_reported_while_the_others_come_through() -> None:
    assert read("esdeveniments-trencats.ics") == ParsedCalendar(
        occurrences=(
            occurrence(
                ASSEMBLY.uid, ASSEMBLY.title, ASSEMBLY.starts_at, ASSEMBLY.ends_at, sequence=0
            ),
        ),
        warnings=(
            "s'ha omès l'esdeveniment «Taller sense data» (UID taller-sense-data@vic.cat): "
            "no té data d'inici (DTSTART)",
            "s'ha omès l'esdeveniment «Repetició inventada» (UID repeticio-inventada@vic.cat): "
            "la regla de repetició no es pot llegir: FREQ=SOVINT",
            "s'ha omès l'esdeveniment «Excepció buida» (UID exdate-buida@vic.cat): Cannot access "
            "'dts' on broken property 'EXDATE' (expected 'vDDDLists'): Expected datetime, date, "
            "or time. Got: ''",
        ),
    )


def test_a_component_icalendar_cannot_read_costs_only_itself() -> None:
    """icalendar refuses the whole file for a VFREEBUSY that ends before it starts and for a
    VALARM with a broken TRIGGER; the events are then read apart."""
    assert read("component-illegible.ics") == ParsedCalendar(
        occurrences=(
            occurrence(ASSEMBLY.uid, ASSEMBLY.title, ASSEMBLY.starts_at, ASSEMBLY.ends_at),
            occurrence(FAIR.uid, FAIR.title, FAIR.starts_at, FAIR.ends_at, all_day=True),
        ),
        warnings=(
            "el calendari no es pot llegir sencer (Start time is greater than end time): "
            "s'han llegit els esdeveniments d'un en un",
            "s'ha omès un esdeveniment il·legible (UID patum-assaig@berga.cat): "
            "Invalid iCalendar duration: -PTxM",
        ),
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"<!DOCTYPE html><html><body>Manteniment</body></html>", id="html"),
        pytest.param(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEV", id="truncated"),
        pytest.param(b"BEGIN:VTODO\r\nSUMMARY:x\r\nEND:VTODO\r\n", id="not-a-calendar"),
        pytest.param(
            b"BEGIN:VCALENDAR\r\nCALSCALE:ISLAMIC-CIVIL\r\nEND:VCALENDAR\r\n", id="calscale"
        ),
    ],
)
def test_a_body_that_is_no_calendar_raises_a_readable_error(body: bytes) -> None:
    with pytest.raises(SourceError, match=r"^el calendari no"):
        parse(body)


# --- bounded work -----------------------------------------------------------------------------

# Not a speed target: without the bounds these calendars take minutes or never finish, so a
# generous limit tells the two apart even on a loaded CI machine.
RUNAWAY_BOUND_S = 10


def test_a_runaway_rule_is_refused_whole_and_fast() -> None:
    began = time.perf_counter()

    parsed = read("repeticio-desbocada.ics")

    assert time.perf_counter() - began < RUNAWAY_BOUND_S
    assert parsed == ParsedCalendar(
        occurrences=(
            occurrence(ASSEMBLY.uid, ASSEMBLY.title, ASSEMBLY.starts_at, ASSEMBLY.ends_at),
        ),
        warnings=(
            "s'ha omès l'esdeveniment «Recordatori automàtic» (UID recordatori-automatic@"
            "exemple.cat): es repeteix massa sovint (5000 ocurrències per calendari)",
        ),
    )


def one_rule_calendar(rule: str, dtstart: str = "20260301T100000Z") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//proves//CA\r\nBEGIN:VEVENT\r\n"
        f"UID:regla@proves.cat\r\nSUMMARY:Regla\r\nDTSTART:{dtstart}\r\nDURATION:PT30M\r\n"
        f"RRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


TOO_OFTEN = "es repeteix massa sovint (5000 ocurrències per calendari)"
NEVER = "la regla de repetició no coincideix mai, o gairebé mai: "


@pytest.mark.parametrize(
    ("rule", "dtstart", "reason"),
    [
        pytest.param("FREQ=SECONDLY", "20260301T100000Z", TOO_OFTEN, id="secondly"),
        pytest.param("FREQ=MINUTELY", "20260301T100000Z", TOO_OFTEN, id="minutely"),
        pytest.param("FREQ=HOURLY", "19000101T100000Z", TOO_OFTEN, id="hourly-since-1900"),
        pytest.param("FREQ=DAILY", "00010101T100000Z", TOO_OFTEN, id="daily-since-year-1"),
        # dateutil would look for a 30 February until the year 9999, on every query
        pytest.param(
            "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
            "20260301T100000Z",
            NEVER + "FREQ=DAILY;BYMONTHDAY=30;BYMONTH=2",  # as icalendar writes it back
            id="never-matches",
        ),
        pytest.param(
            "FREQ=HOURLY;BYMONTH=4,6;BYMONTHDAY=31;COUNT=3",
            "20260301T100000Z",
            NEVER + "FREQ=HOURLY;COUNT=3;BYMONTHDAY=31;BYMONTH=4,6",
            id="never-matches-with-count",
        ),
    ],
)
def test_a_costly_rule_is_refused_in_a_moment(rule: str, dtstart: str, reason: str) -> None:
    began = time.perf_counter()

    parsed = parse(one_rule_calendar(rule, dtstart))

    assert time.perf_counter() - began < RUNAWAY_BOUND_S
    assert parsed == ParsedCalendar(
        occurrences=(),
        warnings=(f"s'ha omès l'esdeveniment «Regla» (UID regla@proves.cat): {reason}",),
    )


@pytest.mark.parametrize(
    ("rule", "count"),
    [
        pytest.param("FREQ=MINUTELY;UNTIL=20260302T100000Z", 1_441, id="a-day-of-minutes"),
        pytest.param("FREQ=SECONDLY;INTERVAL=3600", 1_454, id="hourly-in-seconds"),
        pytest.param("FREQ=DAILY", 61, id="daily"),
        # DTSTART (Sunday 1 March) is always the first occurrence, as RFC 5545 wants
        pytest.param("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", 3, id="last-weekday"),
        pytest.param("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", 1, id="leap-day-is-rare-not-never"),
    ],
)
def test_a_dense_but_affordable_rule_is_expanded(rule: str, count: int) -> None:
    parsed = parse(one_rule_calendar(rule), (utc(2026, 3, 1), utc(2026, 5, 1)))

    assert (len(parsed.occurrences), parsed.warnings) == (count, ())


def test_a_calendar_gives_at_most_the_limit_cheapest_series_first() -> None:
    parsed = read("xmess-agenda.ics", limits=ExpansionLimits(max_occurrences=3))

    too_many = "el calendari en té massa (3 ocurrències per calendari)"
    assert parsed == ParsedCalendar(
        occurrences=(WEBINAR, ASSEMBLY, FAIR),  # one-offs cost least; ties in file order
        warnings=(
            f"s'ha omès l'esdeveniment «Esmorzar de sòcies» (UID esmorzar-socies@xmess.cat): "
            f"{too_many}",
            "s'ha omès l'esdeveniment «Jornada de portes obertes a La Fàbrica» "
            f"(UID portes-obertes-fabrica@xmess.cat): {too_many}",
            "s'ha omès l'esdeveniment «Mercat de proximitat de tardor» "
            f"(UID mercat-tardor@xmess.cat): {too_many}",
            "s'ha omès l'esdeveniment «Reunió de la comissió de finances» "
            f"(UID comissio-finances@xmess.cat): {too_many}",
            "s'ha omès l'esdeveniment «Entrevistes de selecció» "
            f"(UID entrevistes-seleccio@xmess.cat): {too_many}",
            "s'ha omès l'esdeveniment «Taller de comunicació digital» "
            f"(UID taller-comunicacio@xmess.cat): {too_many}",
            "s'ha omès l'esdeveniment «Mercat de pagès» (UID mercat-pages@xmess.cat): "
            "es repeteix massa sovint (3 ocurrències per calendari)",
        ),
    )


@pytest.mark.parametrize(
    ("max_occurrences", "expected"),
    [
        pytest.param(20, WEEKLY_MEETINGS, id="fits"),  # the estimate is an upper bound
        pytest.param(5, (), id="left-out-whole"),
    ],
)
def test_a_series_over_the_limit_is_left_out_whole(
    max_occurrences: int, expected: tuple[EventOccurrence, ...]
) -> None:
    limits = ExpansionLimits(max_occurrences=max_occurrences)

    assert read("reunio-coordinacio.ics", limits=limits).occurrences == expected


# --- reading over HTTP ------------------------------------------------------------------------


def test_the_reader_fetches_expands_and_reports_each_calendar(loopback: LoopbackServer) -> None:
    loopback.resources["/agenda.ics"] = Resource(
        body=fixture("xmess-agenda.ics"), content_type="text/calendar", etag='"v1"'
    )
    loopback.resources["/manteniment.ics"] = Resource(body=b"<html>Manteniment</html>")
    agenda, broken, missing = (
        loopback.url(path) for path in ("/agenda.ics", "/manteniment.ics", "/no-hi-es.ics")
    )
    requests = [
        FetchRequest(agenda),
        FetchRequest(agenda, etag='"v1"'),
        FetchRequest(broken),
        FetchRequest(missing),
    ]

    readings = HttpCalendarReader(MADRID).read_calendars(requests, *SPRING_TO_AUTUMN)

    assert [(r.fetch.url, r.occurrences, r.fetch.not_modified, r.failed) for r in readings] == [
        (agenda, AGENDA, False, False),
        (agenda, (), True, False),
        (broken, (), False, True),
        (missing, (), False, True),
    ]
    assert readings[2].error == (
        f"{broken}: el calendari no és un iCalendar vàlid: Content line could not be parsed "
        "into parts: '<html>Manteniment</html>': <html>Manteniment</html>"
    )
    assert readings[3].fetch.error == "el servidor ha respost 404"


def test_the_reader_reports_the_events_it_left_out(loopback: LoopbackServer) -> None:
    loopback.resources["/trencat.ics"] = Resource(body=fixture("esdeveniments-trencats.ics"))
    url = loopback.url("/trencat.ics")

    [reading] = HttpCalendarReader(MADRID).read_calendars([FetchRequest(url)], *SPRING_TO_AUTUMN)

    assert (len(reading.occurrences), reading.error) == (1, None)
    assert reading.warning == "; ".join(read("esdeveniments-trencats.ics").warnings)
