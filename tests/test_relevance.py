from __future__ import annotations

import pytest

from bot.relevance import matched_keywords


@pytest.mark.parametrize(
    ("keywords", "text", "expected"),
    [
        (["ESS"], "Jornada de l'ESS a Igualada", ("ESS",)),
        (["ESS"], "Jornada de l’ESS a Igualada", ("ESS",)),
        (["ESS"], "Trobada de professionals", ()),
        (["ESS"], "ess", ("ESS",)),
        (["economia social"], "Fira d'Economia  Social\nsolidària", ("economia social",)),
        (["economia social"], "Fira d'economia\nsocial", ("economia social",)),
        (["economia social"], "economia socialista", ()),
        (["cooperativa"], "Una Cooperativa nova", ("cooperativa",)),
        (["cooperativa"], "Tres cooperatives noves", ()),
        (["economia solidària"], "ECONOMIA SOLIDARIA", ("economia solidària",)),
        (["economia solidaria"], "Economia Solidària", ("economia solidaria",)),
        (["col·lectiu"], "un coŀlectiu veïnal", ("col·lectiu",)),
        (["lectiu"], "un col·lectiu veïnal", ()),
        (["ESS", "ess", "Ess"], "la ESS", ("ESS",)),
        (["cooperativa", "ESS"], "ESS i cooperativa", ("cooperativa", "ESS")),
        (["", "  "], "ESS", ()),
        ([], "ESS", ()),
    ],
)
def test_matched_keywords(keywords: list[str], text: str, expected: tuple[str, ...]) -> None:
    assert matched_keywords(keywords, text) == expected


def test_keywords_are_looked_for_in_every_text() -> None:
    assert matched_keywords(["ESS", "cooperativa"], "Títol: cooperativa", "Resum de l'ESS") == (
        "ESS",
        "cooperativa",
    )
