"""Event reminders over a real SQLite file and the real templates: when they are drafted, their
exact texts and times (all-day events, recurring ones with exceptions, the DST days), and how
they follow the calendar when an event moves or is cancelled. The calendar reader is a small
fake serving occurrences (the real parser makes them where a fixture says it best)."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot import publishing, reminding, service
from bot.app import build_drafter
from bot.cli import main
from bot.clock import FixedClock
from bot.errors import ConfigError
from bot.loopback import LoopbackServer, Resource
from bot.models import Draft, DraftKind, DraftStatus, EventOccurrence, FetchRequest, FetchResult
from bot.ports import CalendarReading, FeedReading
from bot.publishers.dry_run import DryRunPublisher
from bot.reminders import Offset, parse_offset, reminder_times
from bot.settings import BUNDLED_TEMPLATES, Settings
from bot.slots import SlotRules
from bot.sources.calendars import parse_calendar
from bot.store import open_store

MADRID = ZoneInfo("Europe/Madrid")
AGENDA = "https://xmess.cat/agenda.ics"
FIXTURES = Path(__file__).parent / "fixtures" / "calendars"
S = DraftStatus


def local(*parts: int) -> datetime:
    """A Madrid wall-clock time, as the aware UTC time the bot stores."""
    return datetime(*parts, tzinfo=MADRID).astimezone(UTC)  # type: ignore[misc]


class AgendaReader:
    """Serves the occurrences it is given as the one configured calendar."""

    def __init__(self) -> None:
        self.occurrences: tuple[EventOccurrence, ...] = ()

    def read_calendars(
        self, requests: Sequence[FetchRequest], start: datetime, end: datetime
    ) -> list[CalendarReading]:
        body = FetchResult(AGENDA, AGENDA, body=b"BEGIN:VCALENDAR")
        return [CalendarReading(body, self.occurrences) for _ in requests]


class NoFeeds:
    def read_feeds(self, requests: Sequence[FetchRequest]) -> list[FeedReading]:
        return []


def make_app(tmp_path: Path, **settings: object) -> service.App:
    config = Settings(
        config_dir=tmp_path,
        slots_file="",
        calendars=[{"name": "Agenda XMESS", "url": AGENDA, "lookahead_days": 60}],
        **settings,  # type: ignore[arg-type]
    )
    return service.App(
        settings=config,
        store=open_store(config.resolved_database_url),
        clock=FixedClock(local(2026, 11, 20, 12)),
        feeds=NoFeeds(),
        calendars=AgendaReader(),
        drafter=build_drafter(config),
        publisher=DryRunPublisher(tmp_path / "outbox.jsonl"),
    )


@pytest.fixture
def app(tmp_path: Path) -> service.App:
    return make_app(tmp_path)


def sync(app: service.App, moment: datetime, *occurrences: EventOccurrence) -> service.App:
    """A calendar poll at `moment` finding exactly `occurrences`; the app at that moment."""
    assert isinstance(app.calendars, AgendaReader)
    app.calendars.occurrences = occurrences
    moved = replace(app, clock=FixedClock(moment))
    service.poll(moved)
    return moved


def event(starts: datetime, ends: datetime, **fields: object) -> EventOccurrence:
    values: dict[str, object] = dict(
        calendar="", uid="jornada@xmess.cat", recurrence_id="", sequence=0,
        title="Jornada de mercats socials", starts_at=starts, ends_at=ends,
        location="Ateneu Igualadí, Igualada", url="https://xmess.cat/jornada",
    )  # fmt: skip
    return EventOccurrence(**(values | fields))  # type: ignore[arg-type]


JORNADA = event(local(2026, 12, 3, 10), local(2026, 12, 3, 13, 30))
JORNADA_LINES = (
    "🗓️ Dijous, 3 de desembre, de 10 a 13.30 h\n"
    "📍 Ateneu Igualadí, Igualada\n"
    "Més informació: https://xmess.cat/jornada\n"
    "#XMESS #EconomiaSocial"
)


def reminded(when: str, title: str, lines: str) -> str:
    return f"⏰ Recordatori, {when}: {title}\n{lines}"


def drafts_of(app: service.App, kind: DraftKind) -> list[Draft]:
    return app.store.list_drafts((), (kind,))


def reminders(app: service.App) -> list[tuple[DraftStatus, datetime | None, str]]:
    return [(d.status, d.scheduled_at, d.text) for d in drafts_of(app, DraftKind.REMINDER)]


def publish(app: service.App, kind: DraftKind, moment: datetime) -> Draft:
    """Approve the first draft of `kind` and publish it at `moment`."""
    [draft] = drafts_of(app, kind)[:1]
    service.approve(app, draft.id or 0, "Núria", moment)
    publishing.publish_due(replace(app, clock=FixedClock(moment)))
    return app.store.get_draft(draft.id or 0)


# When and what


def test_a_single_event_gets_three_reminders_with_their_texts_and_times(
    app: service.App,
) -> None:
    sync(app, local(2026, 11, 20, 12), JORNADA)

    assert reminders(app) == [
        (
            S.PENDING,
            local(2026, 11, 26, 9),
            reminded("d’aquí a 7 dies", "Jornada de mercats socials", JORNADA_LINES),
        ),
        (
            S.PENDING,
            local(2026, 12, 2, 9),
            reminded("demà", "Jornada de mercats socials", JORNADA_LINES),
        ),
        (
            S.PENDING,
            local(2026, 12, 3, 8),
            reminded("avui", "Jornada de mercats socials", JORNADA_LINES),
        ),
    ]


def test_a_weekly_meeting_skips_its_exception_and_follows_its_moved_occurrence(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, reminders={"lookahead_days": 60})
    calendar = parse_calendar(
        (FIXTURES / "reunio-coordinacio.ics").read_bytes(),
        start=local(2026, 3, 1), end=local(2026, 5, 1), timezone=MADRID,
    )  # fmt: skip
    sync(app, local(2026, 3, 2, 12), *calendar.occurrences)

    times = [d.scheduled_at for d in drafts_of(app, DraftKind.REMINDER)]
    assert sorted(t for t in times if t) == sorted([
        local(2026, 3, 4, 9), local(2026, 3, 5, 16),  # 5 March: its 7-day one had passed
        local(2026, 3, 5, 9), local(2026, 3, 11, 9), local(2026, 3, 12, 16),
        local(2026, 3, 13, 9), local(2026, 3, 19, 9), local(2026, 3, 20, 15),  # moved to Friday 20
        local(2026, 3, 19, 9), local(2026, 3, 25, 9), local(2026, 3, 26, 16),
        # 2 April is an EXDATE: nothing; 18:00 is now summer time
        local(2026, 4, 2, 9), local(2026, 4, 8, 9), local(2026, 4, 9, 16),
        local(2026, 4, 9, 9), local(2026, 4, 15, 9), local(2026, 4, 16, 16),
        # 23 April is cancelled: nothing
        local(2026, 4, 23, 9), local(2026, 4, 29, 9), local(2026, 4, 30, 16),
    ])  # fmt: skip
    moved = [
        d.text
        for d in drafts_of(app, DraftKind.REMINDER)
        if d.scheduled_at == local(2026, 3, 19, 9) and "Divendres" in d.text
    ]
    assert moved == [
        "⏰ Recordatori, demà: Reunió de coordinació\n"
        "🗓️ Divendres, 20 de març, de 17 a 18.30 h\n"
        "📍 Sala d’actes de l’Ateneu\n"
        "#XMESS #EconomiaSocial"
    ]


def test_an_all_day_fair_is_reminded_at_nine_on_its_first_day(app: service.App) -> None:
    fair = event(
        local(2026, 5, 16), local(2026, 5, 18), all_day=True, uid="fira-ess-2026@xmess.cat",
        title="Fira d'Economia Social i Solidària", location="Parc de l'Agulla, Manresa",
        url="https://firaess.cat/",
    )  # fmt: skip
    sync(app, local(2026, 5, 3, 12), fair)

    lines = (
        "🗓️ Des de dissabte, 16 de maig, fins a diumenge, 17 de maig\n"
        "📍 Parc de l’Agulla, Manresa\n"
        "Més informació: https://firaess.cat/\n"
        "#XMESS #EconomiaSocial"
    )
    assert reminders(app) == [
        (
            S.PENDING,
            local(2026, 5, 9, 9),
            reminded("d’aquí a 7 dies", "Fira d’Economia Social i Solidària", lines),
        ),
        (
            S.PENDING,
            local(2026, 5, 15, 9),
            reminded("demà", "Fira d’Economia Social i Solidària", lines),
        ),
        (
            S.PENDING,
            local(2026, 5, 16, 9),
            reminded("avui", "Fira d’Economia Social i Solidària", lines),
        ),
    ]


@pytest.mark.parametrize(
    ("starts", "expected_utc"),
    [
        # 29 March 2026: clocks go from 2:00 to 3:00; 10:00 is 08:00 UTC, the day before 9:00
        # is still winter time (08:00 UTC), two hours before is 08:00 local (06:00 UTC).
        (
            local(2026, 3, 29, 10),
            [datetime(2026, 3, 22, 8, tzinfo=UTC), datetime(2026, 3, 28, 8, tzinfo=UTC),
             datetime(2026, 3, 29, 6, tzinfo=UTC)],
        ),
        # 25 October 2026: clocks go from 3:00 back to 2:00; 10:00 is 09:00 UTC, the day
        # before 9:00 is summer time (07:00 UTC), two hours before is 08:00 local (07:00 UTC).
        (
            local(2026, 10, 25, 10),
            [datetime(2026, 10, 18, 7, tzinfo=UTC), datetime(2026, 10, 24, 7, tzinfo=UTC),
             datetime(2026, 10, 25, 7, tzinfo=UTC)],
        ),
    ],
)  # fmt: skip
def test_reminders_keep_their_local_times_on_the_dst_days(
    app: service.App, starts: datetime, expected_utc: list[datetime]
) -> None:
    sync(app, starts - timedelta(days=10), event(starts, starts + timedelta(hours=2)))

    assert [at for _, at, _ in reminders(app)] == expected_utc
    assert [at.astimezone(MADRID).time() for _, at, _ in reminders(app) if at] == [
        time(9),
        time(9),
        time(8),
    ]


def test_a_reminder_too_close_to_approve_is_not_drafted(app: service.App) -> None:
    sync(app, local(2026, 12, 2, 8), JORNADA)  # the day-before 9:00 is an hour away

    assert [at for _, at, _ in reminders(app)] == [local(2026, 12, 3, 8)]


def test_reminders_are_drafted_once_within_their_lookahead(app: service.App) -> None:
    synced = sync(app, local(2026, 11, 10, 12), JORNADA)  # the 7-day one is 16 days away
    before = [at for _, at, _ in reminders(app)]

    report = reminding.draft_reminders(replace(synced, clock=FixedClock(local(2026, 11, 12, 9))))

    assert (before, report.drafted, [at for _, at, _ in reminders(app)]) == (
        [], 1, [local(2026, 11, 26, 9)]
    )  # fmt: skip


def test_a_category_override_gives_other_offsets(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, reminders={"overrides": [{"category": "fira", "offsets": ["3d 18:00"]}]}
    )
    sync(app, local(2026, 11, 20, 12), JORNADA, replace(JORNADA, uid="fira", categories=("Fira",)))

    assert sorted(at for _, at, _ in reminders(app) if at) == [
        local(2026, 11, 26, 9), local(2026, 11, 30, 18),
        local(2026, 12, 2, 9), local(2026, 12, 3, 8),
    ]  # fmt: skip


def test_the_reminder_pass_drafts_nothing_twice(app: service.App) -> None:
    synced = sync(app, local(2026, 11, 20, 12), JORNADA)

    first = reminding.draft_reminders(synced)
    second = reminding.draft_reminders(synced)

    assert (first, second) == (reminding.ReminderReport(), reminding.ReminderReport())
    assert len(reminders(app)) == 3


def test_the_reminder_pass_drafts_what_a_new_setting_asks_for(tmp_path: Path) -> None:
    sync(make_app(tmp_path, reminders={"offsets": ["1d 09:00"]}), local(2026, 11, 20, 12), JORNADA)
    later = replace(make_app(tmp_path), clock=FixedClock(local(2026, 11, 21, 12)))

    report = reminding.draft_reminders(later)

    assert (report.drafted, [at for _, at, _ in reminders(later)]) == (
        2, [local(2026, 12, 2, 9), local(2026, 11, 26, 9), local(2026, 12, 3, 8)]
    )  # fmt: skip


# Publishing at their own time


def test_an_approved_reminder_keeps_its_own_time_whatever_the_slots(app: service.App) -> None:
    slotted = replace(
        sync(app, local(2026, 11, 20, 12), JORNADA),
        slots=SlotRules(MADRID, {d: (time(13),) for d in range(7)}, min_gap=timedelta(hours=3)),
    )
    first = drafts_of(app, DraftKind.REMINDER)[0]
    news_slot = service.approve(slotted, drafts_of(app, DraftKind.EVENT)[0].id or 0, "Núria")

    approved = service.approve(slotted, first.id or 0, "Núria")
    outcomes = publishing.publish_due(replace(slotted, clock=FixedClock(local(2026, 11, 26, 9))))

    assert (news_slot.scheduled_at, approved.scheduled_at) == (
        local(2026, 11, 20, 13), local(2026, 11, 26, 9)
    )  # fmt: skip
    assert [(o.draft_id, o.status) for o in outcomes] == [
        (news_slot.id, S.PUBLISHED), (first.id, S.PUBLISHED)
    ]  # fmt: skip


def test_a_paused_reminder_is_held_then_expires_once_late(app: service.App) -> None:
    synced = sync(app, local(2026, 11, 20, 12), JORNADA)
    first = drafts_of(app, DraftKind.REMINDER)[0]
    service.approve(synced, first.id or 0, "Núria")
    publishing.pause(synced, "Núria", "dol oficial")

    held = publishing.publish_due(replace(synced, clock=FixedClock(local(2026, 11, 26, 9, 10))))
    publishing.resume(synced, "Núria")
    late = publishing.publish_due(replace(synced, clock=FixedClock(local(2026, 11, 26, 9, 31))))

    assert [(o.status, o.detail) for o in held] == [
        (S.APPROVED, "retingut: publicació aturada per Núria: dol oficial")
    ]
    assert late == []
    expired = app.store.get_draft(first.id or 0)
    assert (expired.status, expired.status_reason) == (
        S.EXPIRED, "l'hora del recordatori ja ha passat"
    )  # fmt: skip
    assert not (Path(app.settings.config_dir) / "outbox.jsonl").exists()


def test_a_reminder_of_an_event_that_started_is_expired_never_published(app: service.App) -> None:
    synced = sync(app, local(2026, 11, 20, 12), JORNADA)
    last = drafts_of(app, DraftKind.REMINDER)[-1]
    service.approve(synced, last.id or 0, "Núria")
    synced.store.change_draft(
        last.id or 0, actor="Núria", action="reschedule", at=local(2026, 11, 20, 12),
        scheduled_at=local(2026, 12, 3, 10, 5),
    )  # fmt: skip

    publishing.publish_due(replace(synced, clock=FixedClock(local(2026, 12, 3, 10, 5))))

    assert app.store.get_draft(last.id or 0).status_reason == "l'acte ja ha començat"
    assert not (Path(app.settings.config_dir) / "outbox.jsonl").exists()


# Following the calendar


MOVED = replace(JORNADA, starts_at=local(2026, 12, 10, 17), ends_at=local(2026, 12, 10, 19))
MOVED_LINES = (
    "🗓️ Dijous, 10 de desembre, de 17 a 19 h\n"
    "📍 Ateneu Igualadí, Igualada\n"
    "Més informació: https://xmess.cat/jornada\n"
    "#XMESS #EconomiaSocial"
)


def test_a_moved_event_sends_its_approved_reminder_back_with_the_new_date(
    app: service.App,
) -> None:
    synced = sync(app, local(2026, 11, 20, 12), JORNADA)
    day_before = drafts_of(app, DraftKind.REMINDER)[1]
    service.approve(synced, day_before.id or 0, "Núria")

    sync(app, local(2026, 11, 21, 12), MOVED)

    assert reminders(app) == [
        (
            S.PENDING,
            local(2026, 12, 3, 9),
            reminded("d’aquí a 7 dies", "Jornada de mercats socials", MOVED_LINES),
        ),
        (
            S.PENDING,
            local(2026, 12, 9, 9),
            reminded("demà", "Jornada de mercats socials", MOVED_LINES),
        ),
        (
            S.PENDING,
            local(2026, 12, 10, 15),
            reminded("avui", "Jornada de mercats socials", MOVED_LINES),
        ),
    ]
    assert drafts_of(app, DraftKind.CORRECTION) == []  # nothing had gone out


def test_an_event_moved_after_its_announcement_went_out_gets_a_correction(
    app: service.App,
) -> None:
    sync(app, local(2026, 11, 20, 12), JORNADA)
    publish(app, DraftKind.EVENT, local(2026, 11, 20, 13))

    sync(app, local(2026, 11, 21, 12), MOVED)

    [correction] = drafts_of(app, DraftKind.CORRECTION)
    assert (correction.status, correction.event_key, correction.text) == (
        S.PENDING,
        replace(MOVED, calendar="Agenda XMESS").key,
        "🔁 Canvi de data: Jornada de mercats socials\n"
        "🗓️ Ara: dijous, 10 de desembre, de 17 a 19 h\n"
        "(abans: dijous, 3 de desembre, a les 10 h)\n"
        "📍 Ateneu Igualadí, Igualada\n"
        "Més informació: https://xmess.cat/jornada\n"
        "#XMESS #EconomiaSocial",
    )


def test_a_cancelled_event_withdraws_its_reminders_and_drafts_a_cancellation(
    app: service.App,
) -> None:
    sync(app, local(2026, 11, 20, 12), JORNADA)
    publish(app, DraftKind.EVENT, local(2026, 11, 20, 13))

    sync(app, local(2026, 11, 21, 12), replace(JORNADA, cancelled=True))

    assert [status for status, _, _ in reminders(app)] == [S.WITHDRAWN] * 3
    [cancellation] = drafts_of(app, DraftKind.CANCELLATION)
    assert (cancellation.status, cancellation.text) == (
        S.PENDING,
        "❌ Cancel·lat: Jornada de mercats socials\n"
        "L’acte previst per al dijous, 3 de desembre, a les 10 h, no es farà.\n"
        "Més informació: https://xmess.cat/jornada\n"
        "#XMESS #EconomiaSocial",
    )


def test_a_cancelled_event_never_announced_needs_no_cancellation_post(
    app: service.App,
) -> None:
    sync(app, local(2026, 11, 20, 12), JORNADA)
    sync(app, local(2026, 11, 21, 12))  # it vanished from the calendar

    assert [status for status, _, _ in reminders(app)] == [S.WITHDRAWN] * 3
    assert drafts_of(app, DraftKind.CANCELLATION) == []


# The offsets themselves


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("7d 09:00", Offset("7d 09:00", days=7, at=time(9))),
        ("0d  18:30", Offset("0d 18:30", days=0, at=time(18, 30))),
        ("2h", Offset("2h", before=timedelta(hours=2))),
        ("45m", Offset("45m", before=timedelta(minutes=45))),
    ],
)
def test_offsets_are_read_from_the_config(text: str, offset: Offset) -> None:
    assert parse_offset(text) == offset


@pytest.mark.parametrize("text", ["7 dies", "1d 25:00", "0h", "2h abans"])
def test_a_wrong_offset_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_offset(text)
    assert str(error.value) == (
        f"«{text}» no és un moment de recordatori: escriviu «7d 09:00» (7 dies abans a les 9 h), "
        "«0d 09:00» (el mateix dia) o «2h» / «30m» (abans de començar)"
    )


def test_two_offsets_on_the_same_minute_make_one_reminder() -> None:
    offsets = [parse_offset("0d 08:00"), parse_offset("2h")]

    assert [r.offset for r in reminder_times(JORNADA, offsets, MADRID, time(9))] == ["0d 08:00"]


def test_the_page_can_warn_that_a_cap_or_a_pause_would_hold_a_reminder(app: service.App) -> None:
    capped = replace(
        sync(app, local(2026, 11, 20, 12), JORNADA), slots=SlotRules(MADRID, daily_cap=1)
    )
    announcement = drafts_of(app, DraftKind.EVENT)[0]
    first = drafts_of(app, DraftKind.REMINDER)[0]
    service.approve(capped, announcement.id or 0, "Núria", local(2026, 11, 26, 8))
    service.approve(capped, first.id or 0, "Núria")
    free = publishing.hold_warning(capped, drafts_of(app, DraftKind.REMINDER)[1])
    full = publishing.hold_warning(capped, app.store.get_draft(first.id or 0))
    publishing.pause(capped, "Núria", "dol oficial")
    paused = publishing.hold_warning(capped, app.store.get_draft(first.id or 0))

    assert (free, full, paused) == (
        None,
        "límit diari de 1 publicacions assolit",
        "publicació aturada per Núria: dol oficial",
    )


def test_check_config_finds_a_templates_folder_without_the_reminder_template(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "plantilles"
    folder.mkdir()
    for name in ("news.txt.j2", "event.txt.j2"):
        (folder / name).write_text((BUNDLED_TEMPLATES / name).read_text(encoding="utf-8"))
    drafter = build_drafter(Settings(config_dir=tmp_path, templates_dir=folder))

    with pytest.raises(ConfigError) as error:
        drafter.self_check(local(2026, 11, 20, 12))
    assert str(error.value) == "templates_dir: falta la plantilla reminder.txt.j2"


# The command line, over a real calendar served on loopback


JORNADA_ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//XMESS//proves//CA
BEGIN:VEVENT
UID:jornada@xmess.cat
DTSTAMP:20261101T090000Z
SUMMARY:Jornada de mercats socials
DTSTART;TZID=Europe/Madrid:20261203T100000
DTEND;TZID=Europe/Madrid:20261203T133000
LOCATION:Ateneu Igualadi\xc3\xad\\, Igualada
URL:https://xmess.cat/jornada
END:VEVENT
END:VCALENDAR
"""


