"""Whatever the feed says, a fitted draft fits X and keeps its link, handle and hashtags."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import extract_urls

from bot.drafting import Drafter
from bot.models import EventOccurrence, NewsItem
from bot.weighted_length import X_LIMIT, weighted_length

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)

CURATED_WORDS = [
    "economia",
    "col·lectiu",
    "COL·LECTIU",
    "d'Òdena",
    "l’ESS",
    "lʼAjuntament",
    "cooperativa,",
    "fira.",
    "—",
    "🎉",
    "👩‍👩‍👧",
    "漢字テスト",
    "協同組合の経済",
    "https://example.cat/a/b?x=1",
    "www.igualada.cat/agenda",
    "@AjIgualada",
    "@ajelprat",
    "#ESS",
    "{{ 7*7 }}",
    "{% for x in y %}",
    "Economia" * 12,
]
word = st.one_of(
    st.sampled_from(CURATED_WORDS),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=25),
)
separator = st.sampled_from([" ", " ", " ", "  ", "\n", "\t"])


def phrase(max_words: int) -> st.SearchStrategy[str]:
    pieces = st.lists(st.tuples(word, separator), max_size=max_words)
    return pieces.map(lambda pairs: "".join(w + s for w, s in pairs).strip())


links = st.sampled_from(
    [
        "https://www.elprat.cat/noticies/fira-ess-2026",
        "https://www.igualada.cat/l'agenda/fira?id=3&utm=no",
        "https://ajuntament.olot.cat/" + "molt-llarg-" * 20,
    ]
)
members = st.sampled_from(["Igualada", "el Prat de Llobregat", "l'Hospitalet de Llobregat"])
handles = st.sampled_from([None, "AjIgualada", "@AjElPrat"])


@pytest.fixture(scope="module")
def drafter() -> Drafter:
    templates = {path.name: path.read_text(encoding="utf-8") for path in TEMPLATES_DIR.glob("*.j2")}
    return Drafter(templates, timezone=ZoneInfo("Europe/Madrid"))


def mentions(text: str, handle: str) -> int:
    """How many times X would see `handle` as a mention in `text`."""
    return len(re.findall(rf"(?<!\w){re.escape(handle)}(?!\w)", text, re.IGNORECASE))


@PROPERTY_SETTINGS
@given(title=phrase(15), summary=phrase(80), link=links, member=members, handle=handles)
def test_fitted_news_fits_and_keeps_link_handle_and_hashtags(
    drafter: Drafter, title: str, summary: str, link: str, member: str, handle: str | None
) -> None:
    item = NewsItem(
        guid="g", link=link, title=title, summary=summary, published_at=None, feed_url="f"
    )
    draft = drafter.draft_news(item, member_name=member, member_handle=handle, matched=(), now=NOW)
    at_handle = f"@{handle.lstrip('@')}" if handle else None
    assert draft.over_limit or weighted_length(draft.text) <= X_LIMIT
    assert link in extract_urls(draft.text)
    assert draft.text.endswith(" #EconomiaSocial")
    if at_handle:
        assert (mentions(draft.text, at_handle), draft.text.startswith(at_handle)) == (1, False)


@PROPERTY_SETTINGS
@given(title=phrase(15), location=phrase(20), description=phrase(40))
def test_fitted_event_fits_and_keeps_its_url(
    drafter: Drafter, title: str, location: str, description: str
) -> None:
    occurrence = EventOccurrence(
        calendar="xmess",
        uid="u",
        recurrence_id="",
        sequence=0,
        title=title,
        starts_at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        ends_at=datetime(2026, 10, 25, 12, tzinfo=UTC),
        location=location,
        description=description,
        url="https://xmess.cat/agenda/jornada",
    )
    draft = drafter.draft_event(occurrence, now=NOW)
    assert draft.over_limit or weighted_length(draft.text) <= X_LIMIT
    assert "https://xmess.cat/agenda/jornada" in extract_urls(draft.text)
    assert draft.text.endswith("#XMESS #EconomiaSocial")
