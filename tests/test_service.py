"""The use cases over a real SQLite file, with the sources and the publisher as small fakes.

The real fetch path (loopback HTTP servers) is exercised in test_cli_end_to_end.py.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from bot import publishing, service
from bot.app import build_drafter
from bot.clock import FixedClock
from bot.errors import DraftError, PublishError, TextTooLong, TransitionError, UnknownDraft
from bot.models import (
    Draft,
    DraftKind,
    DraftStatus,
    EventOccurrence,
    FetchRequest,
    FetchResult,
    NewsItem,
    OutgoingPost,
    PublishedPost,
    PublisherProblemKind,
)
from bot.ports import CalendarReading, FeedReading, Store
from bot.publishers.dry_run import DryRunPublisher
from bot.settings import BlackoutSettings, CostSettings, Settings
from bot.slots import SlotRules
from bot.store import open_store
from tests.dying_store import DyingStore, Killed

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
IGUALADA = "https://www.igualada.cat/rss"
SANT_CUGAT = "https://www.santcugat.cat/rss"
AGENDA = "https://xmess.cat/agenda.ics"
S = DraftStatus


class FakeFeeds:
    """Serves items per feed URL; a URL in `errors` fails with that reason."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[NewsItem, ...]] = {}
        self.errors: dict[str, str] = {}

    def read_feeds(self, requests: Sequence[FetchRequest]) -> list[FeedReading]:
        return [self._read(r.url) for r in requests]

    def _read(self, url: str) -> FeedReading:
        if url in self.errors:
            return FeedReading(FetchResult(url, url, error=self.errors[url]))
        return FeedReading(FetchResult(url, url, body=b"<rss/>"), items=self.items.get(url, ()))


class FakeCalendars:
    def __init__(self) -> None:
        self.occurrences: tuple[EventOccurrence, ...] = ()
        self.warning: str | None = None

    def read_calendars(
        self, requests: Sequence[FetchRequest], start: datetime, end: datetime
    ) -> list[CalendarReading]:
        return [
            CalendarReading(
                FetchResult(r.url, r.url, body=b"BEGIN:VCALENDAR"),
                self.occurrences,
                warning=self.warning,
            )
            for r in requests
        ]


class FlakyPublisher(DryRunPublisher):
    """The dry-run publisher, refusing the drafts whose ids are in `refuse`."""

    def __init__(self, outbox: Path) -> None:
        super().__init__(outbox)
        self.refuse: set[int] = set()

    def publish(self, post: OutgoingPost, now: datetime) -> PublishedPost:
        if post.draft_id in self.refuse:
            raise PublishError("X ha respost 403: text duplicat")
        return super().publish(post, now)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        config_dir=tmp_path,
        slots_file="",
        members=[
            {"name": "Igualada", "x_handle": "AjIgualada", "feeds": [IGUALADA]},
            {"name": "Sant Cugat del Vallès", "feeds": [SANT_CUGAT]},
        ],
        calendars=[{"name": "Agenda XMESS", "url": AGENDA, "announce_days": 30}],
    )  # type: ignore[arg-type]


@pytest.fixture
def app(settings: Settings, tmp_path: Path) -> service.App:
    return service.App(
        settings=settings,
        store=open_store(settings.resolved_database_url),
        clock=FixedClock(NOW),
        feeds=FakeFeeds(),
        calendars=FakeCalendars(),
        drafter=build_drafter(settings),
        publisher=FlakyPublisher(tmp_path / "outbox.jsonl"),
    )


def feeds(app: service.App) -> FakeFeeds:
    assert isinstance(app.feeds, FakeFeeds)
    return app.feeds


def calendar(app: service.App) -> FakeCalendars:
    assert isinstance(app.calendars, FakeCalendars)
    return app.calendars


def news(
    guid: str, title: str, *, days_old: float = 1, feed: str = IGUALADA, **kw: object
) -> NewsItem:
    return NewsItem(
        guid=guid,
        link=kw.pop("link", f"https://www.igualada.cat/noticies/{guid}"),  # type: ignore[arg-type]
        title=title,
        summary=kw.pop("summary", "Una notícia de l'economia social i solidària."),  # type: ignore[arg-type]
        published_at=NOW - timedelta(days=days_old),
        feed_url=feed,
    )


