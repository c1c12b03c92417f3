"""The page's reads of the queue: one page of drafts at a time, pending first, filtered in SQL,
so the queue page costs the same with ten drafts or ten thousand (see `benchmarks/web_pages`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, case, func, select

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
        conditions: list[ColumnElement[bool]] = [
            drafts.c.status.in_([s.value for s in wanted.statuses])
        ]
        if wanted.kind:
            conditions.append(drafts.c.kind == wanted.kind)
        if wanted.member:
            conditions.append(drafts.c.member == wanted.member)
        pending_first = case((drafts.c.status == DraftStatus.PENDING.value, 0), else_=1)
        query = (
            select(drafts)
            .where(*conditions)
            .order_by(pending_first, drafts.c.created_at.desc(), drafts.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        with self.engine.begin() as tx:
            rows = tx.execute(query).all()
            total = tx.execute(select(func.count()).select_from(drafts).where(*conditions))
            return QueuePage([_draft_from_row(row) for row in rows], total.scalar_one())

    def members(self) -> list[str]:
        """Every member with a draft, for the queue's filter."""
        query = select(drafts.c.member).where(drafts.c.member.is_not(None)).distinct()
        with self.engine.begin() as tx:
            return sorted(tx.execute(query).scalars())

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
