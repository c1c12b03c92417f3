"""RSS and Atom feeds: parse with feedparser and normalise into `NewsItem`s (no network).

Kept apart from the HTTP reader (`feeds.py`) so the parse worker processes load feedparser
and nh3 but not httpx.

Normalisation rules (the rest of the bot relies on them):

* `title`, `summary` and category terms are plain text: HTML is flattened (script, style,
  iframe and similar lose their content too), entities decoded, whitespace folded; no markup
  and no `javascript:` survive, even when the feed escaped its markup twice.
* `link` is absolute http(s), with tracking parameters (utm_*, fbclid, ...) and the fragment
  removed (a `#!` route is kept: it names the page), scheme and host lower-cased, default port
  dropped. An entry whose own link is missing or not http(s) (javascript:, data:, mailto:)
  falls back to the feed's own link, and to "" when that is unusable too.
* `guid` is the feed's id, else the entry's own canonical link, else a hash of title and
  summary (never the feed-link fallback, which many entries would share).
* `published_at` is UTC; None when absent or absurd (before 1990, or more than a day ahead),
  so the service uses the moment it first saw the item.
* An entry with neither title nor summary is skipped: there is nothing to post.

A document that is not a feed, or that declares XML entities (the shape of entity-expansion
attacks), raises `SourceError`; a feed with format errors that feedparser could still read
keeps its entries and reports the problem as `ParsedFeed.warning`.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import re
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from types import FrameType
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import feedparser
import nh3
from feedparser.encodings import convert_to_utf8

from bot.clock import SystemClock
from bot.errors import SourceError
from bot.models import FetchResult, Image, NewsItem

logger = logging.getLogger(__name__)

MIN_PUBLISHED_YEAR = 1990
MAX_FUTURE_SKEW = timedelta(days=1)
DEFAULT_PARSE_TIMEOUT_S = 30.0
FLATTEN_PASSES = 4

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "mkt_tok", "_hsenc", "_hsmi",
        "oly_anon_id", "oly_enc_id", "vero_id", "ref_src",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_",)
# Elements whose content is not text for a reader: removed whole, not just their tags.
DROPPED_ELEMENTS = frozenset(
    {
        "script", "style", "iframe", "noscript", "template", "object", "embed", "applet",
        "frame", "frameset", "noembed", "noframes", "svg", "math", "select", "textarea",
        "head", "title", "xmp",
    }
)  # fmt: skip
_DROPPED = set(DROPPED_ELEMENTS)  # nh3 wants a set, not a frozenset
_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer"
    r"|h[1-6]|header|hr|li|nav|ol|p|pre|section|table|td|th|tr|ul)\b[^>]*>",
    re.IGNORECASE,
)
_SCRIPT_SCHEME = re.compile(r"(?:j\s*a\s*v\s*a|v\s*b)\s*s\s*c\s*r\s*i\s*p\s*t\s*:", re.IGNORECASE)
_CONTROL_CHARS = dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F])
_URL_WHITESPACE = re.compile(r"[\t\n\r]")
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<\w")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ParsedFeed:
    items: tuple[NewsItem, ...]
    warning: str | None = None


# --- parsing ------------------------------------------------------------------------------


def parse_feed(
    body: bytes, *, content_type: str | None, url: str, now: datetime | None = None
) -> ParsedFeed:
    """Parses one feed document fetched from `url` (the base for relative links).

    `now` bounds believable publication dates (default: the system clock). Raises
    `SourceError` when the document is not a feed or declares XML entities."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    body = _recode_bomless_utf16(body, content_type)
    _refuse_entity_declarations(body, headers, url)
    # feedparser's own sanitiser keeps the text of the elements it drops (an iframe's
    # fallback text, say); `plain_text` removes such elements whole, so it does the cleaning.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False)
    problem = str(parsed.bozo_exception) if parsed.bozo else None
    if not parsed.entries and not parsed.get("version"):
        raise SourceError(_not_a_feed(body, url, problem))
    moment = now or SystemClock().now()
    fallback = canonical_link(parsed.feed.get("link", ""), url) or ""
    items = (_news_item(entry, url, fallback, moment) for entry in parsed.entries)
    warning = f"el canal té errors de format: {problem}" if problem else None
    return ParsedFeed(tuple(item for item in items if item is not None), warning)


