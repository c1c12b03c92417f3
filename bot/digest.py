"""The weekly digest of member news: which week, grouped and ranked items, the X thread and
the Markdown and HTML versions. Pure: items and times in, text out.

A digest is made at a weekly moment (by default Monday 9:00 local time) and covers the 7 days
before it. It is named after the ISO week of the day before that moment ("2026-W48" for
Monday 30 November 2026), which is also its page's address (`/digest/2026-W48`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.catalan import capitalise_start, format_day, unify_apostrophes
from bot.drafting import polish_outside_links
from bot.models import FittedText, NewsItem
from bot.weighted_length import weighted_length

WEEK = timedelta(days=7)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BULLET = "•"
ELLIPSIS = "…"
_BEFORE_ELLIPSIS = " .,;:!?-–—"
_WEEK_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
SUMMARY_CHARS = 240
"""A summary longer than this is cut at a word in the Markdown and HTML versions."""


@dataclass(frozen=True)
class MemberNews:
    member: str
    handle: str | None
    items: tuple[NewsItem, ...]


@dataclass(frozen=True)
class Digest:
    """One week's digest: its name, the window [start, end) in UTC, and the members' news in
    the order they are shown."""

    week: str
    start: datetime
    end: datetime
    members: tuple[MemberNews, ...]

    @property
    def item_count(self) -> int:
        return sum(len(m.items) for m in self.members)

    @property
    def empty(self) -> bool:
        return not self.members


# Which week


def latest_moment(now: datetime, weekday: str, at: time, zone: ZoneInfo) -> datetime:
    """The last scheduled digest moment at or before `now` (UTC)."""
    local_day = now.astimezone(zone).date()
    for back in range(8):
        day = local_day - timedelta(days=back)
        moment = _local(day, at, zone)
        if day.weekday() == WEEKDAYS.index(weekday) and moment <= now:
            return moment
    raise AssertionError("a weekly moment always falls within the last 8 days")


def week_label(moment: datetime, zone: ZoneInfo) -> str:
    """ "2026-W48": the ISO week of the local day before the digest's moment."""
    year, week, _ = (moment.astimezone(zone).date() - timedelta(days=1)).isocalendar()
    return f"{year}-W{week:02d}"


def moment_of_week(label: str, weekday: str, at: time, zone: ZoneInfo) -> datetime:
    """The digest moment named `label`; ValueError naming the expected form otherwise."""
    monday = _monday_of(label)
    for offset in range(1, 8):
        day = monday + timedelta(days=offset)
        if day.weekday() == WEEKDAYS.index(weekday):
            return _local(day, at, zone)
    raise AssertionError("every weekday falls within the 7 days after a Sunday")


def _monday_of(label: str) -> date:
    match = _WEEK_LABEL.match(label)
    try:
        if match:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        pass
    raise ValueError(f"«{label}» no és una setmana: escriviu-la com 2026-W48")


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


# Grouping and ranking


def build(
    items: Sequence[NewsItem],
    handles: dict[str, str | None],
    *,
    moment: datetime,
    zone: ZoneInfo,
    ranking: str = "recent",
) -> Digest:
    """Group the week's items by member, most recent first within each; order the members
    by their most recent item ("recent") or by how many items they had ("busiest", ties by
    most recent)."""
    by_member: dict[str, list[NewsItem]] = {}
    for item in sorted(items, key=_published, reverse=True):
        by_member.setdefault(item.member, []).append(item)
    groups = [MemberNews(m, handles.get(m), tuple(found)) for m, found in by_member.items()]
    if ranking == "busiest":
        groups.sort(key=lambda group: len(group.items), reverse=True)  # stable: recent next
    return Digest(week_label(moment, zone), moment - WEEK, moment, tuple(groups))


def _published(item: NewsItem) -> datetime:
    return item.published_at or datetime.min.replace(tzinfo=UTC)


# Words about the week


def period_words(digest: Digest, zone: ZoneInfo, apostrophe: str) -> str:
    """ "del 23 al 30 de novembre", "del 30 de novembre al 7 de desembre", "de l'1 a l'8 de
    desembre": the local days the window touches."""
    first = digest.start.astimezone(zone).date()
    last = digest.end.astimezone(zone).date()
    tail = format_date(last, "d MMMM", locale="ca")
    head = str(first.day) if first.month == last.month else format_date(first, "d MMMM", "ca")
    phrase = f"{_article('de', first.day)}{head} {_article('a', last.day)}{tail}"
    return unify_apostrophes(phrase, apostrophe)


def _article(preposition: str, day: int) -> str:
    """Days 1 and 11 take "l'" ("de l'1", "a l'11"); the others "el" ("del 3", "al 23")."""
    if day in (1, 11):
        return f"{preposition} l'"
    return "del " if preposition == "de" else "al "


def member_list(digest: Digest) -> str:
    """ "Igualada, el Prat de Llobregat i Sant Cugat del Vallès", in the digest's order."""
    names = [group.member for group in digest.members]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} i {names[-1]}"


# The thread


IntroWriter = Callable[[str], FittedText]
"""Writes the opening post for a numbering such as "1/6" (the drafter's template)."""