def at(app: service.App, moment: datetime) -> service.App:
    return replace(app, clock=FixedClock(moment))


# Feeds


def test_a_new_relevant_item_becomes_a_pending_draft(app: service.App) -> None:
    feeds(app).items[IGUALADA] = (news("https://www.igualada.cat/n/1", "Neix una cooperativa"),)
    report = service.poll(app)
    [draft] = app.store.list_drafts()
    assert (report.new_items, report.new_drafts) == (1, 1)
    assert (draft.kind, draft.status, draft.member) == (DraftKind.NEWS, S.PENDING, "Igualada")
    assert draft.matched_keywords == ("economia social", "cooperativa")
    assert "@AjIgualada" in draft.text


def test_the_same_news_in_two_feeds_is_drafted_once(app: service.App) -> None:
    link = "https://xmess.cat/premsa/fira-2026"
    feeds(app).items[IGUALADA] = (news("ig-1", "Fira de la cooperativa", link=link),)
    feeds(app).items[SANT_CUGAT] = (
        news("sc-9", "Fira de la cooperativa", link=link, feed=SANT_CUGAT),
    )
    assert service.poll(app).new_drafts == 1


def test_a_republished_entry_is_not_drafted_again(app: service.App) -> None:
    feeds(app).items[IGUALADA] = (news("https://www.igualada.cat/n/1", "Cooperativa"),)
    service.poll(app)
    feeds(app).items[IGUALADA] = (
        news("https://www.igualada.cat/n/1", "Cooperativa (actualitzat)"),
    )
    assert service.poll(app).new_drafts == 0
    assert len(app.store.list_drafts()) == 1


def test_bare_guids_of_two_councils_do_not_collide(app: service.App) -> None:
    feeds(app).items[IGUALADA] = (news("1234", "Cooperativa d'Igualada"),)
    feeds(app).items[SANT_CUGAT] = (
        news(
            "1234",
            "Cooperativa de Sant Cugat",
            feed=SANT_CUGAT,
            link="https://www.santcugat.cat/n/1234",
        ),
    )
    assert service.poll(app).new_drafts == 2


def test_old_entries_are_remembered_but_not_drafted(app: service.App) -> None:
    feeds(app).items[IGUALADA] = (news("old", "Cooperativa antiga", days_old=30),)
    report = service.poll(app)
    assert (report.new_items, report.new_drafts) == (1, 0)
    assert service.poll(at(app, NOW + timedelta(hours=1))).new_items == 0


def test_irrelevant_items_are_not_drafted(app: service.App) -> None:
    feeds(app).items[IGUALADA] = (
        news("obres", "Obres al carrer Major", summary="Talls de trànsit."),
    )
    assert service.poll(app).new_drafts == 0


def test_a_failing_feed_is_recorded_and_the_others_go_on(app: service.App) -> None:
    feeds(app).errors[IGUALADA] = "el servidor ha respost 503"
    feeds(app).items[SANT_CUGAT] = (news("sc", "Cooperativa", feed=SANT_CUGAT),)
    report = service.poll(app)
    assert report.failures == [(IGUALADA, "el servidor ha respost 503")]
    assert report.new_drafts == 1
    [health] = [h for h in app.store.all_feed_health() if h.url == IGUALADA]
    assert (health.last_error, health.consecutive_failures) == ("el servidor ha respost 503", 1)


def test_a_feed_failing_twice_waits_before_the_next_try(app: service.App) -> None:
    feeds(app).errors[IGUALADA] = "temps d'espera esgotat"
    service.poll(app)
    service.poll(at(app, NOW + timedelta(minutes=1)))
    assert service.poll(at(app, NOW + timedelta(minutes=5))).feeds_waiting == 1


# Calendars


def event(**changes: object) -> EventOccurrence:
    values: dict[str, object] = {
        "calendar": "",
        "uid": "assemblea-2026@xmess.cat",
        "recurrence_id": "",
        "sequence": 0,
        "title": "Assemblea general de la XMESS",
        "starts_at": datetime(2026, 12, 9, 9, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 12, 9, 12, 30, tzinfo=UTC),
        "location": "Manresa",
        "url": "https://xmess.cat/assemblea",
    }
    return EventOccurrence(**(values | changes))  # type: ignore[arg-type]