def test_poll_then_reminders_from_the_command_line(tmp_path: Path) -> None:
    with LoopbackServer({"/agenda.ics": Resource(JORNADA_ICS, "text/calendar")}) as server:
        config = tmp_path / "xmess.toml"
        config.write_text(
            'slots_file = ""\n[[calendars]]\nname = "Agenda XMESS"\n'
            f'url = "{server.url("/agenda.ics")}"\n',
            encoding="utf-8",
        )
        env = {"XMESS_CONFIG": str(config)}
        runner = CliRunner()
        polled = runner.invoke(main, ["poll", "--now", "2026-11-10T12:00"], env=env)
        later = runner.invoke(main, ["reminders", "--now", "2026-11-12T10:00"], env=env)
        again = runner.invoke(main, ["reminders", "--now", "2026-11-12T10:05"], env=env)
        late = runner.invoke(main, ["reminders", "--now", "2026-11-26T09:31"], env=env)

    assert "Esborranys nous: 1." in polled.output  # the announcement; reminders are far off
    assert [later.output, again.output, late.output] == [
        "Recordatoris nous: 1. Esborranys caducats: 0.\n",
        "Recordatoris nous: 0. Esborranys caducats: 0.\n",
        "Recordatoris nous: 2. Esborranys caducats: 1.\n",  # the 7-day one went unapproved
    ]


