"""Catalan grammar for post text: prepositions before names, apostrophes, dates and times.

Pure functions following /work/shared/catalan.md (the Generalitat's and IEC's conventions).
Every function that writes an apostrophe takes the one the post uses (`apostrophe=`), so a
post never mixes the typographic ’ (CLDR's, the default) with the straight '.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.dates import format_time as babel_format_time

TYPOGRAPHIC_APOSTROPHE = "’"
STRAIGHT_APOSTROPHE = "'"
DEFAULT_APOSTROPHE = TYPOGRAPHIC_APOSTROPHE
APOSTROPHES = (TYPOGRAPHIC_APOSTROPHE, STRAIGHT_APOSTROPHE)
MADRID = ZoneInfo("Europe/Madrid")
PREPOSITIONS = ("de", "a", "per")

# What people type for an apostrophe: ' ’ ʼ, and the usual slips ‘ ´ ` (all only between
# letters, so quotation marks around words are left alone). A digit may follow: "d’11".
_TYPED_APOSTROPHES = "'’ʼ‘´`"
_APOSTROPHE_BETWEEN_LETTERS = re.compile(rf"(?<=[^\W\d_])[{_TYPED_APOSTROPHES}](?=[^\W_])")
# Masculine articles contract with the preposition ("de el" -> "del"); l', la, les never do.
_CONTRACTIONS = {
    ("de", "el"): "del",
    ("a", "el"): "al",
    ("per", "el"): "pel",
    ("de", "els"): "dels",
    ("a", "els"): "als",
    ("per", "els"): "pels",
}
_ARTICLE = re.compile(rf"(?i)(els|el|les|la)\s+(?=\S)|(l)[{_TYPED_APOSTROPHES}](?=\w)")
_VOWELS = "aeiouàáèéíïòóúü"
# i/u (or hi/hu) before a vowel is a semivowel, a consonant sound: "de Iowa", "de Huelva".
_SEMIVOWEL_START = re.compile(rf"(?i)h?[iu][{_VOWELS}]")
_ELIDING_START = re.compile(rf"(?i)h?[{_VOWELS}]")
_DAY_PATTERN = "EEEE, d MMMM"
# catalan.md's "1 de desembre de 2026"; CLDR's `full` would write "del 2026".
_DAY_WITH_YEAR_PATTERN = "EEEE, d MMMM 'de' y"
# Hours read "u"/"onze" start with a vowel sound, so "de" elides: "d'11 a 13 h".
_ELIDING_HOURS = (1, 11)
_OPENING_MARKS = "«“\"'‘’¡¿([ "


def unify_apostrophes(text: str, apostrophe: str = DEFAULT_APOSTROPHE) -> str:
    """Write every apostrophe between letters as `apostrophe`, so feed text (often ') and
    Babel's dates (’) never mix in one post. Quotation marks and "l·l" are left alone."""
    return _APOSTROPHE_BETWEEN_LETTERS.sub(apostrophe, text)


def with_preposition(prep: str, name: str, *, apostrophe: str = DEFAULT_APOSTROPHE) -> str:
    """Put `prep` ("de", "a" or "per") before a name written with its own article in lower
    case: "d’Igualada", "del Prat de Llobregat", "a l’Hospitalet", "de la Garriga"."""
    if prep not in PREPOSITIONS:
        raise ValueError(f"unknown preposition {prep!r}; expected one of {PREPOSITIONS}")
    article, rest = _split_article(name.strip())
    if (prep, article) in _CONTRACTIONS:
        phrase = f"{_CONTRACTIONS[prep, article]} {rest}"
    elif article:
        phrase = f"{prep} {_join_article(article, rest)}"
    elif prep == "de" and _elides(rest):
        phrase = f"d'{rest}"
    else:
        phrase = f"{prep} {rest}"
    return unify_apostrophes(phrase, apostrophe)


def _split_article(name: str) -> tuple[str, str]:
    """("el", "Prat de Llobregat") for "el Prat de Llobregat"; ("", name) with no article.
    The article comes back in lower case: it is always lower case inside a sentence."""
    match = _ARTICLE.match(name)
    if match is None:
        return "", name
    article = (match.group(1) or match.group(2)).lower()
    return article, name[match.end() :]


def _join_article(article: str, rest: str) -> str:
    return f"l'{rest}" if article == "l" else f"{article} {rest}"


def _elides(word: str) -> bool:
    """True when "de" becomes "d’" before `word`: a vowel or h + vowel, not a semivowel."""
    return bool(_ELIDING_START.match(word)) and not _SEMIVOWEL_START.match(word)


def capitalise_start(text: str) -> str:
    """Upper-case the first letter when a name or date opens a sentence ("El Prat…",
    "L’Hospitalet…", "Dijous, 3…"), skipping opening quotes and marks; the rest is kept."""
    start = len(text) - len(text.lstrip(_OPENING_MARKS))
    if start < len(text) and text[start].isalpha():
        return text[:start] + text[start].upper() + text[start + 1 :]
    return text


def format_day(dt: datetime, tz: ZoneInfo = MADRID, *, apostrophe: str = DEFAULT_APOSTROPHE) -> str:
    """The local day in words, lower case: "dijous, 3 de desembre", "dissabte, 3 d’octubre".
    Babel's `MMMM` in `ca` already carries "de"/"d’"; no template should add its own."""
    return _format_local_date(dt, tz, _DAY_PATTERN, apostrophe)


def format_day_with_year(
    dt: datetime, tz: ZoneInfo = MADRID, *, apostrophe: str = DEFAULT_APOSTROPHE
) -> str:
    """The local day with its year, as catalan.md asks: "dimarts, 1 de desembre de 2026"
    (CLDR's own `full` pattern writes "del 2026")."""
    return _format_local_date(dt, tz, _DAY_WITH_YEAR_PATTERN, apostrophe)


def _format_local_date(dt: datetime, tz: ZoneInfo, pattern: str, apostrophe: str) -> str:
    local = _to_local(dt, tz)
    return unify_apostrophes(format_date(local.date(), pattern, locale="ca"), apostrophe)


def format_time(dt: datetime, tz: ZoneInfo = MADRID) -> str:
    """The local time as said in Catalan: "a les 10 h", "a les 10.30 h", "a la 1 h"."""
    local = _to_local(dt, tz)
    article = "la" if local.hour == 1 else "les"
    return f"a {article} {_clock(local)} h"


def format_time_range(
    start: datetime, end: datetime, tz: ZoneInfo = MADRID, *, apostrophe: str = DEFAULT_APOSTROPHE
) -> str:
    """Local start and end times: "de 10 a 13.30 h", "d’11 a 13 h"; a range that is a single
    instant reads as `format_time`. Raises ValueError when `end` comes before `start`."""
    if end < start:
        raise ValueError(
            f"the range ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    if end == start:
        return format_time(start, tz)
    local_start, local_end = _to_local(start, tz), _to_local(end, tz)
    de = f"d{apostrophe}" if local_start.hour in _ELIDING_HOURS else "de "
    return f"{de}{_clock(local_start)} a {_clock(local_end)} h"


def _clock(local: datetime) -> str:
    """The pattern H.mm with a whole hour's ".00" dropped: "10", "10.30", "0.05"."""
    return babel_format_time(local.time(), "H.mm", locale="ca").removesuffix(".00")


def _to_local(dt: datetime, tz: ZoneInfo) -> datetime:
    """Refuse naive datetimes: Babel would silently read them as UTC."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"a time zone is needed to write {dt.isoformat()} for people")
    return dt.astimezone(tz)