def event_drafts(app: service.App) -> list[Draft]:
    return app.store.list_drafts(kinds=(DraftKind.EVENT,))


def test_an_event_within_the_window_is_announced_once(app: service.App) -> None:
    calendar(app).occurrences = (event(),)
    assert service.poll(app).new_drafts == 4  # the announcement and its three reminders
    assert service.poll(at(app, NOW + timedelta(hours=1))).new_drafts == 0
    [draft] = event_drafts(app)
    assert "Dimecres, 9 de desembre, de 10 a 13.30 h" in draft.text


def test_an_event_beyond_announce_days_waits(app: service.App) -> None:
    calendar(app).occurrences = (
        event(starts_at=NOW + timedelta(days=45), ends_at=NOW + timedelta(days=45)),
    )
    assert service.poll(app).new_drafts == 0
    assert service.poll(at(app, NOW + timedelta(days=16))).new_drafts == 1


@pytest.mark.parametrize("flags", [{"private": True}, {"cancelled": True}])
def test_private_and_cancelled_events_are_never_announced(
    app: service.App, flags: dict[str, bool]
) -> None:
    calendar(app).occurrences = (event(**flags),)
    assert service.poll(app).new_drafts == 0


def test_a_moved_event_sends_its_approved_draft_back_with_the_new_date(app: service.App) -> None:
    calendar(app).occurrences = (event(),)
    service.poll(app)
    [draft] = event_drafts(app)
    service.approve(app, draft.id or 0, "Marta")
    moved = event(
        sequence=1,
        starts_at=datetime(2026, 12, 10, 9, tzinfo=UTC),
        ends_at=datetime(2026, 12, 10, 11, tzinfo=UTC),
    )
    calendar(app).occurrences = (moved,)
    assert service.poll(app).events_moved == 1
    [after] = event_drafts(app)
    assert after.status is S.PENDING
    assert "Dijous, 10 de desembre, de 10 a 12 h" in after.text
    assert app.store.history(after.id or 0)[-1].action == "event-moved"


def test_a_sync_killed_before_saving_the_occurrence_withdraws_at_the_next_one(
    app: service.App,
) -> None:
    calendar(app).occurrences = (event(),)
    service.poll(app)
    [draft] = event_drafts(app)
    service.approve(app, draft.id or 0, "Marta")
    calendar(app).occurrences = (event(sequence=1, cancelled=True),)
    dying = replace(app, store=cast(Store, DyingStore(app.store, "drafts_for_event")))
    with pytest.raises(Killed):  # while withdrawing the drafts, before saving the occurrence
        service.poll(dying)
    assert service.poll(app).events_cancelled == 1
    assert [d.status for d in event_drafts(app)] == [S.WITHDRAWN]


def test_a_cancelled_event_withdraws_its_drafts(app: service.App) -> None:
    calendar(app).occurrences = (event(),)
    service.poll(app)
    calendar(app).occurrences = (event(sequence=1, cancelled=True),)
    assert service.poll(app).events_cancelled == 1
    assert [d.status for d in event_drafts(app)] == [S.WITHDRAWN]


def test_an_event_that_disappears_is_treated_as_cancelled(app: service.App) -> None:
    calendar(app).occurrences = (event(),)
    service.poll(app)
    calendar(app).occurrences = ()
    assert service.poll(app).events_cancelled == 1
    assert [d.status for d in event_drafts(app)] == [S.WITHDRAWN]


def test_an_event_made_private_withdraws_its_announcement(app: service.App) -> None:
    calendar(app).occurrences = (event(),)
    service.poll(app)
    calendar(app).occurrences = (event(sequence=1, private=True),)
    service.poll(app)
    [draft] = event_drafts(app)
    assert (draft.status, draft.status_reason) == (S.WITHDRAWN, "l'acte ara és privat")


