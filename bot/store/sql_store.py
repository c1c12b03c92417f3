"""Queries over the schema. Every status change goes through `review.check_transition` and
writes one history row in the same transaction, so the history is complete by construction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    bindparam,
    delete,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot import review
from bot.errors import UnknownDraft
from bot.models import (
    Draft,
    DraftKind,
    DraftStatus,
    EventOccurrence,
    FeedHealth,
    HistoryEntry,
    Image,
    JobRun,
    NewsItem,
    Note,
    Notice,
    Pause,
    PublisherProblem,
    PublisherProblemKind,
)
from bot.ports import OccurrenceChange, SeenItem
from bot.store.schema import (
    bounded_key,
    drafts,
    feed_health,
    history,
    items,
    job_leases,
    notes,
    notices,
    occurrences,
    pauses,
    publisher_problems,
)


class SqlStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def close(self) -> None:
        self.engine.dispose()

    # Feed and calendar health

    def all_feed_health(self) -> list[FeedHealth]:
        with self._tx() as tx:
            rows = tx.execute(select(feed_health).order_by(feed_health.c.url)).all()
        return [FeedHealth(**row._asdict()) for row in rows]

    def save_feed_health(self, *healths: FeedHealth) -> None:
        """Store what a poll learnt about its sources, all in one transaction."""
        with self._tx() as tx:
            for health in healths:
                values = health.__dict__
                changed = tx.execute(
                    update(feed_health).where(feed_health.c.url == health.url).values(values)
                ).rowcount
                if not changed:
                    tx.execute(insert(feed_health).values(values))

    # News items

    def record_items(self, entries: Sequence[SeenItem], first_seen_at: datetime) -> list[bool]:
        """Remember a feed's items in one transaction; for each, whether it is new (neither
        its guid key nor its canonical link was seen before, in this batch included)."""
        with self._tx() as tx:
            flags = _new_flags(entries, *self._known(tx, entries))
            new = [
                _item_values(item, key, first_seen_at, matched)
                for (item, key, matched), is_new in zip(entries, flags, strict=True)
                if is_new
            ]
            if new:
                tx.execute(insert(items), new)
        return flags

    def unseen_items(self, entries: Sequence[SeenItem]) -> list[bool]:
        """What `record_items` would answer, without remembering anything: a poll drafts
        first and records after, so a crash in between cannot leave an item seen but never
        drafted."""
        with self._tx() as tx:
            return _new_flags(entries, *self._known(tx, entries))

    def _known(self, tx: Connection, entries: Sequence[SeenItem]) -> tuple[set[str], set[str]]:
        keys = [key for _, key, _ in entries]
        links = [item.link for item, _, _ in entries]
        rows = tx.execute(
            select(items.c.guid_key, items.c.link).where(
                or_(items.c.guid_key.in_(keys), items.c.link.in_(links))
            )
        ).all()
        return {row.guid_key for row in rows}, {row.link for row in rows}

    # Calendar occurrences

    def compare_occurrence(
        self, occurrence: EventOccurrence
    ) -> tuple[OccurrenceChange, EventOccurrence | None]:
        """How an occurrence differs from what is stored, and what is stored; changes nothing.
        The sync brings the drafts in line first and saves the occurrence last, so a crash in
        between finds the same change again at the next sync."""
        known = self.occurrence(occurrence.key)
        if known is None:
            return OccurrenceChange.NEW, None
        return _compare(known, occurrence), known

    def save_occurrence(self, occurrence: EventOccurrence, now: datetime) -> None:
        values = _occurrence_values(occurrence, now)
        with self._tx() as tx:
            done = tx.execute(
                update(occurrences).where(occurrences.c.event_key == occurrence.key).values(values)
            ).rowcount
            if not done:
                tx.execute(insert(occurrences).values(values | {"first_seen_at": now}))

    def live_occurrences(
        self, calendar: str, start: datetime, end: datetime
    ) -> list[EventOccurrence]:
        """Known, not cancelled occurrences of a calendar starting in [start, end)."""
        query = select(occurrences).where(
            occurrences.c.calendar == calendar,
            occurrences.c.cancelled.is_(False),
            occurrences.c.starts_at >= start,
            occurrences.c.starts_at < end,
        )
        with self._tx() as tx:
            return [_occurrence_from_row(row) for row in tx.execute(query).all()]

    def mark_cancelled(self, event_key: str, now: datetime) -> None:
        with self._tx() as tx:
            tx.execute(
                update(occurrences)
                .where(occurrences.c.event_key == event_key)
                .values(cancelled=True, updated_at=now)
            )

    def occurrence(self, event_key: str) -> EventOccurrence | None:
        with self._tx() as tx:
            row = tx.execute(
                select(occurrences).where(occurrences.c.event_key == event_key)
            ).first()
        return _occurrence_from_row(row) if row else None

    # Drafts

    def add_draft(self, draft: Draft, actor: str, dedupe_key: str | None = None) -> Draft | None:
        """Store a new draft; None when a draft with the same `dedupe_key` already exists."""
        values = _draft_values(draft) | {"dedupe_key": dedupe_key, "updated_at": draft.created_at}
        try:
            with self._tx() as tx:
                draft_id = tx.execute(insert(drafts).returning(drafts.c.id), values).scalar_one()
                stored = replace(draft, id=draft_id, updated_at=draft.created_at)
                _write_history(tx, stored, None, actor, "create", draft.created_at, None, "")
        except IntegrityError:
            if dedupe_key is None:
                raise
            return None
        return stored

    def get_draft(self, draft_id: int) -> Draft:
        with self._tx() as tx:
            return self._load(tx, draft_id)

    def list_drafts(
        self, statuses: Sequence[DraftStatus] = (), kinds: Sequence[DraftKind] = ()
    ) -> list[Draft]:
        query = select(drafts).order_by(drafts.c.created_at, drafts.c.id)
        if statuses:
            query = query.where(drafts.c.status.in_([s.value for s in statuses]))
        if kinds:
            query = query.where(drafts.c.kind.in_([k.value for k in kinds]))
        with self._tx() as tx:
            return [_draft_from_row(row) for row in tx.execute(query).all()]

    def drafts_for_event(self, event_key: str) -> list[Draft]:
        with self._tx() as tx:
            rows = tx.execute(select(drafts).where(drafts.c.event_key == event_key)).all()
        return [_draft_from_row(row) for row in rows]

    def keyed_drafts_for_event(self, event_key: str) -> list[tuple[str | None, Draft]]:
        """An event's drafts with their dedupe keys (a reminder's key names its offset)."""
        query = select(drafts).where(drafts.c.event_key == event_key).order_by(drafts.c.id)
        with self._tx() as tx:
            rows = tx.execute(query).all()
        return [(row.dedupe_key, _draft_from_row(row)) for row in rows]

    def news_between(self, start: datetime, end: datetime) -> list[NewsItem]:
        """The relevant member news published in [start, end): items that got a news draft,
        whatever became of it except rejected or taken back from the network."""
        left_out = (DraftStatus.REJECTED.value, DraftStatus.RETRACTED.value)
        query = (
            select(items)
            .join(drafts, drafts.c.dedupe_key == literal("news:") + items.c.guid_key)
            .where(
                items.c.published_at >= start,
                items.c.published_at < end,
                drafts.c.status.not_in(left_out),
            )
            .order_by(items.c.published_at.desc(), items.c.id)
        )
        with self._tx() as tx:
            return [_item_from_row(row) for row in tx.execute(query).all()]

    def change_draft(
        self,
        draft_id: int,
        *,
        actor: str,
        action: str,
        at: datetime,
        status: DraftStatus | None = None,
        detail: str = "",
        **changes: Any,
    ) -> Draft:
        """Apply one change to a draft, checked against the state machine, with its history row.

        The change is conditional on the status it was checked against (compare-and-set): it
        raises `TransitionError` if another process moved the draft meanwhile. The draft comes
        back without its notes (`get_draft` has them).
        """
        with self._tx() as tx:
            before = self._load(tx, draft_id, with_notes=False)
            target = status or before.status
            if status is not None:
                review.check_transition(before.status, status)
            values = _change_values(changes) | {"status": target.value, "updated_at": at}
            guard = drafts.c.status == before.status.value
            done = tx.execute(
                update(drafts).where(drafts.c.id == draft_id, guard).values(values)
            ).rowcount
            if not done:
                review.raise_moved_meanwhile(draft_id)
            after = self._load(tx, draft_id, with_notes=False)
            _write_history(tx, after, before, actor, action, at, before.text, detail)
        return after

    def claim_draft(self, draft_id: int, *, actor: str, at: datetime) -> Draft | None:
        """approved → publishing, counting the attempt, with its history row, in one
        transaction; None when another run claimed the draft first or it is no longer approved.

        One UPDATE … RETURNING does it, guarded by the status (compare-and-set). Its subquery
        takes the row with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so a replica passes
        over a draft another replica is claiming instead of waiting for it; SQLite has no row
        locks (the clause is left out) and the UPDATE takes the database's write lock before
        it reads, so two processes never both see the draft approved.
        """
        review.check_transition(DraftStatus.APPROVED, DraftStatus.PUBLISHING)
        with self._tx() as tx:
            claimed = tx.execute(_CLAIM, {"draft_id": draft_id, "at": at}).first()
            if claimed is None:
                return None
            after = _draft_from_row(claimed)
            before = replace(after, status=DraftStatus.APPROVED)
            attempt = f"intent {after.publish_attempts}"
            _write_history(tx, after, before, actor, "claim", at, after.text, attempt)
        return after

    def add_note(self, draft_id: int, note: Note) -> None:
        with self._tx() as tx:
            self._load(tx, draft_id)
            tx.execute(insert(notes).values(draft_id=draft_id, **note.__dict__))

    def history(self, draft_id: int) -> list[HistoryEntry]:
        with self._tx() as tx:
            rows = tx.execute(
                select(history).where(history.c.draft_id == draft_id).order_by(history.c.id)
            ).all()
        return [_history_from_row(row) for row in rows]

    def due_drafts(self, now: datetime, limit: int = 100) -> list[Draft]:
        """Approved drafts whose time has come, oldest slot first (uses the status index)."""
        query = (
            select(drafts)
            .where(drafts.c.status == DraftStatus.APPROVED.value, drafts.c.scheduled_at <= now)
            .order_by(drafts.c.scheduled_at, drafts.c.id)
            .limit(limit)
        )
        with self._tx() as tx:
            return [_draft_from_row(row) for row in tx.execute(query).all()]

    def sent_posts(self, since: datetime) -> list[tuple[datetime, str]]:
        """When each post since `since` went out, and its text (for the caps and the budget):
        every post of a thread counts. A retracted post was sent, and paid for, all the same."""
        query = select(drafts.c.published_at, drafts.c.text, drafts.c.follow_ups).where(
            drafts.c.status.in_((DraftStatus.PUBLISHED.value, DraftStatus.RETRACTED.value)),
            drafts.c.published_at >= since,
        )
        with self._tx() as tx:
            rows = tx.execute(query).all()
        return [
            (row.published_at, text)
            for row in rows
            for text in (row.text, *json.loads(row.follow_ups))
        ]

    def booked_times(self, since: datetime) -> list[datetime]:
        """The slots taken since `since`: approved or going out, and already sent."""
        waiting = (DraftStatus.APPROVED.value, DraftStatus.PUBLISHING.value)
        query = select(drafts.c.scheduled_at).where(
            drafts.c.status.in_(waiting), drafts.c.scheduled_at >= since
        )
        with self._tx() as tx:
            booked = list(tx.execute(query).scalars())
        return booked + [at for at, _ in self.sent_posts(since)]

    def current_pause(self) -> Pause | None:
        query = select(pauses).where(pauses.c.resumed_at.is_(None)).order_by(pauses.c.id)
        with self._tx() as tx:
            row = tx.execute(query).first()
        return Pause(row.paused_by, row.reason, row.paused_at) if row else None

    def pause(self, pause: Pause) -> None:
        with self._tx() as tx:
            tx.execute(insert(pauses), dict(pause.__dict__))

    def resume(self, by: str, at: datetime) -> bool:
        """End the current pause; False when publishing was not paused."""
        with self._tx() as tx:
            return bool(
                tx.execute(
                    update(pauses)
                    .where(pauses.c.resumed_at.is_(None))
                    .values(resumed_by=by, resumed_at=at)
                ).rowcount
            )

    def publisher_problems(self) -> list[PublisherProblem]:
        with self._tx() as tx:
            rows = tx.execute(select(publisher_problems).order_by(publisher_problems.c.since))
            return [
                PublisherProblem(PublisherProblemKind(r.kind), r.detail, r.since, r.until)
                for r in rows
            ]

    def report_problem(self, problem: PublisherProblem) -> None:
        """Record an open problem, replacing an older one of the same kind but keeping when it
        started, so the page can say "since Monday"."""
        this_kind = publisher_problems.c.kind == problem.kind.value
        with self._tx() as tx:
            updated = tx.execute(
                update(publisher_problems)
                .where(this_kind)
                .values(detail=problem.detail, until=problem.until)
            ).rowcount
            if not updated:
                tx.execute(
                    insert(publisher_problems).values(
                        kind=problem.kind.value,
                        detail=problem.detail,
                        since=problem.since,
                        until=problem.until,
                    )
                )

    def clear_problems(self, kinds: Iterable[PublisherProblemKind]) -> None:
        values = [kind.value for kind in kinds]
        with self._tx() as tx:
            tx.execute(delete(publisher_problems).where(publisher_problems.c.kind.in_(values)))

    def stuck_publishing(self, older_than: datetime) -> list[Draft]:
        """Drafts a crashed run left half-way: claimed before `older_than` and never settled."""
        query = select(drafts).where(
            drafts.c.status == DraftStatus.PUBLISHING.value, drafts.c.updated_at < older_than
        )
        with self._tx() as tx:
            return [_draft_from_row(row) for row in tx.execute(query).all()]

    # Job leases: replicas on one database run each periodic job once at a time

    def take_lease(
        self, job: str, holder: str, now: datetime, until: datetime, started_before: datetime
    ) -> bool:
        """Take `job`'s lease until `until` if nobody holds it now and nobody started the job
        after `started_before` (so two replicas whose triggers fire a second apart run it once).
        A conditional UPDATE, then an INSERT for a job never run: atomic on SQLite and
        PostgreSQL alike, without locks held across the job."""
        free = (job_leases.c.last_started_at.is_(None)) | (
            job_leases.c.last_started_at <= started_before
        )
        with self._tx() as tx:
            taken = tx.execute(
                update(job_leases)
                .where(job_leases.c.name == job, job_leases.c.until <= now, free)
                .values(holder=holder, until=until, last_started_at=now)
            ).rowcount
        if taken:
            return True
        try:
            with self._tx() as tx:
                tx.execute(
                    insert(job_leases).values(
                        name=job, holder=holder, until=until, last_started_at=now
                    )
                )
        except IntegrityError:
            return False
        return True

    def renew_lease(self, job: str, holder: str, until: datetime) -> bool:
        """Extend a lease still held by `holder`; False when another replica took it."""
        with self._tx() as tx:
            return bool(
                tx.execute(
                    update(job_leases)
                    .where(job_leases.c.name == job, job_leases.c.holder == holder)
                    .values(until=until)
                ).rowcount
            )

    def end_lease(self, job: str, holder: str, now: datetime, result: str) -> None:
        """Release the lease at once and write down how the run went."""
        with self._tx() as tx:
            tx.execute(
                update(job_leases)
                .where(job_leases.c.name == job, job_leases.c.holder == holder)
                .values(until=now, last_finished_at=now, last_result=result)
            )

    def job_runs(self) -> dict[str, JobRun]:
        with self._tx() as tx:
            rows = tx.execute(select(job_leases)).all()
        return {row.name: JobRun(**row._asdict()) for row in rows}

    # E-mail notices

    def last_notice(self) -> Notice | None:
        query = select(notices).order_by(notices.c.sent_at.desc(), notices.c.id.desc()).limit(1)
        with self._tx() as tx:
            row = tx.execute(query).first()
        if row is None:
            return None
        return Notice(row.sent_at, tuple(json.loads(row.draft_ids)), row.recipients)

    def record_notice(self, notice: Notice) -> None:
        with self._tx() as tx:
            tx.execute(
                insert(notices).values(
                    sent_at=notice.sent_at,
                    draft_ids=json.dumps(list(notice.draft_ids)),
                    recipients=notice.recipients,
                )
            )

    def _load(self, tx: Connection, draft_id: int, *, with_notes: bool = True) -> Draft:
        """One draft; its notes only when asked, since a status change (such as each claim
        of `publish-due`) does not need them."""
        row = tx.execute(_DRAFT_BY_ID, {"draft_id": draft_id}).first()
        if row is None:
            raise UnknownDraft(f"no hi ha cap esborrany amb l'identificador {draft_id}")
        draft = _draft_from_row(row)
        if with_notes:
            note_rows = tx.execute(_NOTES_OF_DRAFT, {"draft_id": draft_id}).all()
            draft.notes = [Note(r.author, r.text, r.created_at) for r in note_rows]
        return draft


# Built once: the per-draft queries run for every claim and every change.
_DRAFT_BY_ID = select(drafts).where(drafts.c.id == bindparam("draft_id"))
_APPROVED = DraftStatus.APPROVED.value
_CLAIM = (
    update(drafts)
    .where(
        drafts.c.id == bindparam("draft_id"),  # by its key: the status index would scan them all
        drafts.c.status == _APPROVED,
        drafts.c.id.in_(
            select(drafts.c.id)
            .where(drafts.c.id == bindparam("draft_id"), drafts.c.status == _APPROVED)
            .with_for_update(skip_locked=True)
        ),
    )
    .values(
        status=DraftStatus.PUBLISHING.value,
        updated_at=bindparam("at"),
        publish_attempts=drafts.c.publish_attempts + 1,
    )
    .returning(*drafts.c)
)
_NOTES_OF_DRAFT = (
    select(notes).where(notes.c.draft_id == bindparam("draft_id")).order_by(notes.c.id)
)


def _write_history(
    tx: Connection,
    after: Draft,
    before: Draft | None,
    actor: str,
    action: str,
    at: datetime,
    text_before: str | None,
    detail: str,
) -> None:
    tx.execute(
        insert(history),
        dict(
            draft_id=after.id,
            actor=actor,
            action=action,
            at=at,
            status_before=before.status.value if before else None,
            status_after=after.status.value,
            text_before=text_before,
            text_after=after.text,
            detail=detail,
        ),
    )


def _compare(known: EventOccurrence, new: EventOccurrence) -> OccurrenceChange:
    if new.cancelled and not known.cancelled:
        return OccurrenceChange.CANCELLED
    if (new.starts_at, new.ends_at, new.all_day) != (known.starts_at, known.ends_at, known.all_day):
        return OccurrenceChange.MOVED
    return OccurrenceChange.UNCHANGED if new == known else OccurrenceChange.UPDATED


def _new_flags(
    entries: Sequence[SeenItem], known_keys: set[str], known_links: set[str]
) -> list[bool]:
    """For each entry, whether neither its guid key nor its link is known or came earlier in
    the batch (compared as stored: long keys are bounded)."""
    flags = []
    for item, key, _ in entries:
        stored_key, stored_link = bounded_key(key), bounded_key(item.link)
        fresh = stored_key not in known_keys and stored_link not in known_links
        if fresh:
            known_keys.add(stored_key)
            known_links.add(stored_link)
        flags.append(fresh)
    return flags


def _item_values(
    item: NewsItem, guid_key: str, first_seen_at: datetime, matched: Sequence[str]
) -> dict[str, Any]:
    return {
        "guid_key": guid_key,
        "link": item.link,
        "member": item.member,
        "feed_url": item.feed_url,
        "title": item.title,
        "summary": item.summary,
        "categories": json.dumps(list(item.categories), ensure_ascii=False),
        "image_url": item.image.url if item.image else None,
        "image_alt": item.image.alt if item.image else None,
        "published_at": item.published_at or first_seen_at,
        "first_seen_at": first_seen_at,
        "matched_keywords": json.dumps(list(matched), ensure_ascii=False),
    }


def _item_from_row(row: Row[Any]) -> NewsItem:
    return NewsItem(
        guid=row.guid_key,
        link=row.link,
        title=row.title,
        summary=row.summary,
        published_at=row.published_at,
        feed_url=row.feed_url,
        member=row.member,
        categories=tuple(json.loads(row.categories)),
        image=Image(row.image_url, row.image_alt) if row.image_url else None,
    )


def _occurrence_values(occurrence: EventOccurrence, now: datetime) -> dict[str, Any]:
    values = dict(occurrence.__dict__)
    values["categories"] = json.dumps(list(occurrence.categories), ensure_ascii=False)
    return values | {"event_key": occurrence.key, "updated_at": now}


def _occurrence_from_row(row: Row[Any]) -> EventOccurrence:
    fields = row._asdict()
    for internal in ("id", "event_key", "first_seen_at", "updated_at"):
        del fields[internal]
    fields["categories"] = tuple(json.loads(fields["categories"]))
    return EventOccurrence(**fields)


def _draft_values(draft: Draft) -> dict[str, Any]:
    return {
        "kind": draft.kind.value,
        "status": draft.status.value,
        "network": draft.network,
        "text": draft.text,
        "member": draft.member,
        "source_url": draft.source_url,
        "source_title": draft.source_title,
        "image_url": draft.image.url if draft.image else None,
        "image_alt": draft.image.alt if draft.image else None,
        "matched_keywords": json.dumps(list(draft.matched_keywords), ensure_ascii=False),
        "scheduled_at": draft.scheduled_at,
        "over_limit": draft.over_limit,
        "item_guid": draft.item_guid,
        "event_key": draft.event_key,
        "created_at": draft.created_at,
        "published_at": draft.published_at,
        "post_id": draft.post_id,
        "post_url": draft.post_url,
        "status_reason": draft.status_reason,
        "follow_ups": _json_list(draft.follow_ups),
        "thread_post_ids": _json_list(draft.thread_post_ids),
    }


def _json_list(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


CHANGEABLE = frozenset(
    {
        "text",
        "scheduled_at",
        "over_limit",
        "published_at",
        "post_id",
        "post_url",
        "status_reason",
        "publish_attempts",
        "follow_ups",
        "thread_post_ids",
    }
)


def _change_values(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - CHANGEABLE - {"image"}
    if unknown:
        raise TypeError(f"these draft fields cannot be changed: {sorted(unknown)}")
    values = {key: value for key, value in changes.items() if key != "image"}
    for listed in ("follow_ups", "thread_post_ids"):
        if listed in values:
            values[listed] = _json_list(values[listed])
    if "image" in changes:
        image = changes["image"]
        values["image_url"] = image.url if image else None
        values["image_alt"] = image.alt if image else None
    return values


def _draft_from_row(row: Row[Any]) -> Draft:
    return Draft(
        id=row.id,
        kind=DraftKind(row.kind),
        status=DraftStatus(row.status),
        network=row.network,
        text=row.text,
        member=row.member,
        source_url=row.source_url,
        source_title=row.source_title,
        image=Image(row.image_url, row.image_alt) if row.image_url else None,
        matched_keywords=tuple(json.loads(row.matched_keywords)),
        scheduled_at=row.scheduled_at,
        over_limit=row.over_limit,
        item_guid=row.item_guid,
        event_key=row.event_key,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
        post_id=row.post_id,
        post_url=row.post_url,
        status_reason=row.status_reason,
        publish_attempts=row.publish_attempts,
        follow_ups=tuple(json.loads(row.follow_ups)),
        thread_post_ids=tuple(json.loads(row.thread_post_ids)),
    )


def _history_from_row(row: Row[Any]) -> HistoryEntry:
    return HistoryEntry(
        draft_id=row.draft_id,
        actor=row.actor,
        action=row.action,
        at=row.at,
        status_before=DraftStatus(row.status_before) if row.status_before else None,
        status_after=DraftStatus(row.status_after),
        text_before=row.text_before,
        text_after=row.text_after,
        detail=row.detail,
    )
