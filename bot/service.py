"""Use cases over the ports: poll the sources and work the queue (publishing is in
`publishing.py`).

The CLI, the web page and the scheduler call these functions and nothing deeper. No framework
is imported here; time comes from `app.clock`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import zip_longest
from typing import Any

from bot import events, health, news, reminding, review, slots
from bot.drafting import Drafter
from bot.errors import (
    DraftError,
    TextTooLong,
    TransitionError,
)
from bot.models import (
    MAX_ALT_TEXT,
    Draft,
    DraftKind,
    DraftStatus,
    EventOccurrence,
    FeedHealth,
    FetchRequest,
    Image,
    NewsItem,
    Note,
)
from bot.ports import (
    CalendarReader,
    CalendarReading,
    Clock,
    FeedReader,
    FeedReading,
    OccurrenceChange,
    Publisher,
    Store,
)
from bot.settings import CalendarSettings, MemberSettings, Settings
from bot.slots import SlotRules
from bot.weighted_length import weighted_length

SYSTEM_ACTOR = "xmess-bot"
S = DraftStatus


@dataclass(frozen=True)
class App:
    """Everything a use case needs, assembled once by `bot.app.build_app`."""

    settings: Settings
    store: Store
    clock: Clock
    feeds: FeedReader
    calendars: CalendarReader
    drafter: Drafter
    publisher: Publisher
    slots: SlotRules | None = None
    """None: approved drafts go out as soon as possible, uncapped (`slots_file = ""`)."""


@dataclass
class PollReport:
    feeds_ok: int = 0
    feeds_unchanged: int = 0
    feeds_waiting: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    new_items: int = 0
    new_drafts: int = 0
    calendars_ok: int = 0
    events_new: int = 0
    events_moved: int = 0
    events_cancelled: int = 0

    def describe(self) -> str:
        """The summary `poll` prints, in Catalan."""
        lines = [
            f"Canals: {self.feeds_ok} llegits, {self.feeds_unchanged} sense canvis.",
            f"Calendaris llegits: {self.calendars_ok}; actes nous {self.events_new}, "
            f"canviats {self.events_moved}, cancel·lats {self.events_cancelled}.",
            f"Fonts amb errors: {len(self.failures)}; "
            f"fonts en espera després d'errors: {self.feeds_waiting}.",
            f"Elements nous: {self.new_items}. Esborranys nous: {self.new_drafts}.",
        ]
        lines += [f"  error  {url}: {reason}" for url, reason in self.failures]
        lines += [f"  avís   {url}: {warning}" for url, warning in self.warnings]
        return "\n".join(lines)


Progress = Callable[[int], None]


def poll(app: App, progress: Progress | None = None) -> PollReport:
    """Fetch every feed and calendar that is not backing off, and draft what is new."""
    now = app.clock.now()
    report = PollReport()
    poll_feeds(app, now, report, progress or (lambda _: None))
    sync_calendars(app, now, report)
    expire_passed(app, now)
    return report


# Feeds


def poll_feeds(app: App, now: datetime, report: PollReport, progress: Progress) -> None:
    """Read every due feed; each is stored and drafted as soon as it is parsed."""
    members = app.settings.member_of_feed()
    due = _due_sources(app, list(members), now, report)
    progress(len(members) - len(due))
    checked = []
    for reading in app.feeds.read_feeds([_request(h) for h in due.values()]):
        url = reading.fetch.url
        updated, fresh = _checked(due[url], reading, now, report)
        checked.append(updated)
        report.feeds_ok += fresh
        report.feeds_unchanged += reading.fetch.not_modified
        if fresh:
            member = members[url]
            draft_feed_items(
                app, [replace(i, member=member.name) for i in reading.items], member, now, report
            )
        progress(1)
    app.store.save_feed_health(*checked)


def draft_feed_items(
    app: App, items: list[NewsItem], member: MemberSettings, now: datetime, report: PollReport
) -> None:
    """Draft a feed's items that are new, fresh and relevant, then remember them all.

    Drafting comes first: a process killed in between finds the items unseen at the next poll
    and drafts them again, which the dedupe key turns into nothing; the other order would leave
    them seen and never drafted."""
    keywords = app.settings.keywords_for(member)
    entries = [(item, news.guid_key(item), news.relevance(item, keywords)) for item in items]
    seen = [(i, key, found or ()) for i, key, found in entries]
    new = app.store.unseen_items(seen)
    for (item, key, matched), is_new in zip(entries, new, strict=True):
        report.new_items += is_new
        fresh = news.is_fresh(item.published_at or now, now, app.settings.relevance.max_age_days)
        if is_new and fresh and matched is not None:
            draft = app.drafter.draft_news(
                item,
                member_name=member.name,
                member_handle=member.x_handle,
                matched=matched,
                now=now,
            )
            report.new_drafts += app.store.add_draft(draft, SYSTEM_ACTOR, f"news:{key}") is not None
    app.store.record_items(seen, now)


def _due_sources(
    app: App, urls: list[str], now: datetime, report: PollReport
) -> dict[str, FeedHealth]:
    known = _known_health(app, urls)
    due = {url: h for url, h in known.items() if health.is_due(h, now)}
    report.feeds_waiting += len(known) - len(due)
    return due


def _known_health(app: App, urls: list[str]) -> dict[str, FeedHealth]:
    """What the store knows of each source, read in one query; a new source knows nothing."""
    stored = {h.url: h for h in app.store.all_feed_health()}
    return {url: stored.get(url, FeedHealth(url)) for url in urls}


def _request(known: FeedHealth) -> FetchRequest:
    return FetchRequest(known.url, known.etag, known.last_modified)


def _checked(
    known: FeedHealth, reading: FeedReading | CalendarReading, now: datetime, report: PollReport
) -> tuple[FeedHealth, bool]:
    """What this fetch says about the source, and whether it brought content to use."""
    reason = reading.error or reading.fetch.error
    if reason:
        report.failures.append((known.url, reason))
        return health.after_failure(known, reason, now), False
    updated = health.after_success(known, reading.fetch, now)
    if reading.warning:
        updated = health.with_warning(updated, reading.warning, now)
        report.warnings.append((known.url, reading.warning))
    return updated, not reading.fetch.not_modified


# Calendars


def sync_calendars(app: App, now: datetime, report: PollReport) -> None:
    """Bring the store's occurrences in line with each calendar and draft announcements."""
    calendars = {c.url: c for c in app.settings.calendars}
    if not calendars:
        return
    due = _due_sources(app, list(calendars), now, report)
    horizon = now + timedelta(days=max(c.lookahead_days for c in calendars.values()))
    readings = app.calendars.read_calendars([_request(h) for h in due.values()], now, horizon)
    for reading in readings:
        calendar = calendars[reading.fetch.url]
        updated, fresh = _checked(due[reading.fetch.url], reading, now, report)
        app.store.save_feed_health(updated)
        if fresh:
            report.calendars_ok += 1
            _sync_calendar(app, calendar, reading, now, report)