def test_a_calendar_read_with_problems_cancels_nothing_it_did_not_see(app: service.App) -> None:
    calendar(app).occurrences = (event(),)
    service.poll(app)
    calendar(app).occurrences = ()
    calendar(app).warning = "un esdeveniment no s'ha pogut llegir"
    assert service.poll(app).events_cancelled == 0
    assert [d.status for d in event_drafts(app)] == [S.PENDING]


def test_an_announcement_expires_when_the_event_starts(app: service.App) -> None:
    calendar(app).occurrences = (event(),)
    service.poll(app)
    publishing.publish_due(at(app, datetime(2026, 12, 9, 9, 0, tzinfo=UTC)))
    assert [d.status for d in event_drafts(app)] == [S.EXPIRED]


# The queue


@pytest.fixture
def pending(app: service.App) -> Draft:
    return service.add_manual(app, "Marta", "La XMESS celebra 10 anys", "https://xmess.cat/10")


def test_a_manual_post_carries_its_link(pending: Draft) -> None:
    assert (pending.kind, pending.status) == (DraftKind.MANUAL, S.PENDING)
    assert pending.text == "La XMESS celebra 10 anys https://xmess.cat/10"


def test_approve_without_a_time_means_now(app: service.App, pending: Draft) -> None:
    approved = service.approve(app, pending.id or 0, "Jordi")
    assert (approved.status, approved.scheduled_at) == (S.APPROVED, NOW)


def test_approve_keeps_a_time_set_by_reschedule(app: service.App, pending: Draft) -> None:
    later = NOW + timedelta(days=1)
    service.reschedule(app, pending.id or 0, "Marta", later)
    assert service.approve(app, pending.id or 0, "Jordi").scheduled_at == later


def test_approve_in_the_past_is_refused(app: service.App, pending: Draft) -> None:
    with pytest.raises(TransitionError, match="ja ha passat"):
        service.approve(app, pending.id or 0, "Jordi", NOW - timedelta(minutes=1))


def test_an_edit_unapproves_and_is_checked_for_length(app: service.App, pending: Draft) -> None:
    service.approve(app, pending.id or 0, "Jordi")
    edited = service.edit(app, pending.id or 0, "Marta", "Text revisat")
    assert (edited.status, edited.text) == (S.PENDING, "Text revisat")
    with pytest.raises(TextTooLong):
        service.edit(app, pending.id or 0, "Marta", "paraula " * 60)


def test_reject_needs_a_reason_and_is_final(app: service.App, pending: Draft) -> None:
    with pytest.raises(DraftError, match="--reason"):
        service.reject(app, pending.id or 0, "Marta", " ")
    rejected = service.reject(app, pending.id or 0, "Marta", "Repetit")
    assert (rejected.status, rejected.status_reason) == (S.REJECTED, "Repetit")
    with pytest.raises(TransitionError):
        service.approve(app, pending.id or 0, "Jordi")


def test_a_note_is_kept_and_never_in_the_text(app: service.App, pending: Draft) -> None:
    noted = service.add_note(app, pending.id or 0, "Marta", "Esperar la foto")
    assert [n.text for n in noted.notes] == ["Esperar la foto"]
    assert "foto" not in noted.text


def test_an_unknown_id_is_a_clear_error(app: service.App) -> None:
    with pytest.raises(UnknownDraft):
        service.approve(app, 404, "Jordi")


def test_an_over_limit_draft_must_be_edited_before_approval(app: service.App) -> None:
    draft = app.store.add_draft(Draft(DraftKind.NEWS, "x" * 300, NOW, over_limit=True), "bot")
    assert draft is not None
    with pytest.raises(DraftError, match="massa llarg"):
        service.approve(app, draft.id or 0, "Jordi")


# Publishing


def outbox_ids(app: service.App) -> list[int]:
    assert isinstance(app.publisher, DryRunPublisher)
    return [int(line["draft_id"]) for line in app.publisher._lines()]  # type: ignore[call-overload]


def test_a_due_draft_is_published_exactly_once(app: service.App, pending: Draft) -> None:
    service.approve(app, pending.id or 0, "Jordi")
    [outcome] = publishing.publish_due(app)
    assert (outcome.draft_id, outcome.status) == (pending.id, S.PUBLISHED)
    assert publishing.publish_due(app) == []
    assert outbox_ids(app) == [pending.id]


