"""A post's length as X counts it, and what X reads as a link.

X weighs text, not characters: every link counts 23, emoji and CJK count 2, and so do "…"
and "€". `twitter-text-parser` is X's own rule, ported, but it costs ~3 ms per 300-character
text, most of it in its emoji scan. Text made only of Latin letters and European punctuation
cannot hold an emoji, so there the weight is a count: characters, plus the few that weigh 2,
with each link counted 23. Anything else takes twitter-text's full path. A property test
checks that both paths agree.
"""

from __future__ import annotations

import re
import unicodedata

from twitter_text import extract_urls_with_indices, parse_tweet

X_LIMIT = 280
URL_WEIGHT = 23

# ASCII, Latin-1 without © and ®, Latin Extended-A/B (ŀ), general punctuation up to U+2027,
# the narrow no-break space and €: none of these can start or continue an emoji sequence.
_EMOJI_FREE = re.compile("[\x00-\xa8\xaa-\xad\xaf-\u024f\u2010-\u2027\u202f\u20ac]*")
# Within that alphabet, these fall outside X's weight-1 ranges.
_WEIGHS_TWO = re.compile("[\u2020-\u2027\u202f\u20ac]")
_LINE_ENDINGS = re.compile(r"\r\n|\r")


def weighted_length(text: str) -> int:
    """X's weighted length of `text` (the number X compares with 280)."""
    normalized = _LINE_ENDINGS.sub("\n", unicodedata.normalize("NFC", text))
    if not _EMOJI_FREE.fullmatch(normalized):
        return int(parse_tweet(text).weightedLength)
    length, start = 0, 0
    for begin, end in url_spans(normalized):
        length += _counted(normalized[start:begin]) + URL_WEIGHT
        start = end
    return length + _counted(normalized[start:])


def _counted(text: str) -> int:
    return len(text) + len(_WEIGHS_TWO.findall(text))


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each piece of `text` that X will turn into a link."""
    return [(url["indices"][0], url["indices"][1]) for url in extract_urls_with_indices(text)]