def _sync_calendar(
    app: App,
    calendar: CalendarSettings,
    reading: CalendarReading,
    now: datetime,
    report: PollReport,
) -> None:
    end = now + timedelta(days=calendar.lookahead_days)
    found = [replace(o, calendar=calendar.name) for o in reading.occurrences if o.starts_at < end]
    for occurrence in found:
        sync_occurrence(app, calendar, occurrence, now, report)
    if reading.warning is None:  # with events left out, a missing one proves nothing
        _cancel_vanished(app, calendar, {o.key for o in found}, now, end, report)


def sync_occurrence(
    app: App,
    calendar: CalendarSettings,
    occurrence: EventOccurrence,
    now: datetime,
    report: PollReport,
) -> None:
    """Bring one occurrence's drafts in line, then store it: withdrawn when cancelled or
    private (with a cancellation post if it was announced), redrafted when moved, announced
    and reminded when due. Stored last, so a crash half way is met again at the next sync."""
    change, known = app.store.compare_occurrence(occurrence)
    report.events_new += change is OccurrenceChange.NEW
    if change is OccurrenceChange.CANCELLED:
        report.events_cancelled += 1
        withdraw_event_drafts(app, occurrence.key, now, "l'acte s'ha cancel·lat")
        reminding.announce_cancellation(app, occurrence, now)
    elif occurrence.private:
        withdraw_event_drafts(app, occurrence.key, now, "l'acte ara és privat")
    elif change is OccurrenceChange.MOVED and known is not None:
        report.events_moved += 1
        redraft_moved_event(app, occurrence, now)
        reminding.follow_move(app, occurrence, known, now)
    if events.wants_announcement(occurrence, now, calendar.announce_days):
        draft = app.drafter.draft_event(occurrence, now=now)
        if app.store.add_draft(draft, SYSTEM_ACTOR, dedupe_key=events.announcement_key(occurrence)):
            report.new_drafts += 1
    report.new_drafts += reminding.draft_occurrence_reminders(app, occurrence, now)
    if change is not OccurrenceChange.UNCHANGED:
        app.store.save_occurrence(occurrence, now)


