"""Every example of /work/shared/catalan.md, and the apostrophe rule."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.catalan import (
    capitalise_start,
    format_day,
    format_day_with_year,
    format_time,
    format_time_range,
    unify_apostrophes,
    with_preposition,
)

MADRID = ZoneInfo("Europe/Madrid")


@pytest.mark.parametrize(
    ("prep", "name", "expected"),
    [
        # de elides before a vowel or h + vowel
        ("de", "Igualada", "d'Igualada"),
        ("de", "Olot", "d'Olot"),
        ("de", "Esplugues de Llobregat", "d'Esplugues de Llobregat"),
        ("de", "Arenys de Munt", "d'Arenys de Munt"),
        ("de", "Òdena", "d'Òdena"),
        ("de", "Hostalric", "d'Hostalric"),
        ("de", "Horta de Sant Joan", "d'Horta de Sant Joan"),
        ("de", "Ulldecona", "d'Ulldecona"),
        # ...but not before a semivowel
        ("de", "Iowa", "de Iowa"),
        ("de", "Huelva", "de Huelva"),
        ("de", "hiena", "de hiena"),
        # a and per never elide
        ("a", "Igualada", "a Igualada"),
        ("per", "Olot", "per Olot"),
        ("a", "Hostalric", "a Hostalric"),
        # el, els contract
        ("de", "el Prat de Llobregat", "del Prat de Llobregat"),
        ("a", "el Prat", "al Prat"),
        ("per", "el Prat", "pel Prat"),
        ("de", "el Masnou", "del Masnou"),
        ("de", "els Hostalets de Pierola", "dels Hostalets de Pierola"),
        ("a", "els Hostalets", "als Hostalets"),
        ("per", "els Hostalets de Pierola", "pels Hostalets de Pierola"),
        # an elided article, la and les do not
        ("de", "l'Hospitalet de Llobregat", "de l'Hospitalet de Llobregat"),
        ("a", "l'Hospitalet", "a l'Hospitalet"),
        ("de", "la Garriga", "de la Garriga"),
        ("a", "la Seu d'Urgell", "a la Seu d'Urgell"),
        ("de", "les Franqueses del Vallès", "de les Franqueses del Vallès"),
        # Sant/Santa and consonants: nothing changes
        ("de", "Sant Cugat del Vallès", "de Sant Cugat del Vallès"),
        ("de", "Santa Coloma de Gramenet", "de Santa Coloma de Gramenet"),
        ("a", "Terrassa", "a Terrassa"),
        # common nouns in templates
        ("de", "l'Ajuntament", "de l'Ajuntament"),
        # an article written in capitals is still an article inside a sentence
        ("de", "El Prat de Llobregat", "del Prat de Llobregat"),
        ("de", "L’Hospitalet de Llobregat", "de l'Hospitalet de Llobregat"),
    ],
)
def test_with_preposition_elides_and_contracts(prep: str, name: str, expected: str) -> None:
    assert with_preposition(prep, name, apostrophe="'") == expected


def test_with_preposition_writes_the_chosen_apostrophe() -> None:
    assert [with_preposition("de", name) for name in ("Igualada", "l'Hospitalet")] == [
        "d’Igualada",
        "de l’Hospitalet",
    ]


def test_with_preposition_refuses_other_prepositions() -> None:
    with pytest.raises(ValueError, match="unknown preposition 'amb'"):
        with_preposition("amb", "Igualada")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("el Prat presenta", "El Prat presenta"),
        ("l'Hospitalet acull", "L'Hospitalet acull"),
        ("«la Garriga»", "«La Garriga»"),
        ("3 d’octubre", "3 d’octubre"),
        ("", ""),
    ],
)
def test_capitalise_start(text: str, expected: str) -> None:
    assert capitalise_start(text) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 3, 9, tzinfo=UTC), "dijous, 3 de desembre"),
        (datetime(2026, 10, 3, 9, tzinfo=UTC), "dissabte, 3 d’octubre"),
        (datetime(2026, 4, 1, 9, tzinfo=UTC), "dimecres, 1 d’abril"),
        (datetime(2026, 8, 15, 9, tzinfo=UTC), "dissabte, 15 d’agost"),
        # 23.30 UTC is already the next day in Madrid
        (datetime(2026, 12, 2, 23, 30, tzinfo=UTC), "dijous, 3 de desembre"),
    ],
)
def test_format_day(moment: datetime, expected: str) -> None:
    assert format_day(moment, MADRID) == expected


def test_format_day_with_year_writes_de_not_del() -> None:
    assert format_day_with_year(datetime(2026, 12, 1, 9, tzinfo=UTC), MADRID) == (
        "dimarts, 1 de desembre de 2026"
    )


def test_format_day_with_straight_apostrophe() -> None:
    assert format_day(datetime(2026, 10, 3, 9, tzinfo=UTC), MADRID, apostrophe="'") == (
        "dissabte, 3 d'octubre"
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 3, 9, tzinfo=UTC), "a les 10 h"),
        (datetime(2026, 12, 3, 9, 30, tzinfo=UTC), "a les 10.30 h"),
        (datetime(2026, 12, 3, 0, tzinfo=UTC), "a la 1 h"),
        (datetime(2026, 12, 3, 0, 5, tzinfo=UTC), "a la 1.05 h"),
        # 2026-03-29: clocks go forward at 01:00 UTC (02:00 CET -> 03:00 CEST)
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "a la 1.30 h"),
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "a les 3.30 h"),
        (datetime(2026, 3, 29, 8, tzinfo=UTC), "a les 10 h"),
        # 2026-10-25: clocks go back at 01:00 UTC (03:00 CEST -> 02:00 CET)
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "a les 2.30 h"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "a les 2.30 h"),
        (datetime(2026, 10, 25, 9, tzinfo=UTC), "a les 10 h"),
    ],
)
def test_format_time_across_dst(moment: datetime, expected: str) -> None:
    assert format_time(moment, MADRID) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (
            datetime(2026, 12, 3, 9, tzinfo=UTC),
            datetime(2026, 12, 3, 12, 30, tzinfo=UTC),
            "de 10 a 13.30 h",
        ),
        (
            datetime(2026, 12, 3, 10, tzinfo=UTC),
            datetime(2026, 12, 3, 12, tzinfo=UTC),
            "d’11 a 13 h",
        ),
        (
            datetime(2026, 3, 29, 8, tzinfo=UTC),
            datetime(2026, 3, 29, 11, 30, tzinfo=UTC),
            "de 10 a 13.30 h",
        ),
        (
            datetime(2026, 10, 25, 9, tzinfo=UTC),
            datetime(2026, 10, 25, 12, 30, tzinfo=UTC),
            "de 10 a 13.30 h",
        ),
        (datetime(2026, 12, 3, 9, tzinfo=UTC), datetime(2026, 12, 3, 9, tzinfo=UTC), "a les 10 h"),
    ],
)
def test_format_time_range(start: datetime, end: datetime, expected: str) -> None:
    assert format_time_range(start, end, MADRID) == expected


def test_format_time_range_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        format_time_range(
            datetime(2026, 12, 3, 9, tzinfo=UTC), datetime(2026, 12, 3, 8, tzinfo=UTC)
        )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="a time zone is needed"):
        format_day(datetime(2026, 12, 3, 9), MADRID)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("text", "apostrophe", "expected"),
    [
        ("L'Ajuntament d’Igualada i lʼESS", "’", "L’Ajuntament d’Igualada i l’ESS"),
        ("L'Ajuntament d’Igualada i lʼESS", "'", "L'Ajuntament d'Igualada i l'ESS"),
        ("l´Hospitalet i l‘Ametlla", "'", "l'Hospitalet i l'Ametlla"),
        ("col·lectiu d'Olot", "’", "col·lectiu d’Olot"),
        ("COL·LECTIU l'11 de setembre", "’", "COL·LECTIU l’11 de setembre"),
        ("diu 'hola' i ‘adéu’", "'", "diu 'hola' i ‘adéu’"),
    ],
)
def test_unify_apostrophes(text: str, apostrophe: str, expected: str) -> None:
    assert unify_apostrophes(text, apostrophe) == expected


@pytest.mark.parametrize("apostrophe", ["’", "'"])
def test_a_date_and_feed_text_never_mix_apostrophes(apostrophe: str) -> None:
    day = format_day(datetime(2026, 10, 3, 9, tzinfo=UTC), MADRID, apostrophe=apostrophe)
    text = unify_apostrophes(f"La fira d'Olot torna el {day}", apostrophe)
    other = "'" if apostrophe == "’" else "’"
    assert (apostrophe in text, other in text) == (True, False)
