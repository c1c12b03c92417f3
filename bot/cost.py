"""What a post costs on X, from the price table in the config, and the month's budget. Pure.

Since 2026 X charges per request for most accounts; a post with a link costs more. The group
sees each draft's estimate in the queue and `publish-due` holds posts back once the month's
spending would pass the budget, as it does for the caps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.weighted_length import url_spans


@dataclass(frozen=True)
class Prices:
    post: float
    post_with_link: float
    monthly_budget: float | None = None
    currency: str = "USD"


@lru_cache(maxsize=4096)
def estimate(text: str, prices: Prices) -> float:
    """One post: each post of a thread is a request of its own and is paid for. Cached: a
    run checks the budget for every due draft against the same posts already sent."""
    return prices.post_with_link if url_spans(text) else prices.post


def estimate_posts(posts: Sequence[str], prices: Prices) -> float:
    """A draft's posts: one for most drafts, several for a thread."""
    return sum(estimate(text, prices) for text in posts)


def month_spent(
    now: datetime, sent: Sequence[tuple[datetime, str]], prices: Prices, zone: ZoneInfo
) -> float:
    """What the posts sent in `now`'s local month cost."""
    month = now.astimezone(zone).strftime("%Y-%m")
    return sum(
        estimate(body, prices)
        for at, body in sent
        if at.astimezone(zone).strftime("%Y-%m") == month
    )


def over_budget(
    cost: float,
    now: datetime,
    sent: Sequence[tuple[datetime, str]],
    prices: Prices,
    zone: ZoneInfo,
) -> str | None:
    """Why spending `cost` more at `now` would pass the month's budget, or None."""
    if prices.monthly_budget is None:
        return None
    spent = month_spent(now, sent, prices, zone)
    if spent + cost > prices.monthly_budget:
        return (
            f"pressupost mensual de {prices.monthly_budget:.2f} {prices.currency} esgotat "
            f"(gastat {spent:.2f})"
        )
    return None