def _recode_bomless_utf16(body: bytes, content_type: str | None) -> bytes:
    """UTF-16 with neither BOM, XML declaration nor HTTP charset defeats feedparser's
    sniffing, yet its first character, `<` next to a zero byte, gives the byte order away."""
    if "charset" in (content_type or "").lower():
        return body
    for start, encoding in ((b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be")):
        if body.startswith(start):
            return body.decode(encoding, errors="replace").encode("utf-8")
    return body


def _refuse_entity_declarations(body: bytes, headers: Mapping[str, str], url: str) -> None:
    """feedparser drops nested entities but keeps flat ones, and a 100 KB entity used a
    thousand times costs seconds and hundreds of MB. Feeds have no use for entities, so a
    prolog that declares any is refused. The check runs on the text decoded as feedparser
    decodes it, since UTF-16 or EBCDIC bytes would hide `<!ENTITY` from a byte search."""
    decoded = convert_to_utf8(dict(headers), body, {})
    first_element = _FIRST_ELEMENT.search(decoded)
    prolog = decoded[: first_element.start()] if first_element else decoded
    if _ENTITY_DECLARATION.search(prolog):
        raise SourceError(
            f"el document de {url} declara entitats XML (<!ENTITY>): no el llegim, perquè "
            "és la forma dels atacs d'expansió d'entitats"
        )


def _not_a_feed(body: bytes, url: str, problem: str | None) -> str:
    if not body.strip():
        return f"el document de {url} és buit"
    reason = f" ({problem})" if problem else ""
    return f"el document de {url} no és un canal RSS ni Atom{reason}"


def _news_item(entry: dict[str, Any], url: str, fallback: str, now: datetime) -> NewsItem | None:
    title = plain_text(entry.get("title", ""))
    markup = _entry_markup(entry)
    summary = plain_text(markup)
    if not title and not summary:
        return None
    own_link = canonical_link(entry.get("link", ""), url)
    return NewsItem(
        guid=(entry.get("id") or "").strip() or own_link or _content_hash(title, summary),
        link=own_link or fallback,
        title=title,
        summary=summary,
        published_at=_published_at(entry, now),
        feed_url=url,
        categories=_categories(entry),
        image=_image(entry, markup, url),
    )


def _entry_markup(entry: Mapping[str, Any]) -> str:
    """The summary (usually the shorter text) or else the content, as feedparser left it."""
    return str(entry.get("summary") or _content_markup(entry))


def _content_hash(title: str, summary: str) -> str:
    return "sha256:" + hashlib.sha256(f"{title}\x1f{summary}".encode()).hexdigest()


def _published_at(entry: dict[str, Any], now: datetime) -> datetime | None:
    """The entry's publication (else update) time in UTC, or None when absent or absurd.

    `dict.get` reads the update time as stored: feedparser's own `get` would fall back to the
    publication date with a DeprecationWarning."""
    parsed = entry.get("published_parsed") or dict.get(entry, "updated_parsed")
    if parsed is None:
        return None
    try:
        year, month, day, hour, minute, second = parsed[:6]
        moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    if moment.year < MIN_PUBLISHED_YEAR or moment > now + MAX_FUTURE_SKEW:
        return None
    return moment


def _categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    terms = (plain_text(tag.get("term") or tag.get("label") or "") for tag in entry.get("tags", ()))
    return tuple(dict.fromkeys(term for term in terms if term))


# --- text ---------------------------------------------------------------------------------


def plain_text(markup: str) -> str:
    """HTML (or text that may hide HTML) as one line of plain text, safe to show anywhere.

    Cleaning repeats until nothing changes, because feeds often escape their HTML twice and
    a pass only turns `&lt;script&gt;` back into `<script>`; text still changing after
    `FLATTEN_PASSES` loses its angle brackets, so no markup can survive."""
    text = markup.translate(_CONTROL_CHARS)
    for _ in range(FLATTEN_PASSES):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    else:
        text = _without_script_schemes(text.replace("<", " ").replace(">", " "))
    return " ".join(text.split())


def _clean_once(text: str) -> str:
    if "<" in text or "&" in text:
        spaced = _BLOCK_TAG.sub(lambda tag: " " + tag.group(0) + " ", text)
        text = html.unescape(nh3.clean(spaced, tags=set(), clean_content_tags=_DROPPED))
    return _without_script_schemes(text)


def _without_script_schemes(text: str) -> str:
    """Removes `javascript:` and `vbscript:` until none is left, since removing one can join
    the halves of another (`javajavascript:script:`)."""
    removed = 1
    while removed:
        text, removed = _SCRIPT_SCHEME.subn("", text)
    return text


# --- links --------------------------------------------------------------------------------


def canonical_link(href: str, base: str) -> str | None:
    """`href` made absolute against `base`, without tracking parameters or fragment;
    None when it is not an http(s) URL."""
    absolute = absolute_http_url(href, base)
    if absolute is None:
        return None
    parts = urlsplit(absolute)
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, fragment))


def absolute_http_url(href: str, base: str) -> str | None:
    """`href` resolved against `base`, percent-encoded, scheme and host lower-cased, default
    port and credentials dropped; None unless it is http(s) with a host."""
    href = _URL_WHITESPACE.sub("", href).strip()
    if not href:  # urljoin would answer with the base itself
        return None
    try:
        parts = urlsplit(urljoin(base, href))
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(parts.path, safe="/%:@!$&'()*+,;=~")
    query = quote(parts.query, safe="/?%:@!$&'()*+,;=~")
    return urlunsplit((scheme, netloc, path, query, parts.fragment))


