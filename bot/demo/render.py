"""Fill the demo files' placeholders at the moment they are served.

The bot drafts only news younger than `max_age_days` and announces only events within
`announce_days`, so fixed dates in bundled files would go stale within a week. The files carry
placeholders instead, filled in on every request:

    {{DATE:-2d}}              now minus 2 days, RFC 822 in UTC (RSS pubDate)
    {{ISODATE:-5h}}           now minus 5 hours, RFC 3339 in UTC (Atom published/updated)
    {{ICSDATE:+12d}}          the local date 12 days ahead, iCalendar DATE: 20261209
    {{ICSLOCAL:+12d@10:00}}   that local date at 10:00, iCalendar local DATE-TIME: 20261209T100000
    {{ICSLOCAL:+3h}}          the local wall time 3 hours ahead, to the second
    {{BASE}}                  the demo server's base URL, without a trailing slash

An offset is a sign, a whole number and a unit, d (days) or h (hours). For the ICS forms a day
is a calendar day in the given time zone, so 10:00 stays 10:00 across a change of summer time,
as it does for the people who wrote the agenda.
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_ENCODING = "utf-8"
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
_DATED = re.compile(
    r"(?P<kind>DATE|ISODATE|ICSDATE|ICSLOCAL):(?P<sign>[+-])(?P<amount>\d+)(?P<unit>[dh])"
    r"(?:@(?P<clock>\d{2}:\d{2}))?"
)
# The encoding pseudo-attribute of an XML declaration; a declaration is ASCII in any encoding
# this demo uses, so it can be read before the file is decoded.
_XML_ENCODING = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?\bencoding\s*=\s*["']([\w.:-]+)["']"""
)


def render_placeholders(text: str, now: datetime, timezone: ZoneInfo, base_url: str) -> str:
    """`text` with every placeholder filled in for `now`; ValueError names an unknown one.

    DATE and ISODATE are written in UTC (feeds carry their offset); ICSDATE and ICSLOCAL in
    `timezone`'s wall time, because the agenda gives them with `TZID=` or as floating dates."""
    if now.utcoffset() is None:
        raise ValueError(f"`now` must be timezone-aware, got {now.isoformat()}")
    rendered = _PLACEHOLDER.sub(lambda m: _fill(m.group(1), now, timezone, base_url), text)
    if "{{" in rendered:
        raise ValueError(f"unclosed placeholder near «{_excerpt(rendered)}»")
    return rendered


def render_file(path: Path, now: datetime, timezone: ZoneInfo, base_url: str) -> bytes:
    """The file's bytes with placeholders filled, in the encoding its XML declaration names.

    The Latin-1 feed must reach the bot as Latin-1 bytes (that is what it demonstrates), so the
    file is decoded, rendered as text and encoded back the same way; files without a
    declaration (the agenda, the TOML) are UTF-8."""
    raw = path.read_bytes()
    try:
        encoding = declared_encoding(raw)
        text = render_placeholders(raw.decode(encoding), now, timezone, base_url)
        return text.encode(encoding)
    except ValueError as error:  # UnicodeError is a ValueError too
        raise ValueError(f"{path}: {error}") from error


def declared_encoding(raw: bytes) -> str:
    """The encoding named by an XML declaration at the start of `raw`, else UTF-8."""
    match = _XML_ENCODING.match(raw)
    name = match.group(1).decode("ascii") if match else DEFAULT_ENCODING
    try:
        codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown encoding «{name}» in the XML declaration") from None
    return name


def _fill(spec: str, now: datetime, timezone: ZoneInfo, base_url: str) -> str:
    """The text one placeholder (`spec`, without braces) stands for."""
    if spec == "BASE":
        return base_url.rstrip("/")
    match = _DATED.fullmatch(spec)
    if match is None or (match["clock"] and match["kind"] != "ICSLOCAL"):
        raise ValueError(f"unknown placeholder «{{{{{spec}}}}}»")
    amount = int(match["amount"]) * (-1 if match["sign"] == "-" else 1)
    if match["kind"] in ("DATE", "ISODATE"):
        return _format_utc(match["kind"], _utc_moment(now, amount, match["unit"]))
    wall = _wall_moment(now, timezone, amount, match["unit"])
    if match["kind"] == "ICSDATE":
        return wall.strftime("%Y%m%d")
    if match["clock"]:
        wall = datetime.combine(wall.date(), _clock(match["clock"], spec))
    return wall.strftime("%Y%m%dT%H%M%S")


def _utc_moment(now: datetime, amount: int, unit: str) -> datetime:
    """`now` moved by an exact duration, in UTC, to the second."""
    step = timedelta(days=amount) if unit == "d" else timedelta(hours=amount)
    return (now + step).astimezone(UTC).replace(microsecond=0)


def _format_utc(kind: str, moment: datetime) -> str:
    if kind == "DATE":
        return format_datetime(moment)  # "Wed, 25 Nov 2026 09:30:00 +0000", English by RFC
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _wall_moment(now: datetime, timezone: ZoneInfo, amount: int, unit: str) -> datetime:
    """The naive local wall time `amount` calendar days or hours from `now` in `timezone`."""
    if unit == "h":
        return _utc_moment(now, amount, unit).astimezone(timezone).replace(tzinfo=None)
    local = now.astimezone(timezone).replace(tzinfo=None, microsecond=0)
    return local + timedelta(days=amount)  # naive arithmetic: same wall time, DST ignored


def _clock(value: str, spec: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"bad time of day in placeholder «{{{{{spec}}}}}»") from None


def _excerpt(text: str) -> str:
    start = text.index("{{")
    return text[start : start + 30]