def _cancel_vanished(
    app: App,
    calendar: CalendarSettings,
    seen: set[str],
    now: datetime,
    end: datetime,
    report: PollReport,
) -> None:
    """An occurrence that disappears from its calendar (deleted, or an EXDATE added) is treated
    as cancelled: the network's agenda is the truth, and an announcement of a deleted event
    must not go out."""
    for known in app.store.live_occurrences(calendar.name, now, end):
        if known.key not in seen:
            app.store.mark_cancelled(known.key, now)
            report.events_cancelled += 1
            withdraw_event_drafts(app, known.key, now, "l'acte ha desaparegut del calendari")
            reminding.announce_cancellation(app, known, now)


def withdraw_event_drafts(app: App, event_key: str, now: datetime, reason: str) -> None:
    for draft in app.store.drafts_for_event(event_key):
        if draft.status in (S.PENDING, S.APPROVED):
            system_change(app, draft, S.WITHDRAWN, "withdraw", now, reason)


def redraft_moved_event(app: App, occurrence: EventOccurrence, now: datetime) -> None:
    """A moved event's drafts get the new date and go back to people, approved or not."""
    for draft in app.store.drafts_for_event(occurrence.key):
        if draft.kind is DraftKind.EVENT and draft.status in (S.PENDING, S.APPROVED):
            redrafted = app.drafter.draft_event(occurrence, now=now)
            app.store.change_draft(
                stored_id(draft), actor=SYSTEM_ACTOR, action="event-moved", at=now,
                status=S.PENDING if draft.status is S.APPROVED else None,
                text=redrafted.text, over_limit=redrafted.over_limit,
                detail="l'acte ha canviat de data o d'hora: text refet",
            )  # fmt: skip


def expire_passed(app: App, now: datetime) -> None:
    """An announcement of an event that has started is no use any more; nor is a reminder
    past its time (`reminding.expire_stale`, which judges both in one pass)."""
    reminding.expire_stale(app, now, (DraftKind.EVENT, *reminding.FOLLOWING_KINDS))


def expire(app: App, draft: Draft, now: datetime, reason: str) -> bool:
    """Expire a waiting draft; False when someone moved it first (a person, or another
    replica's pass over the same drafts), which leaves nothing to do."""
    try:
        system_change(app, draft, S.EXPIRED, "expire", now, reason)
    except TransitionError:
        return False
    return True


def system_change(
    app: App,
    draft: Draft,
    target: DraftStatus,
    action: str,
    now: datetime,
    reason: str,
    **changes: Any,
) -> None:
    app.store.change_draft(
        stored_id(draft), actor=SYSTEM_ACTOR, action=action, at=now, status=target,
        status_reason=reason, detail=reason, **changes,
    )  # fmt: skip


def stored_id(draft: Draft) -> int:
    assert draft.id is not None, "a stored draft always has an id"
    return draft.id


@dataclass(frozen=True)
class SourceHealth:
    name: str
    kind: str
    health: FeedHealth


def source_health(app: App) -> list[SourceHealth]:
    """Every configured feed and calendar with what the store knows of it."""
    feeds = [(m.name, "feed", url) for m in app.settings.members for url in m.feeds]
    calendars = [(c.name, "calendar", c.url) for c in app.settings.calendars]
    known = _known_health(app, [url for _, _, url in feeds + calendars])
    return [SourceHealth(name, kind, known[url]) for name, kind, url in feeds + calendars]


