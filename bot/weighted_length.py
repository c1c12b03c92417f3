"""A post's length as X counts it, and what X reads as a link.

X weighs text, not characters: every link counts 23, emoji and CJK count 2, and so does "…".
`twitter-text-parser` is X's own rule, ported; it costs ~3 ms per 300-character text, so
callers search for a cut point with few calls (see `drafting.fit`) rather than one per word.
"""

from __future__ import annotations

from twitter_text import extract_urls_with_indices, parse_tweet

X_LIMIT = 280


def weighted_length(text: str) -> int:
    """X's weighted length of `text` (the number X compares with 280)."""
    return int(parse_tweet(text).weightedLength)


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each piece of `text` that X will turn into a link."""
    return [(url["indices"][0], url["indices"][1]) for url in extract_urls_with_indices(text)]
