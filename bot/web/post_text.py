"""A post's text cut into the pieces X shows differently: links (as their 23-character
display), @handles and #hashtags. Pure; the template escapes each piece."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.weighted_length import URL_WEIGHT, url_spans

_MENTION_OR_TAG = re.compile(r"(?<![\w@#])([@＠]\w{1,15}|[#＃]\w*[^\W\d_]\w*)")
_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)


@dataclass(frozen=True)
class Piece:
    kind: str
    """"text", "link", "mention" or "hashtag"."""
    text: str
    href: str = ""


def pieces(text: str) -> list[Piece]:
    """The text in order, with each link shown as X shows it and linking to where it goes."""
    found: list[Piece] = []
    start = 0
    for begin, end in url_spans(text):
        found += _words(text[start:begin])
        url = text[begin:end]
        found.append(Piece("link", link_display(url), _href(url)))
        start = end
    return found + _words(text[start:])


def link_display(url: str) -> str:
    """X's display of a link: no scheme nor `www.`, cut to 23 characters with an ellipsis."""
    bare = _SCHEME.sub("", url)
    return bare if len(bare) <= URL_WEIGHT else bare[: URL_WEIGHT - 1] + "…"


def _href(url: str) -> str:
    """Only http(s) targets become links; X adds the scheme to a bare domain, and so do we."""
    return url if re.match(r"https?://", url, re.IGNORECASE) else f"https://{url}"


def _words(text: str) -> list[Piece]:
    found, start = [], 0
    for match in _MENTION_OR_TAG.finditer(text):
        if match.start() > start:
            found.append(Piece("text", text[start : match.start()]))
        kind = "mention" if match.group()[0] in "@＠" else "hashtag"
        found.append(Piece(kind, match.group()))
        start = match.end()
    if start < len(text):
        found.append(Piece("text", text[start:]))
    return found
