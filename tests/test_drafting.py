"""Drafts written with the real templates in /templates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.drafting import Drafter
from bot.errors import ConfigError, DraftError
from bot.models import Draft, DraftKind, EventOccurrence, Image, NewsItem
from bot.weighted_length import X_LIMIT, weighted_length

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
LINK = "https://www.elprat.cat/noticies/fira-ess-2026"


@pytest.fixture(scope="module")
def templates() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in TEMPLATES_DIR.glob("*.j2")}


@pytest.fixture
def drafter(templates: dict[str, str]) -> Drafter:
    return Drafter(templates, timezone=MADRID)


def news_item(title: str = "Torna la Fira d'Economia Social", summary: str = "") -> NewsItem:
    return NewsItem(
        guid="fira-2026",
        link=LINK,
        title=title,
        summary=summary or "Més de 40 entitats de l'ESS omplen la plaça aquest dissabte.",
        published_at=None,
        feed_url="https://www.elprat.cat/rss",
        image=Image("https://www.elprat.cat/fira.jpg", "La plaça plena"),
    )


def event(**changes: object) -> EventOccurrence:
    values: dict[str, object] = {
        "calendar": "xmess",
        "uid": "jornada@xmess.cat",
        "recurrence_id": "",
        "sequence": 0,
        "title": "Jornada de cooperativisme",
        "starts_at": datetime(2026, 3, 29, 8, tzinfo=UTC),
        "ends_at": datetime(2026, 3, 29, 11, 30, tzinfo=UTC),
        "location": "Can Jorba, Igualada",
        "url": "https://xmess.cat/agenda/jornada",
    }
    return EventOccurrence(**{**values, **changes})  # type: ignore[arg-type]


def test_news_draft_with_handle(drafter: Drafter) -> None:
    draft = drafter.draft_news(
        news_item(),
        member_name="el Prat de Llobregat",
        member_handle="AjElPrat",
        matched=("ESS",),
        now=NOW,
    )
    assert draft == Draft(
        kind=DraftKind.NEWS,
        text=(
            "Torna la Fira d’Economia Social\n"
            "Més de 40 entitats de l’ESS omplen la plaça aquest dissabte.\n"
            "\n"
            "Notícia de l’Ajuntament del Prat de Llobregat (@AjElPrat): "
            f"{LINK} #EconomiaSocial"
        ),
        created_at=NOW,
        member="el Prat de Llobregat",
        source_url=LINK,
        source_title="Torna la Fira d'Economia Social",
        image=Image("https://www.elprat.cat/fira.jpg", "La plaça plena"),
        matched_keywords=("ESS",),
        over_limit=False,
        item_guid="fira-2026",
    )


def test_news_draft_without_handle(drafter: Drafter) -> None:
    draft = drafter.draft_news(
        news_item(),
        member_name="l'Hospitalet de Llobregat",
        member_handle=None,
        matched=(),
        now=NOW,
    )
    assert draft.text == (
        "Torna la Fira d’Economia Social\n"
        "Més de 40 entitats de l’ESS omplen la plaça aquest dissabte.\n"
        "\n"
        f"Notícia de l’Ajuntament de l’Hospitalet de Llobregat: {LINK} #EconomiaSocial"
    )


def test_long_summary_is_cut_at_a_word_with_an_ellipsis(drafter: Drafter) -> None:
    sentence = "La cooperativa de consum obre una botiga nova al barri, amb producte local. "
    draft = drafter.draft_news(
        news_item(summary=sentence * 6),
        member_name="Igualada",
        member_handle="@AjIgualada",
        matched=(),
        now=NOW,
    )
    assert (draft.text, draft.over_limit, weighted_length(draft.text)) == (
        "Torna la Fira d’Economia Social\n" + sentence * 2 + "La…\n"
        "\n"
        f"Notícia de l’Ajuntament d’Igualada (@AjIgualada): {LINK} #EconomiaSocial",
        False,
        279,
    )


def test_a_title_too_long_to_cut_is_kept_and_flagged(drafter: Drafter) -> None:
    title = "Economia" * 40
    draft = drafter.draft_news(
        news_item(title=title), member_name="Olot", member_handle=None, matched=(), now=NOW
    )
    assert (draft.text, draft.over_limit) == (
        f"{title}\n\nNotícia de l’Ajuntament d’Olot: {LINK} #EconomiaSocial",
        True,
    )


def test_a_long_title_is_cut_after_the_summary_is_gone(drafter: Drafter) -> None:
    title = "Fira " * 60
    draft = drafter.draft_news(
        news_item(title=title), member_name="Olot", member_handle=None, matched=(), now=NOW
    )
    assert (draft.text, draft.over_limit) == (
        "Fira " * 40 + f"Fira…\n\nNotícia de l’Ajuntament d’Olot: {LINK} #EconomiaSocial",
        False,
    )


def test_feed_text_is_never_run_as_a_template(drafter: Drafter) -> None:
    draft = drafter.draft_news(
        news_item(title="{{ 7*7 }} {{ handle }}", summary="{% for x in range(3) %}x{% endfor %}"),
        member_name="Igualada",
        member_handle="AjIgualada",
        matched=(),
        now=NOW,
    )
    assert draft.text.splitlines()[:2] == [
        "{{ 7*7 }} {{ handle }}",
        "{% for x in range(3) %}x{% endfor %}",
    ]


def test_the_members_handle_in_feed_text_loses_its_at(drafter: Drafter) -> None:
    draft = drafter.draft_news(
        news_item(title="@AjIgualada obre la convocatòria", summary="Segueix @ajigualada."),
        member_name="Igualada",
        member_handle="AjIgualada",
        matched=(),
        now=NOW,
    )
    assert draft.text == (
        "AjIgualada obre la convocatòria\n"
        "Segueix ajigualada.\n"
        "\n"
        f"Notícia de l’Ajuntament d’Igualada (@AjIgualada): {LINK} #EconomiaSocial"
    )


@pytest.mark.parametrize(
    "source",
    [
        "{{ handle }} {{ title }} {{ link }}",
        "{{ title }} {{ handle }} {{ link }} {{ handle }}",
    ],
)
def test_a_template_misplacing_the_handle_is_refused(source: str) -> None:
    drafter = Drafter({"news.txt.j2": source}, timezone=MADRID)
    with pytest.raises(ConfigError, match="una sola vegada i no al començament"):
        drafter.draft_news(
            news_item(), member_name="Olot", member_handle="AjOlot", matched=(), now=NOW
        )


def test_an_unknown_variable_is_a_config_error() -> None:
    drafter = Drafter({"news.txt.j2": "{{ titel }}"}, timezone=MADRID)
    with pytest.raises(
        ConfigError, match=r"la plantilla news\.txt\.j2 no es pot escriure: 'titel' is undefined"
    ):
        drafter.draft_news(news_item(), member_name="Olot", member_handle=None, matched=(), now=NOW)


def test_the_straight_apostrophe_setting_leaves_no_typographic_one(
    templates: dict[str, str],
) -> None:
    drafter = Drafter(templates, timezone=MADRID, apostrophe="'")
    news = drafter.draft_news(
        news_item(title="L’ESS d’Olot", summary="Un col·lectiu d’entitats."),
        member_name="l’Hospitalet de Llobregat",
        member_handle=None,
        matched=(),
        now=NOW,
    )
    announcement = drafter.draft_event(
        event(
            starts_at=datetime(2026, 10, 3, 9, tzinfo=UTC),
            ends_at=datetime(2026, 10, 3, 10, tzinfo=UTC),
        ),
        now=NOW,
    )
    assert [("’" in draft.text, "'" in draft.text) for draft in (news, announcement)] == [
        (False, True),
        (False, True),
    ]


def test_event_announcement_for_a_timed_event(drafter: Drafter) -> None:
    draft = drafter.draft_event(event(), now=NOW)
    assert draft == Draft(
        kind=DraftKind.EVENT,
        text=(
            "📅 Jornada de cooperativisme\n"
            "🗓️ Diumenge, 29 de març, de 10 a 13.30 h\n"
            "📍 Can Jorba, Igualada\n"
            "Més informació: https://xmess.cat/agenda/jornada\n"
            "#XMESS #EconomiaSocial"
        ),
        created_at=NOW,
        source_url="https://xmess.cat/agenda/jornada",
        source_title="Jornada de cooperativisme",
        event_key="xmess\x1fjornada@xmess.cat\x1f",
    )


def test_event_announcement_for_an_all_day_event(drafter: Drafter) -> None:
    # All-day events start at local midnight: 2026-10-25 00:00 CEST is 24 Oct 22:00 UTC.
    occurrence = event(
        title="Fira d'entitats",
        starts_at=datetime(2026, 10, 24, 22, tzinfo=UTC),
        ends_at=datetime(2026, 10, 25, 23, tzinfo=UTC),
        all_day=True,
        location="",
        url=None,
    )
    assert drafter.draft_event(occurrence, now=NOW).text == (
        "📅 Fira d’entitats\n🗓️ Diumenge, 25 d’octubre\n#XMESS #EconomiaSocial"
    )


def test_event_announcement_for_a_multi_day_event(drafter: Drafter) -> None:
    occurrence = event(
        starts_at=datetime(2026, 12, 2, 23, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, 23, tzinfo=UTC),
        all_day=True,
    )
    assert drafter.draft_event(occurrence, now=NOW).text == (
        "📅 Jornada de cooperativisme\n"
        "🗓️ Des de dijous, 3 de desembre, fins a dissabte, 5 de desembre\n"
        "📍 Can Jorba, Igualada\n"
        "Més informació: https://xmess.cat/agenda/jornada\n"
        "#XMESS #EconomiaSocial"
    )


@pytest.mark.parametrize("change", [{"private": True}, {"cancelled": True}])
def test_private_or_cancelled_events_are_not_announced(
    drafter: Drafter, change: dict[str, bool]
) -> None:
    with pytest.raises(DraftError, match="és privat o cancel·lat"):
        drafter.draft_event(event(**change), now=NOW)


def test_an_event_ending_before_it_starts_reads_as_its_start(drafter: Drafter) -> None:
    occurrence = event(ends_at=datetime(2026, 3, 29, 7, tzinfo=UTC), location="", url=None)
    assert drafter.draft_event(occurrence, now=NOW).text == (
        "📅 Jornada de cooperativisme\n🗓️ Diumenge, 29 de març, a les 10 h\n#XMESS #EconomiaSocial"
    )


def test_fitting_measures_a_few_times_not_once_per_word(templates: dict[str, str]) -> None:
    measured: list[str] = []

    def counting_length(text: str) -> int:
        measured.append(text)
        return weighted_length(text)

    drafter = Drafter(templates, timezone=MADRID, length_of=counting_length)
    summary = "La cooperativa de consum obre una botiga nova al barri. " * 100
    draft = drafter.draft_news(
        news_item(summary=summary), member_name="Olot", member_handle=None, matched=(), now=NOW
    )
    assert (draft.over_limit, len(measured) <= 12, draft.text in measured) == (
        False,
        True,
        True,
    )


def test_drafts_use_composed_accents_outside_links(drafter: Drafter) -> None:
    draft = drafter.draft_news(
        news_item(title="Fira d'economia solida\u0300ria", summary="Col·lectius."),
        member_name="Olot",
        member_handle=None,
        matched=(),
        now=NOW,
    )
    assert draft.text.splitlines()[0] == "Fira d’economia solidària"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"apostrophe": "`"}, "apostrophe: ha de ser"),
        ({"hashtags": ["EconomiaSocial"]}, "ha de ser una sola paraula"),
        ({"hashtags": ["#Economia Social"]}, "ha de ser una sola paraula"),
    ],
)
def test_wrong_settings_are_config_errors(
    templates: dict[str, str], settings: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Drafter(templates, timezone=MADRID, **settings)  # type: ignore[arg-type]


def test_a_template_with_a_syntax_error_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match=r"la plantilla news\.txt\.j2 té un error"):
        Drafter({"news.txt.j2": "{% if title %}"}, timezone=MADRID)


def test_an_invalid_handle_is_a_config_error(drafter: Drafter) -> None:
    with pytest.raises(ConfigError, match="no és un @nom vàlid"):
        drafter.draft_news(
            news_item(), member_name="Olot", member_handle="Aj Olot", matched=(), now=NOW
        )


def test_a_smaller_limit_is_respected(templates: dict[str, str]) -> None:
    drafter = Drafter(templates, timezone=MADRID, limit=X_LIMIT // 2)
    draft = drafter.draft_news(
        news_item(), member_name="Olot", member_handle=None, matched=(), now=NOW
    )
    assert (draft.text, draft.over_limit) == (
        "Torna la Fira d’Economia Social\n"
        "Més de 40 entitats de l’ESS…\n"
        "\n"
        f"Notícia de l’Ajuntament d’Olot: {LINK} #EconomiaSocial",
        False,
    )


def test_the_drafter_tells_its_limit(templates: dict[str, str]) -> None:
    assert Drafter(templates, timezone=MADRID, limit=500).limit == 500