# The queue


def approve(app: App, draft_id: int, by: str, at: datetime | None = None) -> Draft:
    """Approve for `at`, else for the time already set on the draft if still ahead, else for
    the next free posting slot (or now, without slots) within the member's daily limit.

    With `web.approvals_required = 2` the first approval is only recorded (the draft stays
    pending) and a second, different person's approval approves it, at the time they choose."""
    actor, now = review.check_actor(by), app.clock.now()
    draft = app.store.get_draft(draft_id)
    if at is not None:
        review.check_future(at, now)
    if draft.over_limit:
        raise DraftError(f"l'esborrany {draft_id} és massa llarg: edita'l abans d'aprovar-lo")
    if draft.status is S.PENDING and _needs_another_approval(app, draft_id, actor):
        return app.store.change_draft(
            draft_id, actor=actor, action=review.FIRST_APPROVAL, at=now,
            detail="primera aprovació: cal la d'una altra persona",
        )  # fmt: skip
    kept = draft.scheduled_at if draft.scheduled_at and draft.scheduled_at > now else None
    when = (
        at or kept or (now if draft.kind in OWN_TIME_KINDS else next_slot(app, now, draft.member))
    )
    return app.store.change_draft(
        draft_id, actor=actor, action="approve", at=now, status=S.APPROVED, scheduled_at=when,
        detail=f"per publicar a {when.isoformat()}",
    )  # fmt: skip


OWN_TIME_KINDS = frozenset({DraftKind.REMINDER, DraftKind.CANCELLATION})
"""Approved without a time, these go out at once rather than at the next slot: a reminder
keeps its own time while it is ahead, and a cancellation cannot wait for a slot. Caps,
pauses and blackouts still hold them (`publishing.publish_due`)."""


def _needs_another_approval(app: App, draft_id: int, actor: str) -> bool:
    if app.settings.web.approvals_required < 2:
        return False
    approvers = review.approvers_of_current_text(app.store.history(draft_id))
    review.check_second_approver(approvers, actor)
    return len(approvers) + 1 < app.settings.web.approvals_required


def next_slot(app: App, now: datetime, member: str | None = None) -> datetime:
    """The next free slot; a member at `web.member_daily_limit` posts that local day waits
    for the next day's slots, so one council cannot fill a day."""
    if app.slots is None:
        return now
    taken = app.store.booked_times(now - slots.CAP_WINDOW)
    limit = app.settings.web.member_daily_limit
    member_days = _member_days(app, member, now) if limit and member else Counter[date]()
    after = now
    for _ in range(slots.SEARCH_DAYS):
        moment = slots.next_free_slot(after, taken, app.slots)
        day = moment.astimezone(app.settings.zone).date()
        if limit is None or member_days[day] < limit:
            return moment
        after = datetime.combine(day + timedelta(days=1), time(), app.settings.zone)
    raise DraftError(f"no hi ha cap franja lliure per a {member} dins el límit diari")


def _member_days(app: App, member: str | None, now: datetime) -> Counter[date]:
    """How many of the member's posts each local day holds: waiting to go out, or sent."""
    zone = app.settings.zone
    mine = app.store.list_drafts((S.APPROVED, S.PUBLISHING, S.PUBLISHED))
    moments = [d.published_at or d.scheduled_at for d in mine if d.member == member]
    return Counter(m.astimezone(zone).date() for m in moments if m and m >= now - timedelta(1))


def approve_many(app: App, draft_ids: Sequence[int], by: str) -> list[Draft]:
    """Approve several drafts at once, each at the next free slot, taking members in turn
    (oldest first within each) so that one council's drafts do not fill the week. Drafts
    already approved keep their slot. Stops at the first refusal, which is raised."""
    chosen = [app.store.get_draft(draft_id) for draft_id in draft_ids]
    return [approve(app, stored_id(draft), by) for draft in members_in_turn(chosen)]


