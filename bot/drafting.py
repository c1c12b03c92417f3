"""Feed items and calendar events to draft posts, fitted to X's length (pure: no I/O, no clock).

Templates come in as text (the adapter reads the files) and run in Jinja's sandbox; feed text
is only ever a variable, never template source, so "{{ 7*7 }}" in a title stays literal.
When a post is too long, only the shrinkable variables are cut, at a word boundary followed by
"…", so the link, the handle and the hashtags are never touched. See templates/README.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from bot.catalan import (
    APOSTROPHES,
    DEFAULT_APOSTROPHE,
    capitalise_start,
    format_day,
    format_day_with_year,
    format_time,
    format_time_range,
    unify_apostrophes,
    with_preposition,
)
from bot.errors import ConfigError, DraftError
from bot.models import Draft, DraftKind, EventOccurrence, FittedText, NewsItem
from bot.weighted_length import X_LIMIT, url_spans, weighted_length

NEWS_TEMPLATE = "news.txt.j2"
EVENT_TEMPLATE = "event.txt.j2"
REMINDER_TEMPLATE = "reminder.txt.j2"
CANCELLATION_TEMPLATE = "cancellation.txt.j2"
MOVED_TEMPLATE = "event-moved.txt.j2"
DIGEST_TEMPLATE = "digest.txt.j2"
DEFAULT_HASHTAGS = ("#EconomiaSocial",)
# Cut in this order; the last one keeps its first word, so a post still says what it is about.
NEWS_SHRINKABLE = ("summary", "title")
EVENT_SHRINKABLE = ("description", "location", "title")
ELLIPSIS = "…"

# Left out before "…": "paraula…", never "paraula,…" or "paraula …".
_BEFORE_ELLIPSIS = " \t\n\u00a0.,;:!?¡¿-–—…([{«“‘"
_WORD = re.compile(r"\S+")
_SPACES = re.compile(r"[^\S\n]+")
_HANDLE = re.compile(r"^@?(\w{1,15})$", re.ASCII)
_HASHTAG = re.compile(r"^#\w+$")


class Drafter:
    """Writes drafts from templates, in one time zone and with one apostrophe throughout."""

    def __init__(
        self,
        templates: Mapping[str, str],
        *,
        timezone: ZoneInfo,
        apostrophe: str = DEFAULT_APOSTROPHE,
        hashtags: Sequence[str] = DEFAULT_HASHTAGS,
        limit: int = X_LIMIT,
        length_of: Callable[[str], int] = weighted_length,
    ) -> None:
        """`limit` and `length_of` are the network's rule (X's weighted length by default)."""
        if apostrophe not in APOSTROPHES:
            raise ConfigError(f"apostrophe: ha de ser ’ o ', no «{apostrophe}»")
        self._timezone = timezone
        self._apostrophe = apostrophe
        self._hashtags = " ".join(_checked_hashtag(tag) for tag in hashtags)
        self._limit = limit
        self._length_of = length_of
        environment = _environment(timezone, apostrophe)
        self._templates = {
            name: _compile(environment, name, src) for name, src in templates.items()
        }

    @property
    def limit(self) -> int:
        """The network's length limit the drafts are fitted to."""
        return self._limit

    def draft_news(
        self,
        item: NewsItem,
        *,
        member_name: str,
        member_handle: str | None,
        matched: tuple[str, ...],
        now: datetime,
    ) -> Draft:
        """A pending draft for one feed item; flagged `over_limit`, never dropped, if the
        shortest form is still too long."""
        handle = _normalised_handle(member_handle)
        context = {
            "title": _unmentioned(item.title, handle),
            "summary": _unmentioned(item.summary, handle),
            "link": item.link,
            "member": member_name,
            "handle": handle,
            "hashtags": self._hashtags,
        }
        fitted = self.fit(NEWS_TEMPLATE, context, shrinkable=NEWS_SHRINKABLE)
        _check_handle(fitted.text, handle, NEWS_TEMPLATE)
        return Draft(
            kind=DraftKind.NEWS,
            text=fitted.text,
            created_at=now,
            member=member_name,
            source_url=item.link,
            source_title=item.title,
            image=item.image,
            matched_keywords=matched,
            over_limit=not fitted.fits,
            item_guid=item.guid,
        )

    def draft_event(self, occurrence: EventOccurrence, *, now: datetime) -> Draft:
        """A pending announcement of one event occurrence, in local day and time."""
        if occurrence.private or occurrence.cancelled:
            raise DraftError(f"l'acte «{occurrence.title}» és privat o cancel·lat: no s'anuncia")
        fitted = self.event_post(EVENT_TEMPLATE, occurrence)
        return Draft(
            kind=DraftKind.EVENT,
            text=fitted.text,
            created_at=now,
            source_url=occurrence.url,
            source_title=occurrence.title,
            over_limit=not fitted.fits,
            event_key=occurrence.key,
        )

    def event_post(self, template: str, occurrence: EventOccurrence, **extra: object) -> FittedText:
        """Any post about one occurrence (announcement, reminder, cancellation, new date):
        the event's variables (templates/README.md) plus `extra`, fitted like an announcement."""
        context = self._event_context(occurrence) | extra
        return self.fit(template, context, shrinkable=EVENT_SHRINKABLE)

    def _event_context(self, occurrence: EventOccurrence) -> dict[str, object]:
        # A calendar may carry an end before the start; read such an event as its start.
        ends = max(occurrence.ends_at, occurrence.starts_at)
        last_day = _last_instant(occurrence.starts_at, ends)
        local_days = {
            moment.astimezone(self._timezone).date() for moment in (occurrence.starts_at, last_day)
        }
        return {
            "title": occurrence.title,
            "description": occurrence.description,
            "location": occurrence.location,
            "url": occurrence.url,
            "starts": occurrence.starts_at,
            "ends": ends,
            "last_day": last_day,
            "all_day": occurrence.all_day,
            "multi_day": len(local_days) > 1,
            "hashtags": self._hashtags,
        }

    def fit(
        self,
        template: str,
        context: Mapping[str, object],
        *,
        shrinkable: Sequence[str] = NEWS_SHRINKABLE,
    ) -> FittedText:
        """Render `template`; if it is too long, cut the `shrinkable` variables in order at a
        word boundary (bisection: a few length measurements, not one per word). When even the
        shortest form is too long, return it with `fits=False`."""
        values = dict(context)
        for name in shrinkable:
            values[name] = _within_reach(_text_variable(values, name), self._limit)
        fitted = self._measure(template, values)
        for position, name in enumerate(shrinkable):
            if fitted.fits:
                return fitted
            value = _text_variable(values, name)
            options = _shortenings(value, position == len(shrinkable) - 1, self._limit)
            if options[0] != value:
                fitted = self._longest_fitting(template, values, name, options) or fitted
                values[name] = options[0]
        return fitted if fitted.fits else self._measure(template, values)

    def _longest_fitting(
        self, template: str, values: dict[str, object], name: str, options: list[str]
    ) -> FittedText | None:
        """Bisection over `options` (shortest first): the longest one that fits, or None."""
        fits_up_to, too_long_from, best = -1, len(options), None
        while too_long_from - fits_up_to > 1:
            middle = (fits_up_to + too_long_from) // 2
            fitted = self._measure(template, {**values, name: options[middle]})
            if fitted.fits:
                fits_up_to, best = middle, fitted
            else:
                too_long_from = middle
        return best

    def self_check(self, now: datetime) -> None:
        """Draft one sample of each kind, so a template mistake (a misspelt variable, a
        missing file) shows up in `check-config`, not at the first poll."""
        link = "https://www.xmess.cat/prova"
        item = NewsItem(link, link, "Títol de prova", "Resum de prova.", now, link + "/rss")
        self.draft_news(
            item, member_name="Igualada", member_handle="AjIgualada", matched=(), now=now
        )
        starts = now + timedelta(days=1)
        event = EventOccurrence(
            "prova", "prova", "", 0, "Acte de prova", starts, starts + timedelta(hours=2),
            location="Igualada", url=link,
        )  # fmt: skip
        self.draft_event(event, now=now)
        for template in (REMINDER_TEMPLATE, CANCELLATION_TEMPLATE, MOVED_TEMPLATE):
            self.event_post(template, event, when="demà", previous=now, previous_all_day=False)
        digest = {"period": "del 23 al 30 de novembre", "counts": "2 notícies de 1 municipi",
                  "members": "Igualada", "week": "2026-W48", "numbering": "1/2", "url": link,
                  "hashtags": self._hashtags}  # fmt: skip
        self.fit(DIGEST_TEMPLATE, digest, shrinkable=("members",))

    def _measure(self, template: str, values: Mapping[str, object]) -> FittedText:
        text = self._render(template, values)
        length = self._length_of(text)
        return FittedText(text=text, weighted_length=length, fits=length <= self._limit)

    def _render(self, template: str, values: Mapping[str, object]) -> str:
        compiled = self._templates.get(template)
        if compiled is None:
            raise ConfigError(f"templates_dir: falta la plantilla {template}")
        try:
            rendered = compiled.render(values)
        except TemplateError as error:
            raise ConfigError(f"la plantilla {template} no es pot escriure: {error}") from error
        return _tidy(rendered, self._apostrophe)


