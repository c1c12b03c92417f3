"""The small interfaces the service works through; adapters implement them.

The core and the service import only these Protocols and the values in `models.py`, never
httpx, feedparser, icalendar, SQLAlchemy, tweepy or a web framework.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from bot.models import (
    Draft,
    DraftKind,
    DraftStatus,
    EventOccurrence,
    FeedHealth,
    FetchRequest,
    FetchResult,
    HistoryEntry,
    JobRun,
    NewsItem,
    Note,
    Notice,
    OutgoingPost,
    Pause,
    PublishedPost,
    PublisherProblem,
    PublisherProblemKind,
)


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class FeedReading:
    """One feed after fetch and parse. `items` is empty when the feed was unchanged (304) or
    failed; `warning` carries a non-fatal parse problem (feedparser's bozo reason)."""

    fetch: FetchResult
    items: tuple[NewsItem, ...] = ()
    warning: str | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or self.fetch.error is not None


@dataclass(frozen=True)
class CalendarReading:
    """One calendar after fetch, parse and expansion over the look-ahead window. Occurrences
    come with an empty `calendar` field; the service names them after the configured calendar."""

    fetch: FetchResult
    occurrences: tuple[EventOccurrence, ...] = ()
    warning: str | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or self.fetch.error is not None


class FeedReader(Protocol):
    """Yields one reading per request, in the order they are ready, so the caller can store
    and draft the first feeds while the others are still being fetched and parsed."""

    def read_feeds(self, requests: Sequence[FetchRequest]) -> Iterator[FeedReading]: ...


class CalendarReader(Protocol):
    def read_calendars(
        self, requests: Sequence[FetchRequest], start: datetime, end: datetime
    ) -> list[CalendarReading]: ...


class Publisher(Protocol):
    """Sends one post. `publish` raises `PublishError` when the network refused it.

    `lookup` answers, after a crash, whether a draft went out: the post, None when it surely
    did not, or `PublishError` when the publisher cannot tell (a person must look). `delete`
    takes a published post back.
    """

    network: str

    def publish(self, post: OutgoingPost, now: datetime) -> PublishedPost: ...

    def lookup(self, post: OutgoingPost) -> PublishedPost | None: ...

    def delete(self, post_id: str, now: datetime) -> None: ...


class OccurrenceChange(StrEnum):
    """How a synced occurrence differs from what the store knew."""

    NEW = "new"
    UNCHANGED = "unchanged"
    UPDATED = "updated"
    MOVED = "moved"
    CANCELLED = "cancelled"


SeenItem = tuple[NewsItem, str, tuple[str, ...]]
"""A feed item as the store remembers it: the item, its guid key, the keywords it matched."""


class Store(Protocol):
    """The durable truth. Every status change is checked against `review` and written to the
    history in the same transaction."""

    def all_feed_health(self) -> list[FeedHealth]: ...
    def save_feed_health(self, *healths: FeedHealth) -> None: ...
    def record_items(self, entries: Sequence[SeenItem], first_seen_at: datetime) -> list[bool]: ...
    def unseen_items(self, entries: Sequence[SeenItem]) -> list[bool]: ...
    def compare_occurrence(
        self, occurrence: EventOccurrence
    ) -> tuple[OccurrenceChange, EventOccurrence | None]: ...
    def save_occurrence(self, occurrence: EventOccurrence, now: datetime) -> None: ...
    def occurrence(self, event_key: str) -> EventOccurrence | None: ...
    def live_occurrences(
        self, calendar: str, start: datetime, end: datetime
    ) -> list[EventOccurrence]: ...
    def mark_cancelled(self, event_key: str, now: datetime) -> None: ...
    def add_draft(
        self, draft: Draft, actor: str, dedupe_key: str | None = None
    ) -> Draft | None: ...
    def get_draft(self, draft_id: int) -> Draft: ...
    def list_drafts(
        self, statuses: Sequence[DraftStatus] = (), kinds: Sequence[DraftKind] = ()
    ) -> list[Draft]: ...
    def drafts_for_event(self, event_key: str) -> list[Draft]: ...
    def keyed_drafts_for_event(self, event_key: str) -> list[tuple[str | None, Draft]]: ...
    def news_between(self, start: datetime, end: datetime) -> list[NewsItem]: ...
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
    ) -> Draft: ...
    def claim_draft(self, draft_id: int, *, actor: str, at: datetime) -> Draft | None: ...
    def add_note(self, draft_id: int, note: Note) -> None: ...
    def history(self, draft_id: int) -> list[HistoryEntry]: ...
    def due_drafts(self, now: datetime, limit: int = 100) -> list[Draft]: ...
    def stuck_publishing(self, older_than: datetime) -> list[Draft]: ...
    def sent_posts(self, since: datetime) -> list[tuple[datetime, str]]: ...
    def booked_times(self, since: datetime) -> list[datetime]: ...
    def current_pause(self) -> Pause | None: ...
    def pause(self, pause: Pause) -> None: ...
    def resume(self, by: str, at: datetime) -> bool: ...
    def publisher_problems(self) -> list[PublisherProblem]: ...
    def report_problem(self, problem: PublisherProblem) -> None: ...
    def clear_problems(self, kinds: Iterable[PublisherProblemKind]) -> None: ...
    def take_lease(
        self, job: str, holder: str, now: datetime, until: datetime, started_before: datetime
    ) -> bool: ...
    def renew_lease(self, job: str, holder: str, until: datetime) -> bool: ...
    def end_lease(self, job: str, holder: str, now: datetime, result: str) -> None: ...
    def job_runs(self) -> dict[str, JobRun]: ...
    def last_notice(self) -> Notice | None: ...
    def record_notice(self, notice: Notice) -> None: ...


@dataclass(frozen=True)
class OutgoingMail:
    to: tuple[str, ...]
    subject: str
    body: str


class Mailer(Protocol):
    """Sends one e-mail; raises `NotifyError` when the mail server cannot take it."""

    def send(self, mail: OutgoingMail) -> None: ...