def members_in_turn(drafts: Sequence[Draft]) -> list[Draft]:
    """The drafts reordered to alternate between members: A1, B1, C1, A2, B2, A3…"""
    by_member: dict[str, list[Draft]] = {}
    for draft in sorted(drafts, key=lambda d: (d.created_at, d.id or 0)):
        by_member.setdefault(draft.member or "", []).append(draft)
    rounds = zip_longest(*by_member.values())
    return [draft for turn in rounds for draft in turn if draft is not None]


def edit(app: App, draft_id: int, by: str, text: str) -> Draft:
    actor, now = review.check_actor(by), app.clock.now()
    draft = app.store.get_draft(draft_id)
    target = review.status_after_edit(draft.status)
    review.check_fits(weighted_length(text), app.drafter.limit)
    return app.store.change_draft(
        draft_id, actor=actor, action="edit", at=now,
        status=None if draft.status is target else target, text=text, over_limit=False,
    )  # fmt: skip


def edit_alt_text(app: App, draft_id: int, by: str, alt_text: str) -> Draft:
    """The image's description for people who cannot see it; it goes out with the image, so
    an approved draft goes back for approval like after a text edit."""
    actor, now = review.check_actor(by), app.clock.now()
    draft = app.store.get_draft(draft_id)
    if draft.image is None:
        raise DraftError(f"l'esborrany {draft_id} no té cap imatge")
    if len(alt_text.strip()) > MAX_ALT_TEXT:
        raise TextTooLong(f"el text alternatiu passa de {MAX_ALT_TEXT} caràcters")
    target = review.status_after_edit(draft.status)
    return app.store.change_draft(
        draft_id, actor=actor, action="alt-text", at=now,
        status=None if draft.status is target else target,
        image=Image(draft.image.url, alt_text.strip() or None),
        detail=f"text alternatiu: {alt_text.strip() or '(cap)'}",
    )  # fmt: skip


def reschedule(app: App, draft_id: int, by: str, at: datetime) -> Draft:
    actor, now = review.check_actor(by), app.clock.now()
    review.check_future(at, now)
    draft = app.store.get_draft(draft_id)
    if draft.status not in (S.PENDING, S.APPROVED):
        raise TransitionError(
            f"només es pot reprogramar un esborrany pendent o aprovat (aquest és {draft.status})"
        )
    return app.store.change_draft(
        draft_id, actor=actor, action="reschedule", at=now, scheduled_at=at,
        detail=f"nova hora: {at.isoformat()}",
    )  # fmt: skip


def reject(app: App, draft_id: int, by: str, reason: str) -> Draft:
    actor, now = review.check_actor(by), app.clock.now()
    if not reason.strip():
        raise DraftError("cal dir per què es rebutja (--reason)")
    return app.store.change_draft(
        draft_id, actor=actor, action="reject", at=now, status=S.REJECTED,
        status_reason=reason.strip(), detail=reason.strip(),
    )  # fmt: skip


def add_note(app: App, draft_id: int, by: str, text: str) -> Draft:
    actor, now = review.check_actor(by), app.clock.now()
    if not text.strip():
        raise DraftError("la nota és buida")
    app.store.add_note(draft_id, Note(actor, text.strip(), now))
    app.store.change_draft(draft_id, actor=actor, action="note", at=now, detail=text.strip())
    return app.store.get_draft(draft_id)


def requeue(app: App, draft_id: int, by: str) -> Draft:
    actor, now = review.check_actor(by), app.clock.now()
    return app.store.change_draft(
        draft_id, actor=actor, action="requeue", at=now, status=S.PENDING, status_reason=None
    )


def add_manual(app: App, by: str, text: str, url: str | None = None) -> Draft:
    """A post the group writes itself; the link is added at the end unless the text has it."""
    actor, now = review.check_actor(by), app.clock.now()
    full = text.strip() if not url or url in text else f"{text.strip()} {url}"
    review.check_fits(weighted_length(full), app.drafter.limit)
    draft = Draft(kind=DraftKind.MANUAL, text=full, created_at=now, source_url=url)
    stored = app.store.add_draft(draft, actor)
    assert stored is not None, "a manual draft has no dedupe key, so it is always stored"
    return stored
