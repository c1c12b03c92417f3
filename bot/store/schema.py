"""Tables. Times are stored as naive UTC and come back aware (`UtcDateTime`), on every backend.

Migrations in `bot/migrations/versions` build these tables; a test checks that a migrated
database matches this metadata, so the two cannot drift apart.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Refuses naive datetimes on the way in; returns aware UTC on the way out."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store: pass an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


KEY_MAX_BYTES = 1000
"""Keys from outside (a guid, a link, an event's UID) longer than this are stored shortened."""


def bounded_key(value: str) -> str:
    """`value`, or for one over KEY_MAX_BYTES its head and the SHA-256 of the whole: as unique,
    the same each time, and short enough for any index (PostgreSQL's btree refuses entries over
    about 2.7 kB, and a hostile feed can send a link of any length). Idempotent."""
    encoded = value.encode()
    if len(encoded) <= KEY_MAX_BYTES:
        return value
    digest = "#sha256:" + hashlib.sha256(encoded).hexdigest()
    return encoded[: KEY_MAX_BYTES - len(digest)].decode(errors="ignore") + digest


class BoundedKey(TypeDecorator[str]):
    """A unique or indexed key column: every value bound to it, stored or looked up, goes
    through `bounded_key`, so lookups find what was stored."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else bounded_key(value)


metadata = MetaData()

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guid_key", BoundedKey(2048), nullable=False, unique=True),
    Column("link", BoundedKey(2048), nullable=False, index=True),
    Column("member", Text, nullable=False),
    Column("feed_url", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("categories", Text, nullable=False, default="[]"),
    Column("image_url", Text),
    Column("image_alt", Text),
    Column("published_at", UtcDateTime, nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("matched_keywords", Text, nullable=False, default="[]"),
)

occurrences = Table(
    "occurrences",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_key", BoundedKey(2048), nullable=False, unique=True),
    Column("calendar", Text, nullable=False),
    Column("uid", Text, nullable=False),
    Column("recurrence_id", String(64), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("all_day", Boolean, nullable=False),
    Column("location", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("url", Text),
    Column("cancelled", Boolean, nullable=False),
    Column("private", Boolean, nullable=False),
    Column("categories", Text, nullable=False, default="[]"),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

feed_health = Table(
    "feed_health",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_success_at", UtcDateTime),
    Column("last_error", Text),
    Column("last_error_at", UtcDateTime),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("retry_after", UtcDateTime),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("network", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("member", Text),
    Column("source_url", Text),
    Column("source_title", Text),
    Column("image_url", Text),
    Column("image_alt", Text),
    Column("matched_keywords", Text, nullable=False, default="[]"),
    Column("scheduled_at", UtcDateTime),
    Column("over_limit", Boolean, nullable=False, default=False),
    Column("item_guid", Text),
    Column("event_key", BoundedKey(2048), index=True),
    Column("dedupe_key", BoundedKey(2200), unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime),
    Column("post_id", Text),
    Column("post_url", Text),
    Column("status_reason", Text),
    Column("publish_attempts", Integer, nullable=False, server_default="0"),
    Column("follow_ups", Text, nullable=False, server_default="[]"),
    Column("thread_post_ids", Text, nullable=False, server_default="[]"),
    Index("ix_drafts_status_scheduled_at", "status", "scheduled_at"),
)

notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False, index=True),
    Column("author", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

history = Table(
    "history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False, index=True),
    Column("actor", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("status_before", String(20)),
    Column("status_after", String(20), nullable=False),
    Column("text_before", Text),
    Column("text_after", Text, nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

pauses = Table(
    "pauses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("paused_by", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("paused_at", UtcDateTime, nullable=False),
    Column("resumed_by", String(200)),
    Column("resumed_at", UtcDateTime),
)

publisher_problems = Table(
    "publisher_problems",
    metadata,
    Column("kind", String(40), primary_key=True),
    Column("detail", Text, nullable=False),
    Column("since", UtcDateTime, nullable=False),
    Column("until", UtcDateTime),
)

job_leases = Table(
    "job_leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("until", UtcDateTime, nullable=False),
    Column("last_started_at", UtcDateTime),
    Column("last_finished_at", UtcDateTime),
    Column("last_result", Text),
)

notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("draft_ids", Text, nullable=False),
    Column("recipients", Integer, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("language", String(10), nullable=False, server_default="ca"),
    Column("failed_signins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
)

web_secrets = Table(
    "web_secrets",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)

# The queue page reads one status at a time, newest first, optionally for one member or kind.
Index("ix_drafts_status_created_at", drafts.c.status, drafts.c.created_at)
Index("ix_drafts_member_status_created", drafts.c.member, drafts.c.status, drafts.c.created_at)
Index("ix_drafts_kind_status_created", drafts.c.kind, drafts.c.status, drafts.c.created_at)
