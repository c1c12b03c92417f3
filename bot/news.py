"""Which feed entries become drafts: identity across feeds, freshness, relevance. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.models import NewsItem
from bot.relevance import matched_keywords


def guid_key(item: NewsItem) -> str:
    """The key an entry is remembered by across all feeds.

    A guid that is a URL or a URN names the entry everywhere, so the same news syndicated by
    two councils is drafted once. A bare guid such as "1234" is only unique within its feed,
    so it is qualified with the feed's URL to keep two councils' entry 1234 apart.
    """
    if ":" in item.guid or "/" in item.guid:
        return item.guid
    return f"{item.feed_url}#{item.guid}"


def is_fresh(published_at: datetime, now: datetime, max_age_days: int) -> bool:
    """Older entries are remembered but never drafted: adding a council with a 50-item
    archive must not bury the queue."""
    return now - published_at <= timedelta(days=max_age_days)


def relevance(item: NewsItem, keywords: list[str]) -> tuple[str, ...] | None:
    """The keywords an item matched, () when every item is kept, None when it is irrelevant."""
    if not keywords:
        return ()
    found = matched_keywords(keywords, item.title, item.summary, " · ".join(item.categories))
    return found or None
