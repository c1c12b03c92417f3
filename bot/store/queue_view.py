"""The page's reads of the queue: one page of drafts at a time, pending first, filtered in SQL,
so the queue page costs the same with ten drafts or ten thousand (see `benchmarks/web_pages`).

Pending drafts and the others are read as two groups, each newest first straight from an
index on (status, created_at) (or on member or kind first when filtered), instead of sorting
every matching row to put the pending ones first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Engine, func, select

from bot.models import Draft, DraftStatus
from bot.store.schema import drafts
from bot.store.sql_store import _draft_from_row


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[DraftStatus, ...]
    kind: str = ""
    member: str = ""


@dataclass(frozen=True)
class QueuePage:
    drafts: list[Draft]
    total: int


class QueueView:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def page(self, wanted: QueueFilter, offset: int, limit: int) -> QueuePage:
        """Drafts matching `wanted`, pending first, then newest first."""
        found: list[Draft] = []
        total = 0
        with self.engine.begin() as tx:
            for group in _pending_first(wanted.statuses):
                conditions = _conditions(wanted, group)
                count = tx.execute(select(func.count()).where(*conditions)).scalar_one()
                if offset < count and len(found) < limit:
                    found += _newest(tx, conditions, offset, limit - len(found))
                offset, total = max(0, offset - count), total + count
        return QueuePage(found, total)

    def scheduled(
        self, statuses: Sequence[DraftStatus], start: datetime, end: datetime
    ) -> list[Draft]:
        """Drafts with these statuses set to go out in [start, end), soonest first."""
        query = (
            select(drafts)
            .where(
                drafts.c.status.in_([s.value for s in statuses]),
                drafts.c.scheduled_at >= start,
                drafts.c.scheduled_at < end,
            )
            .order_by(drafts.c.scheduled_at, drafts.c.id)
        )
        with self.engine.begin() as tx:
            return [_draft_from_row(row) for row in tx.execute(query).all()]


def _pending_first(statuses: tuple[DraftStatus, ...]) -> list[tuple[DraftStatus, ...]]:
    rest = tuple(s for s in statuses if s is not DraftStatus.PENDING)
    groups: list[tuple[DraftStatus, ...]] = []
    if DraftStatus.PENDING in statuses:
        groups.append((DraftStatus.PENDING,))
    return [*groups, rest] if rest else groups


def _conditions(
    wanted: QueueFilter, statuses: tuple[DraftStatus, ...]
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [drafts.c.status.in_([s.value for s in statuses])]
    if wanted.kind:
        conditions.append(drafts.c.kind == wanted.kind)
    if wanted.member:
        conditions.append(drafts.c.member == wanted.member)
    return conditions


def _newest(
    tx: Connection, conditions: list[ColumnElement[bool]], offset: int, limit: int
) -> list[Draft]:
    query = (
        select(drafts)
        .where(*conditions)
        .order_by(drafts.c.created_at.desc(), drafts.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [_draft_from_row(row) for row in tx.execute(query).all()]
