"""What a post costs on X, from the price table in the config, and the month's budget. Pure.

Since 2026 X charges per request for most accounts; a post with a link costs more. The group
sees each draft's estimate in the queue and `publish-due` holds posts back once the month's
spending would pass the budget, as it does for the caps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.weighted_length import url_spans


@dataclass(frozen=True)
class Prices:
    post: float
    post_with_link: float
    monthly_budget: float | None = None
    currency: str = "USD"


def estimate(text: str, prices: Prices) -> float:
    """One post: each post of a thread is a request of its own and is paid for."""
    return prices.post_with_link if url_spans(text) else prices.post


def estimate_posts(posts: Sequence[str], prices: Prices) -> float:
    """A draft's posts: one for most drafts, several for a thread."""
    return sum(estimate(text, prices) for text in posts)


def priced(sent: Sequence[tuple[datetime, str]], prices: Prices) -> list[tuple[datetime, float]]:
    """When each post went out and what it cost: priced once, then summed for every draft a
    run checks against the budget."""
    return [(at, estimate(text, prices)) for at, text in sent]


def month_spent(now: datetime, spent: Sequence[tuple[datetime, float]], zone: ZoneInfo) -> float:
    """What the posts sent in `now`'s local month cost."""
    local_start = now.astimezone(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    local_end = (local_start + timedelta(days=32)).replace(day=1)
    start, end = local_start.astimezone(UTC), local_end.astimezone(UTC)  # compared in UTC: fast
    return sum(price for at, price in spent if start <= at < end)


def over_budget(
    cost: float,
    now: datetime,
    spent: Sequence[tuple[datetime, float]],
    prices: Prices,
    zone: ZoneInfo,
) -> str | None:
    """Why spending `cost` more at `now` would pass the month's budget, given what each post
    sent cost (`priced`), or None."""
    if prices.monthly_budget is None:
        return None
    this_month = month_spent(now, spent, zone)
    if this_month + cost > prices.monthly_budget:
        return (
            f"pressupost mensual de {prices.monthly_budget:.2f} {prices.currency} esgotat "
            f"(gastat {this_month:.2f})"
        )
    return None