def test_a_draft_approved_for_later_waits(app: service.App, pending: Draft) -> None:
    service.approve(app, pending.id or 0, "Jordi", NOW + timedelta(hours=2))
    assert publishing.publish_due(app) == []
    assert len(publishing.publish_due(at(app, NOW + timedelta(hours=2)))) == 1


def test_a_refused_post_fails_with_its_reason_and_can_be_requeued(
    app: service.App, pending: Draft
) -> None:
    service.approve(app, pending.id or 0, "Jordi")
    assert isinstance(app.publisher, FlakyPublisher)
    app.publisher.refuse = {pending.id or 0}
    [outcome] = publishing.publish_due(app)
    assert (outcome.status, outcome.detail) == (S.FAILED, "X ha respost 403: text duplicat")
    assert service.requeue(app, pending.id or 0, "Marta").status is S.PENDING


def claim_and_crash(app: service.App, draft: Draft, publish: bool) -> None:
    """What a run that dies after claiming leaves behind: a `publishing` draft."""
    claimed = app.store.change_draft(
        draft.id or 0, actor="xmess-bot", action="claim", at=NOW, status=S.PUBLISHING
    )
    if publish:
        app.publisher.publish(publishing.next_post(claimed), NOW)


@pytest.mark.parametrize("went_out", [True, False])
def test_a_crashed_run_is_settled_without_a_second_post(
    app: service.App, pending: Draft, went_out: bool
) -> None:
    service.approve(app, pending.id or 0, "Jordi")
    claim_and_crash(app, pending, publish=went_out)
    assert publishing.publish_due(app) == []
    later = at(app, NOW + publishing.PUBLISH_LEASE + timedelta(seconds=1))
    [*_, outcome] = publishing.publish_due(later)
    assert (outcome.draft_id, outcome.status) == (pending.id, S.PUBLISHED)
    assert publishing.publish_due(later) == []
    assert outbox_ids(app) == [pending.id]
    actions = [h.action for h in app.store.history(pending.id or 0)]
    assert actions[-1] == ("reconcile" if went_out else "publish")


def test_a_publisher_that_cannot_tell_asks_a_person(
    app: service.App, pending: Draft, tmp_path: Path
) -> None:
    service.approve(app, pending.id or 0, "Jordi")
    claim_and_crash(app, pending, publish=False)
    (tmp_path / "outbox.jsonl").mkdir()
    [soon] = publishing.publish_due(at(app, NOW + timedelta(minutes=3)))
    [later] = publishing.publish_due(at(app, NOW + publishing.NEEDS_CHECK_AFTER))
    assert (soon.status, later.status) == (S.PUBLISHING, S.NEEDS_CHECK)


def test_every_due_draft_goes_out_in_one_run_however_many(app: service.App) -> None:
    for number in range(130):
        draft = service.add_manual(app, "Marta", f"Publicació número {number}")
        service.approve(app, draft.id or 0, "Jordi")
    outcomes = publishing.publish_due(app)
    assert [o.status for o in outcomes] == [S.PUBLISHED] * 130
    assert sorted(outbox_ids(app)) == list(range(1, 131))


def test_approve_without_a_time_takes_the_next_free_slot(app: service.App, pending: Draft) -> None:
    with_slots = replace(
        app, slots=SlotRules(zone=ZoneInfo("Europe/Madrid"), times={4: (time(12, 30),)})
    )
    approved = service.approve(with_slots, pending.id or 0, "Jordi")
    assert approved.scheduled_at == datetime(2026, 11, 27, 11, 30, tzinfo=UTC)


def test_posts_beyond_the_daily_cap_wait_for_the_next_day(app: service.App) -> None:
    capped = replace(app, slots=SlotRules(zone=ZoneInfo("Europe/Madrid"), daily_cap=2))
    drafts = [service.add_manual(app, "Marta", f"Publicació {n}") for n in range(3)]
    for draft in drafts:
        service.approve(app, draft.id or 0, "Jordi")
    outcomes = publishing.publish_due(capped)
    assert [(o.status, o.detail) for o in outcomes][-1] == (
        S.APPROVED,
        "retingut: límit diari de 2 publicacions assolit",
    )
    assert [o.status for o in outcomes] == [S.PUBLISHED, S.PUBLISHED, S.APPROVED]
    tomorrow = replace(capped, clock=FixedClock(NOW + timedelta(days=1)))
    assert [o.status for o in publishing.publish_due(tomorrow)] == [S.PUBLISHED]