def _environment(timezone: ZoneInfo, apostrophe: str) -> SandboxedEnvironment:
    """Plain text (no HTML escaping), unknown variables are errors, Catalan filters."""
    environment = SandboxedEnvironment(
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters: dict[str, Any] = {
        "de": partial(with_preposition, "de", apostrophe=apostrophe),
        "a": partial(with_preposition, "a", apostrophe=apostrophe),
        "per": partial(with_preposition, "per", apostrophe=apostrophe),
        "day": partial(format_day, tz=timezone, apostrophe=apostrophe),
        "day_year": partial(format_day_with_year, tz=timezone, apostrophe=apostrophe),
        "time": partial(format_time, tz=timezone),
        "time_range": partial(format_time_range, tz=timezone, apostrophe=apostrophe),
        "capitalise": capitalise_start,
    }
    environment.filters.update(filters)
    return environment


def _compile(environment: SandboxedEnvironment, name: str, source: str) -> Template:
    try:
        return environment.from_string(source)
    except TemplateError as error:
        raise ConfigError(f"la plantilla {name} té un error: {error}") from error


def _tidy(text: str, apostrophe: str) -> str:
    """Fold runs of spaces, drop the blank lines a template left (one blank line may separate
    paragraphs), and write apostrophes and accents one way, except inside links."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    kept = [line for i, line in enumerate(lines) if line or (i > 0 and lines[i - 1])]
    return polish_outside_links("\n".join(kept).strip(), apostrophe)


def polish_outside_links(text: str, apostrophe: str) -> str:
    """One apostrophe and composed accents (NFC, as X counts them) everywhere but in links:
    "l'agenda" in a URL is part of its address."""
    pieces, start = [], 0
    for link_start, link_end in url_spans(text):
        pieces += [_polish(text[start:link_start], apostrophe), text[link_start:link_end]]
        start = link_end
    return "".join([*pieces, _polish(text[start:], apostrophe)])


def _polish(text: str, apostrophe: str) -> str:
    return unicodedata.normalize("NFC", unify_apostrophes(text, apostrophe))


def _shortenings(value: str, keep_a_word: bool, limit: int) -> list[str]:
    """The ways to cut `value`, shortest first: "" (unless a word must stay), then each run
    of whole words followed by "…" (never ending on a link), then `value` itself. A word and
    the space after it weigh at least 2, so beyond (limit + 1) // 2 words nothing can fit:
    longer values are not offered whole and their later words are not tried."""
    most_words = (limit + 1) // 2
    words = list(islice(_WORD.finditer(value), most_words + 1))
    whole = [value] if len(words) <= most_words else []
    cut_after = words[:-1] if whole else words[:most_words]
    cuts = [_cut(value, word.end()) for word in cut_after if not _is_link(word.group())]
    options = ([] if keep_a_word else [""]) + [cut for cut in cuts if cut] + whole
    return options or [value]


def _within_reach(value: str, limit: int) -> str:
    """`value`, or if it has too many words ever to fit, its longest cut that might: so the
    first measurement of a post with a whole article as its summary stays cheap."""
    return _shortenings(value, True, limit)[-1]


def _is_link(word: str) -> bool:
    """Whether X links (part of) `word`; every link X finds has a dot in its domain."""
    return "." in word and bool(url_spans(word))


def _cut(value: str, end: int) -> str:
    head = value[:end].rstrip(_BEFORE_ELLIPSIS)
    return f"{head}{ELLIPSIS}" if head else ""


def _text_variable(values: Mapping[str, object], name: str) -> str:
    value = values.get(name)
    if not isinstance(value, str):
        raise ValueError(f"the shrinkable variable {name!r} must be text, not {value!r}")
    return value


def _last_instant(starts: datetime, ends: datetime) -> datetime:
    """The last moment inside an event: ends are exclusive (an all-day event ends at the
    next midnight), so an event ending at 00:00 belongs to the day before."""
    return starts if ends <= starts else ends - timedelta(microseconds=1)


def _checked_hashtag(tag: str) -> str:
    if not _HASHTAG.match(tag):
        raise ConfigError(f"hashtags: «{tag}» ha de ser una sola paraula que comenci amb #")
    return tag


def _normalised_handle(handle: str | None) -> str | None:
    """The handle as written in a post, "@AjIgualada", whether configured with its "@" or
    without; None when the member has none."""
    if not handle or not handle.strip():
        return None
    match = _HANDLE.match(handle.strip())
    if match is None:
        raise ConfigError(f"x_handle: «{handle}» no és un @nom vàlid (lletres, xifres i _)")
    return f"@{match.group(1)}"


def _mention(handle: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(handle)}(?!\w)", re.IGNORECASE)


def _unmentioned(text: str, handle: str | None) -> str:
    """Feed text loses the "@" of the member's own handle: the template names it once."""
    if handle is None:
        return text
    return _mention(handle).sub(lambda match: match.group()[1:], text)


def _check_handle(text: str, handle: str | None, template: str) -> None:
    """The handle appears at most once and never opens the post (some clients hide posts
    that start with a mention); a template that breaks this is a configuration error."""
    if handle is None:
        return
    count = len(_mention(handle).findall(text))
    if count > 1 or _mention(handle).match(text):
        raise ConfigError(
            f"la plantilla {template} ha de posar el compte del membre ({handle}) una sola "
            "vegada i no al començament"
        )
