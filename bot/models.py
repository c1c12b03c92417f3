"""Plain values that flow between the core and the adapters.

Times are timezone-aware and in UTC everywhere in these values; the local time zone is applied
only when text is written for people (see `catalan.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class DraftStatus(StrEnum):
    """Where a draft stands; the allowed moves between them live in `review.py`."""

    PENDING = "pending"
    APPROVED = "approved"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    REJECTED = "rejected"
    FAILED = "failed"
    NEEDS_CHECK = "needs-check"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    RETRACTED = "retracted"


class DraftKind(StrEnum):
    NEWS = "news"
    EVENT = "event"
    MANUAL = "manual"
    REMINDER = "reminder"
    CANCELLATION = "cancellation"
    DIGEST = "digest"
    CORRECTION = "correction"


@dataclass(frozen=True)
class Image:
    url: str
    alt: str | None = None


MAX_ALT_TEXT = 1000
"""X's limit for an image's alt text."""


@dataclass(frozen=True)
class NewsItem:
    """One normalised feed entry.

    `guid` is the feed's own id (or the canonical link when the feed has none); `link` is the
    canonical link (absolute, tracking parameters removed). `published_at` is None when the feed
    gives no date: the service then uses the moment the item was first seen.
    """

    guid: str
    link: str
    title: str
    summary: str
    published_at: datetime | None
    feed_url: str
    member: str = ""
    categories: tuple[str, ...] = ()
    image: Image | None = None


@dataclass(frozen=True)
class EventOccurrence:
    """One occurrence of a calendar event, recurring ones expanded.

    `recurrence_id` is "" for a one-off event and the original start (ISO 8601, UTC) for an
    occurrence of a recurring one, so (calendar, uid, recurrence_id) names it for good even
    when it is moved. All-day events start at local midnight (stored in UTC) with `all_day` set.
    """

    calendar: str
    uid: str
    recurrence_id: str
    sequence: int
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool = False
    location: str = ""
    description: str = ""
    url: str | None = None
    cancelled: bool = False
    private: bool = False
    categories: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.calendar}\x1f{self.uid}\x1f{self.recurrence_id}"


@dataclass(frozen=True)
class FittedText:
    """A post's text after fitting to a network's length; `fits` is False when even the
    shortest form is too long (the draft is then kept and flagged, never dropped)."""

    text: str
    weighted_length: int
    fits: bool


@dataclass
class Draft:
    """A post waiting for people, or on its way out. `id` is None until stored."""

    kind: DraftKind
    text: str
    created_at: datetime
    status: DraftStatus = DraftStatus.PENDING
    id: int | None = None
    network: str = "x"
    member: str | None = None
    source_url: str | None = None
    source_title: str | None = None
    image: Image | None = None
    matched_keywords: tuple[str, ...] = ()
    scheduled_at: datetime | None = None
    over_limit: bool = False
    item_guid: str | None = None
    event_key: str | None = None
    updated_at: datetime | None = None
    published_at: datetime | None = None
    post_id: str | None = None
    post_url: str | None = None
    status_reason: str | None = None
    publish_attempts: int = 0
    follow_ups: tuple[str, ...] = ()
    """The posts after `text` when the draft is a thread (the weekly digest): each goes out as
    a reply to the one before."""
    thread_post_ids: tuple[str, ...] = ()
    """The ids of the thread's posts already on X, in order, so a chain cut half way resumes
    from its last post instead of starting again."""
    notes: list[Note] = field(default_factory=list)

    @property
    def posts(self) -> tuple[str, ...]:
        """Every post the draft makes, in order: one for most drafts, several for a thread."""
        return (self.text, *self.follow_ups)


@dataclass(frozen=True)
class Note:
    """A private remark from the group on a draft; never published."""

    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class HistoryEntry:
    """One change to a draft, kept forever: who, when, what, and the draft before and after."""

    draft_id: int
    actor: str
    action: str
    at: datetime
    status_before: DraftStatus | None
    status_after: DraftStatus
    text_before: str | None
    text_after: str
    detail: str = ""


@dataclass(frozen=True)
class FeedHealth:
    """What the bot knows about one feed or calendar URL between polls."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    retry_after: datetime | None = None


@dataclass(frozen=True)
class FetchRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """What came back for one URL. Exactly one of `body`, `not_modified` or `error` says what
    happened; `error` is a sentence a person can act on."""

    url: str
    final_url: str
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None


@dataclass(frozen=True)
class OutgoingPost:
    """One post as a publisher sends it: a draft's text, or one post of its thread.

    `reply_to` is the post it answers (the one before it in the thread). `retry` says an
    earlier attempt of this draft may have gone out without an answer, so a duplicate refusal
    can mean "already out". The image goes with the first post of a draft only. `sent_after`
    is when this attempt began (the claim): a lookup need not search posts much older.
    """

    draft_id: int
    text: str
    index: int = 0
    reply_to: str | None = None
    image: Image | None = None
    retry: bool = False
    sent_after: datetime | None = None


@dataclass(frozen=True)
class PublishedPost:
    """What a publisher reports after a post went out; `warning` says what went out
    differently from the draft (e.g. without its image, and why)."""

    post_id: str
    url: str | None
    published_at: datetime
    warning: str | None = None


@dataclass(frozen=True)
class Pause:
    """All publishing stopped by a person (an emergency, official mourning) until resumed."""

    paused_by: str
    reason: str
    paused_at: datetime


@dataclass(frozen=True)
class Blackout:
    """Local dates, both included, when nothing is published (e.g. an election period)."""

    start: date
    end: date
    reason: str


class PublisherProblemKind(StrEnum):
    """Publisher troubles a person must know about, shown by `publish-due` and the health page."""

    CREDENTIALS = "credentials"
    RATE_LIMIT = "rate-limit"
    DAILY_LIMIT = "daily-limit"
    BUDGET = "budget"
    REPLIES_REFUSED = "replies-refused"


@dataclass(frozen=True)
class PublisherProblem:
    """One open trouble with the publisher: what, since when, and until when if it ends alone."""

    kind: PublisherProblemKind
    detail: str
    since: datetime
    until: datetime | None = None


@dataclass(frozen=True)
class JobRun:
    """What the database knows of one periodic job: who holds its lease and until when, and
    how its last run went (on any replica)."""

    name: str
    holder: str
    until: datetime
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_result: str | None = None


@dataclass(frozen=True)
class Notice:
    """One e-mail sent to the editors about the drafts waiting for them."""

    sent_at: datetime
    draft_ids: tuple[int, ...]
    recipients: int