def test_a_pause_holds_everything_and_resume_lets_it_go(app: service.App, pending: Draft) -> None:
    service.approve(app, pending.id or 0, "Jordi")
    publishing.pause(app, "Marta", "Dol oficial")
    [held] = publishing.publish_due(app)
    assert (held.status, held.detail) == (
        S.APPROVED,
        "retingut: publicació aturada per Marta: Dol oficial",
    )
    with pytest.raises(DraftError, match="ja està aturada per Marta"):
        publishing.pause(app, "Jordi", "Una altra")
    publishing.resume(app, "Jordi")
    assert [o.status for o in publishing.publish_due(app)] == [S.PUBLISHED]
    with pytest.raises(DraftError, match="no estava aturada"):
        publishing.resume(app, "Jordi")


def test_a_blackout_period_holds_posts_until_it_ends(app: service.App, pending: Draft) -> None:
    election = {"start": "2026-11-20", "end": "2026-11-29", "reason": "Eleccions"}
    quiet = replace(app, settings=app.settings.model_copy(update={"blackouts": [
        BlackoutSettings(**election)  # type: ignore[arg-type]
    ]}))  # fmt: skip
    service.approve(quiet, pending.id or 0, "Jordi")
    [held] = publishing.publish_due(quiet)
    assert held.detail == (
        "retingut: període sense publicacions del 2026-11-20 al 2026-11-29: Eleccions"
    )
    after = replace(quiet, clock=FixedClock(datetime(2026, 11, 29, 23, 30, tzinfo=UTC)))
    assert [o.status for o in publishing.publish_due(after)] == [S.PUBLISHED]


def test_a_published_post_can_be_retracted_and_corrected(app: service.App, pending: Draft) -> None:
    service.approve(app, pending.id or 0, "Jordi")
    publishing.publish_due(app)
    retracted = publishing.retract(app, pending.id or 0, "Marta", "Data equivocada")
    assert (retracted.status, retracted.status_reason) == (S.RETRACTED, "Data equivocada")
    correction = publishing.correct(app, pending.id or 0, "Marta")
    assert (correction.kind, correction.status, correction.text) == (
        DraftKind.CORRECTION,
        S.PENDING,
        "Correcció: La XMESS celebra 10 anys https://xmess.cat/10",
    )
    assert [h.action for h in app.store.history(pending.id or 0)][-2:] == ["retract", "correct"]
    assert isinstance(app.publisher, DryRunPublisher)
    assert app.publisher._lines()[-1]["deleted_post_id"] == f"dry-run-{pending.id}"


def test_only_a_published_post_can_be_retracted_or_corrected(
    app: service.App, pending: Draft
) -> None:
    with pytest.raises(TransitionError, match="pending → retracted"):
        publishing.retract(app, pending.id or 0, "Marta", "No")
    with pytest.raises(TransitionError, match="no s'ha publicat"):
        publishing.correct(app, pending.id or 0, "Marta")


def test_the_monthly_budget_holds_posts_back(app: service.App) -> None:
    budget = {"monthly_budget": 0.30}
    tight = replace(app, settings=app.settings.model_copy(update={"cost": CostSettings(**budget)}))
    for number in range(2):
        draft = service.add_manual(app, "Marta", f"Notícia {number}", f"https://xmess.cat/{number}")
        service.approve(app, draft.id or 0, "Jordi")
    outcomes = publishing.publish_due(tight)
    assert [(o.status, o.detail) for o in outcomes][1] == (
        S.APPROVED,
        "retingut: pressupost mensual de 0.30 USD esgotat (gastat 0.20)",
    )
    [problem] = app.store.publisher_problems()
    assert (problem.kind, problem.detail) == (
        PublisherProblemKind.BUDGET,
        "pressupost mensual de 0.30 USD esgotat (gastat 0.20)",
    )