def test_an_event_moved_twice_keeps_one_waiting_correction_with_the_latest_date(
    app: service.App,
) -> None:
    sync(app, local(2026, 11, 20, 12), JORNADA)
    publish(app, DraftKind.EVENT, local(2026, 11, 20, 13))
    sync(app, local(2026, 11, 21, 12), MOVED)

    again = replace(MOVED, starts_at=local(2026, 12, 11, 17), ends_at=local(2026, 12, 11, 19))
    sync(app, local(2026, 11, 22, 12), again)

    assert [(d.status, d.text.splitlines()[1]) for d in drafts_of(app, DraftKind.CORRECTION)] == [
        (S.WITHDRAWN, "🗓️ Ara: dijous, 10 de desembre, de 17 a 19 h"),
        (S.PENDING, "🗓️ Ara: divendres, 11 de desembre, de 17 a 19 h"),
    ]


def test_a_reminder_whose_moment_passed_with_the_new_date_expires(app: service.App) -> None:
    sync(app, local(2026, 11, 20, 12), JORNADA)

    sync(app, local(2026, 11, 25, 12), replace(JORNADA, starts_at=local(2026, 11, 30, 10)))

    assert [(status, at) for status, at, _ in reminders(app)] == [
        (S.EXPIRED, local(2026, 11, 26, 9)),  # 7 days before the 30th was the 23rd
        (S.PENDING, local(2026, 11, 29, 9)),
        (S.PENDING, local(2026, 11, 30, 8)),
    ]


def test_a_calendar_override_gives_its_events_other_offsets(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, reminders={"overrides": [{"calendar": "Agenda XMESS", "offsets": ["1h"]}]}
    )
    sync(app, local(2026, 11, 20, 12), JORNADA)

    assert [at for _, at, _ in reminders(app)] == [local(2026, 12, 3, 9)]


def test_the_reminder_pass_finds_the_day_of_reminder_of_a_fair_that_began_at_midnight(
    tmp_path: Path,
) -> None:
    fair = event(local(2026, 5, 16), local(2026, 5, 18), all_day=True, uid="fira")
    sync(make_app(tmp_path, reminders={"offsets": []}), local(2026, 5, 15, 12), fair)
    on_the_day = replace(make_app(tmp_path), clock=FixedClock(local(2026, 5, 16, 6)))

    report = reminding.draft_reminders(on_the_day)

    assert (report.drafted, [at for _, at, _ in reminders(on_the_day)]) == (
        1, [local(2026, 5, 16, 9)]
    )  # fmt: skip