def thread(
    digest: Digest,
    write_intro: IntroWriter,
    limit: int,
    apostrophe: str,
) -> tuple[list[str], bool]:
    """The posts of the thread, each within `limit` with its "i/n", and whether all fit: an
    opening post that stands on its own (from the template), then each member's news, a
    member's items running on to the next post when they do not fit in one."""
    digits = 1
    while True:
        room = limit - weighted_length(f"\n{'9' * digits}/{'9' * digits}")
        bodies = [
            polish_outside_links(body, apostrophe)
            for group in digest.members
            for body in _member_posts(group, room)
        ]
        total = len(bodies) + 1
        if len(str(total)) <= digits:
            break
        digits = len(str(total))
    intro = write_intro(f"1/{total}")
    posts = [intro.text] + [f"{body}\n{i}/{total}" for i, body in enumerate(bodies, start=2)]
    return posts, intro.fits and all(weighted_length(post) <= limit for post in posts)


def _member_posts(group: MemberNews, room: int) -> list[str]:
    """The member's items packed into as few posts as fit `room`: the first post names the
    member with its handle (never at the start of the post), the next ones without."""
    handle = f" ({group.handle})" if group.handle else ""
    name = capitalise_start(group.member)
    header, later = f"{name}{handle}:", f"{name} (continua):"
    line_room = room - max(weighted_length(header), weighted_length(later)) - 1
    posts: list[str] = []
    for item in group.items:
        line = _item_line(item, line_room)
        if posts and weighted_length(f"{posts[-1]}\n{line}") <= room:
            posts[-1] = f"{posts[-1]}\n{line}"
            continue
        posts.append(f"{later if posts else header}\n{line}")
    return posts


def _item_line(item: NewsItem, room: int) -> str:
    """ "• Title https://link", the title cut at a word with "…" when the line is too long;
    the link is never cut. A word and its space weigh at least 2, so beyond (room + 1) // 2
    words nothing fits and longer cuts are not tried (a title may be a whole article)."""
    all_words = item.title.split()
    words = all_words[: (room + 1) // 2]
    for count in range(len(words), 0, -1):
        title = " ".join(words[:count])
        if count < len(all_words):
            title = title.rstrip(_BEFORE_ELLIPSIS) + ELLIPSIS
        line = f"{BULLET} {title} {item.link}"
        if weighted_length(line) <= room:
            return line
    return f"{BULLET} {item.link}"


# Markdown and HTML


def markdown(digest: Digest, zone: ZoneInfo, apostrophe: str) -> str:
    """The digest for the newsletter: a heading, then each member's news with its link."""
    lines = [
        "# Resum setmanal de la XMESS",
        "",
        f"Setmana {digest.week}, {period_words(digest, zone, apostrophe)}: {counts(digest)}.",
    ]
    for group in digest.members:
        lines += ["", f"## {_md(capitalise_start(group.member), apostrophe)}", ""]
        for item in group.items:
            lines.append(
                f"- [{_md(item.title, apostrophe)}](<{item.link}>) · {_day(item, zone, apostrophe)}"
            )
            summary = _short(item.summary)
            if summary:
                lines.append(f"  {_md(summary, apostrophe)}")
    return "\n".join(lines) + "\n"


def html_page(digest: Digest, zone: ZoneInfo, apostrophe: str) -> str:
    """The digest as a standalone HTML page (Catalan, escaped), for the website and the web
    app's `/digest/<week>`."""
    title = f"Resum setmanal de la XMESS, setmana {digest.week}"
    parts = [
        "<!doctype html>",
        '<html lang="ca">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title></head>",
        "<body>",
        "<h1>Resum setmanal de la XMESS</h1>",
        f"<p>Setmana {digest.week}, {_html(period_words(digest, zone, apostrophe), apostrophe)}: "
        f"{_html(counts(digest), apostrophe)}.</p>",
    ]
    for group in digest.members:
        parts += [f"<h2>{_html(capitalise_start(group.member), apostrophe)}</h2>", "<ul>"]
        parts += [_html_item(item, zone, apostrophe) for item in group.items]
        parts.append("</ul>")
    return "\n".join([*parts, "</body>", "</html>"]) + "\n"


def _html_item(item: NewsItem, zone: ZoneInfo, apostrophe: str) -> str:
    summary = _short(item.summary)
    paragraph = f"<br>{_html(summary, apostrophe)}" if summary else ""
    title = _html(item.title, apostrophe)
    if item.link.startswith(("https://", "http://")):  # never a javascript: link on our page
        title = f'<a href="{html.escape(item.link, quote=True)}">{title}</a>'
    return f"<li>{title} · {_html(_day(item, zone, apostrophe), apostrophe)}{paragraph}</li>"


def counts(digest: Digest) -> str:
    items = digest.item_count
    members = len(digest.members)
    news = "1 notícia" if items == 1 else f"{items} notícies"
    towns = "1 municipi" if members == 1 else f"{members} municipis"
    return f"{news} de {towns}"


def _day(item: NewsItem, zone: ZoneInfo, apostrophe: str) -> str:
    return format_day(_published(item), zone, apostrophe=apostrophe)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SUMMARY_CHARS:
        return flat
    return flat[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(" ,.;:") + ELLIPSIS


def _md(text: str, apostrophe: str) -> str:
    """Markdown's special characters escaped, with the post's one apostrophe."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unify_apostrophes(text, apostrophe))


def _html(text: str, apostrophe: str) -> str:
    """Escaped for HTML, with the post's one apostrophe."""
    return html.escape(unify_apostrophes(text, apostrophe), quote=False)
