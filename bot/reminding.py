"""Use cases of event reminders: draft them, follow the calendar when an event moves or is
cancelled, and expire those whose moment has passed.

Idempotent by construction: each reminder has a dedupe key (occurrence + offset), so a pass
that runs twice, or again after a crash, drafts nothing twice. The calendar sync
(`service.sync_occurrence`) calls in here; the scheduler calls `draft_reminders` on its own
timer. Time comes from `app.clock`.

`bot.service` imports this module and this module uses `service.App`: the import is of the
module, so either can be imported first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot import events, reminders, service
from bot.drafting import CANCELLATION_TEMPLATE, MOVED_TEMPLATE, REMINDER_TEMPLATE
from bot.models import Draft, DraftKind, DraftStatus, EventOccurrence
from bot.reminders import Reminder

ANNOUNCING_KINDS = (DraftKind.EVENT, DraftKind.REMINDER, DraftKind.CORRECTION)
"""Drafts that told followers about an event: once one is out, a change needs a new post."""
ALL_DAY = timedelta(days=1)
FOLLOWING_KINDS = (DraftKind.REMINDER, DraftKind.CANCELLATION, DraftKind.CORRECTION)
S = DraftStatus


@dataclass
class ReminderReport:
    drafted: int = 0
    expired: int = 0

    def describe(self) -> str:
        """The summary `reminders` prints, in Catalan."""
        return f"Recordatoris nous: {self.drafted}. Esborranys caducats: {self.expired}."


def draft_reminders(app: service.App) -> ReminderReport:
    """One pass at `app.clock`'s time: expire what is stale, then draft the missing reminders
    of every known, public occurrence in its calendar's look-ahead window (from a day back: an
    all-day event that began at midnight still has its day-of reminder ahead)."""
    now = app.clock.now()
    report = ReminderReport(expired=expire_stale(app, now))
    for calendar in app.settings.calendars:
        start, horizon = now - ALL_DAY, now + timedelta(days=calendar.lookahead_days)
        for occurrence in app.store.live_occurrences(calendar.name, start, horizon):
            report.drafted += draft_occurrence_reminders(app, occurrence, now)
    return report


def draft_occurrence_reminders(app: service.App, occurrence: EventOccurrence, now: datetime) -> int:
    """Draft this occurrence's reminders not drafted yet whose time is within the reminders'
    `lookahead_days` (so the queue is not filled months ahead) and that leave the group at
    least `min_notice_hours` to approve them; how many were drafted."""
    if occurrence.private or occurrence.cancelled:
        return 0
    settings = app.settings.reminders
    notice = timedelta(hours=settings.min_notice_hours)
    horizon = timedelta(days=settings.lookahead_days)
    drafted = 0
    for reminder in reminders_of(app, occurrence):
        if notice <= reminder.at - now <= horizon:
            draft = reminder_draft(app, occurrence, reminder, now)
            key = reminders.reminder_key(occurrence, reminder.offset)
            drafted += app.store.add_draft(draft, service.SYSTEM_ACTOR, key) is not None
    return drafted


def reminders_of(app: service.App, occurrence: EventOccurrence) -> list[Reminder]:
    settings = app.settings.reminders
    offsets = settings.offsets_for(occurrence.calendar, occurrence.categories)
    return reminders.reminder_times(occurrence, offsets, app.settings.zone, settings.all_day_time)


def reminder_draft(
    app: service.App, occurrence: EventOccurrence, reminder: Reminder, now: datetime
) -> Draft:
    """A pending reminder, scheduled at its own time (approval keeps it; slots do not move it)."""
    when = reminders.days_until_word(reminder.at, occurrence.starts_at, app.settings.zone)
    fitted = app.drafter.event_post(REMINDER_TEMPLATE, occurrence, when=when)
    draft = _event_draft(DraftKind.REMINDER, occurrence, fitted.text, not fitted.fits, now)
    return replace(draft, scheduled_at=reminder.at)


def follow_move(
    app: service.App, occurrence: EventOccurrence, previous: EventOccurrence, now: datetime
) -> None:
    """The occurrence moved: its waiting reminders get the new date and go back to people
    (or expire when the new date leaves them no moment); if followers were already told
    about the old date, a correction is drafted for approval."""
    by_offset = {r.offset: r for r in reminders_of(app, occurrence)}
    for key, draft in app.store.keyed_drafts_for_event(occurrence.key):
        if draft.status not in (S.PENDING, S.APPROVED):
            continue
        if draft.kind is DraftKind.REMINDER:
            _redraft_reminder(app, occurrence, draft, by_offset.get(_offset_in(key)), now)
        elif draft.kind is DraftKind.CORRECTION:
            reason = "l'acte ha tornat a canviar: hi ha una correcció nova"
            service.system_change(app, draft, S.WITHDRAWN, "withdraw", now, reason)
    if _followers_were_told(app, occurrence.key) and occurrence.starts_at > now:
        fitted = app.drafter.event_post(
            MOVED_TEMPLATE, occurrence, previous=previous.starts_at,
            previous_all_day=previous.all_day,
        )  # fmt: skip
        draft = _event_draft(DraftKind.CORRECTION, occurrence, fitted.text, not fitted.fits, now)
        app.store.add_draft(draft, service.SYSTEM_ACTOR, reminders.move_key(occurrence))


def _redraft_reminder(
    app: service.App,
    occurrence: EventOccurrence,
    draft: Draft,
    reminder: Reminder | None,
    now: datetime,
) -> None:
    if reminder is None or reminder.at <= now:
        reason = "amb la nova data de l'acte, aquest recordatori ja no té moment"
        service.system_change(app, draft, S.EXPIRED, "expire", now, reason)
        return
    redrafted = reminder_draft(app, occurrence, reminder, now)
    app.store.change_draft(
        service.stored_id(draft), actor=service.SYSTEM_ACTOR, action="event-moved", at=now,
        status=S.PENDING if draft.status is S.APPROVED else None,
        text=redrafted.text, over_limit=redrafted.over_limit, scheduled_at=reminder.at,
        detail="l'acte ha canviat de data o d'hora: text i hora refets",
    )  # fmt: skip


def announce_cancellation(app: service.App, occurrence: EventOccurrence, now: datetime) -> None:
    """If followers were told about this occurrence and it has not started, draft a
    "cancel·lat" post (kind `cancellation`) for approval; once per occurrence."""
    if occurrence.starts_at <= now or not _followers_were_told(app, occurrence.key):
        return
    fitted = app.drafter.event_post(CANCELLATION_TEMPLATE, occurrence)
    draft = _event_draft(DraftKind.CANCELLATION, occurrence, fitted.text, not fitted.fits, now)
    key = reminders.cancellation_key(occurrence.key)
    app.store.add_draft(draft, service.SYSTEM_ACTOR, key)


def expire_stale(
    app: service.App, now: datetime, kinds: Sequence[DraftKind] = FOLLOWING_KINDS
) -> int:
    """Expire waiting reminders `late_minutes` past their time, and waiting drafts of these
    kinds whose event has started; how many. (Only reminders carry a `scheduled_at` before
    approval; the others are judged by the event.) Each event is read once."""
    late = timedelta(minutes=app.settings.reminders.late_minutes)
    known: dict[str, EventOccurrence | None] = {}
    expired = 0
    for draft in app.store.list_drafts((S.PENDING, S.APPROVED), kinds):
        if not draft.event_key:
            continue
        if draft.event_key not in known:
            known[draft.event_key] = app.store.occurrence(draft.event_key)
        occurrence = known[draft.event_key]
        reason = _staleness(draft, occurrence, now, late) if occurrence else None
        if reason and service.expire(app, draft, now, reason):
            expired += 1
    return expired


def _staleness(
    draft: Draft, occurrence: EventOccurrence, now: datetime, late: timedelta
) -> str | None:
    """Why a waiting draft is no use any more: its event started (a reminder of an all-day
    event stays useful until the day ends), or a reminder is `late` past its own time:
    "d'aquí a 7 dies" published a day late is wrong."""
    if draft.kind is not DraftKind.REMINDER:
        return "l'acte ja ha començat" if events.has_started(occurrence, now) else None
    if reminders.useful_until(occurrence) <= now:
        return "l'acte ja ha començat"
    passed = draft.scheduled_at is not None and draft.scheduled_at + late < now
    return "l'hora del recordatori ja ha passat" if passed else None


def _followers_were_told(app: service.App, event_key: str) -> bool:
    return any(
        draft.kind in ANNOUNCING_KINDS and draft.status in (S.PUBLISHED, S.PUBLISHING)
        for draft in app.store.drafts_for_event(event_key)
    )


def _offset_in(key: str | None) -> str:
    return (key or "").rpartition("\x1f")[2]


def _event_draft(
    kind: DraftKind, occurrence: EventOccurrence, text: str, over_limit: bool, now: datetime
) -> Draft:
    return Draft(
        kind=kind, text=text, created_at=now, source_url=occurrence.url,
        source_title=occurrence.title, over_limit=over_limit, event_key=occurrence.key,
    )  # fmt: skip
