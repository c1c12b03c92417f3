"""The fast count agrees with twitter-text's full rule on any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from bot.weighted_length import weighted_length

LATIN = st.characters(min_codepoint=0x20, max_codepoint=0x24F)
PUNCTUATION = st.sampled_from(list("·’‘“”–—…•€\u202f\r\n\t ©®"))
PIECES = st.one_of(
    st.text(LATIN, max_size=40),
    st.text(PUNCTUATION, max_size=5),
    st.sampled_from(
        ["https://www.igualada.cat/n/1?a=b", "www.xmess.cat", "l·l", "😀", "👩🏽‍🌾", "1️⃣", "日本"]
    ),
    st.text(max_size=10),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_the_fast_count_agrees_with_twitter_text(text: str) -> None:
    assert weighted_length(text) == parse_tweet(text).weightedLength


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Cooperativa d’Igualada", 22),
        ("col·lectiu…", 12),
        ("Preu: 5 €", 10),
        ("Vegeu https://www.igualada.cat/noticies/una-adreca-molt-llarga-de-veritat", 29),
        ("Fira 😀", 7),
    ],
)
def test_known_lengths(text: str, length: int) -> None:
    assert weighted_length(text) == length