def _is_tracking(parameter: str) -> bool:
    name = unquote(parameter.split("=", 1)[0]).lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


# --- images -------------------------------------------------------------------------------


def _image(entry: Mapping[str, Any], markup: str, base: str) -> Image | None:
    """The entry's declared image (enclosure, media:content, media:thumbnail), else the first
    <img> of its HTML; the alt text comes from an <img> with the same address."""
    pictures = _html_images(_content_markup(entry) + " " + markup, base)
    alts = {picture.url: picture.alt for picture in reversed(pictures)}
    for candidate in _declared_images(entry):
        url = absolute_http_url(candidate, base)
        if url is not None:
            return Image(url, alts.get(url))
    return pictures[0] if pictures else None


def _content_markup(entry: Mapping[str, Any]) -> str:
    return " ".join(str(part.get("value", "")) for part in entry.get("content", ()))


def _declared_images(entry: Mapping[str, Any]) -> Iterator[str]:
    for enclosure in entry.get("enclosures", ()):
        if str(enclosure.get("type", "")).startswith("image/") and enclosure.get("href"):
            yield str(enclosure["href"])
    for media in entry.get("media_content", ()):
        is_image = media.get("medium") == "image" or str(media.get("type", "")).startswith("image/")
        if is_image and media.get("url"):
            yield str(media["url"])
    for thumbnail in entry.get("media_thumbnail", ()):
        if thumbnail.get("url"):
            yield str(thumbnail["url"])


def _html_images(markup: str, base: str) -> list[Image]:
    """Every <img> with an http(s) address, in order, leaving out 1×1 tracking pixels."""
    images = []
    for tag in _IMG_TAG.findall(markup):
        attributes = _tag_attributes(tag)
        url = absolute_http_url(attributes.get("src") or "", base)
        if url is not None and not _is_pixel(attributes):
            images.append(Image(url, plain_text(attributes.get("alt") or "") or None))
    return images


def _is_pixel(attributes: Mapping[str, str | None]) -> bool:
    sizes = {(attributes.get(name) or "").strip() for name in ("width", "height")}
    return bool(sizes & {"0", "1"})


class _TagReader(HTMLParser):
    """Reads the attributes of one start tag, with HTML's own rules for quotes and entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes = dict(attrs)


def _tag_attributes(tag: str) -> dict[str, str | None]:
    reader = _TagReader()
    reader.feed(tag)
    reader.close()
    return reader.attributes


# --- in a worker process ---------------------------------------------------------------------


@dataclass(frozen=True)
class ParseJob:
    """What a worker process needs for one feed; plain values, cheap to pickle."""

    body: bytes
    content_type: str | None
    base_url: str
    feed_url: str
    now: datetime
    timeout_s: float

    @classmethod
    def of(cls, fetch: FetchResult, now: datetime, timeout_s: float) -> ParseJob:
        body = fetch.body or b""
        return cls(body, fetch.content_type, fetch.final_url, fetch.url, now, timeout_s)


@dataclass(frozen=True)
class ParseOutcome:
    parsed: ParsedFeed | None = None
    error: str | None = None


def parse_job(job: ParseJob) -> ParseOutcome:
    """Parses one body; every failure becomes the outcome's error, naming the feed."""
    try:
        parsed = parse_feed(job.body, content_type=job.content_type, url=job.base_url, now=job.now)
    except SourceError as exc:
        return ParseOutcome(error=str(exc))
    except Exception as exc:  # a parser bug on one feed must not sink the whole poll
        logger.exception("parsing %s failed", job.feed_url)
        return failed(job, exc)
    if job.base_url != job.feed_url:  # redirected: items belong to the configured URL
        parsed = replace(
            parsed, items=tuple(replace(i, feed_url=job.feed_url) for i in parsed.items)
        )
    return ParseOutcome(parsed=parsed)


def failed(job: ParseJob, exc: BaseException) -> ParseOutcome:
    """A parse that broke (a parser bug, a dead worker), as that feed's error."""
    return ParseOutcome(error=f"no s'ha pogut interpretar el canal {job.feed_url}: {exc!r}")


class _ParseTimeout(BaseException):
    """Raised by SIGALRM inside a worker; a BaseException so `parse_job` does not catch it."""


def parse_in_worker(job: ParseJob) -> ParseOutcome:
    """`parse_job` in a pool process, stopped by an alarm after `job.timeout_s`: the worker's
    main thread is ours, so a signal can interrupt feedparser wherever it is."""
    try:
        with _alarm(job.timeout_s):
            return parse_job(job)
    except _ParseTimeout:
        return ParseOutcome(
            error=f"l'anàlisi del canal {job.feed_url} ha superat {job.timeout_s:g} s"
        )


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _raise_timeout(signum: int, frame: FrameType | None) -> None:
    raise _ParseTimeout
