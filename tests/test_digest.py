"""The weekly digest over a fixed week of member news in a real SQLite file: which items, in
which order, the thread's posts (numbering, lengths, the opening post), the Markdown and HTML
versions, the draft made once, and the command line."""

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from bot import digest, digesting, jobs, service
from bot.app import build_drafter
from bot.cli import main
from bot.clock import FixedClock
from bot.models import DraftKind, DraftStatus, FetchRequest, FetchResult, NewsItem
from bot.ports import CalendarReading, FeedReading
from bot.publishers.dry_run import DryRunPublisher
from bot.settings import Settings
from bot.store import open_store
from bot.web.app import create_app
from bot.weighted_length import weighted_length

MADRID = ZoneInfo("Europe/Madrid")
IGUALADA = "https://www.igualada.cat/rss"
PRAT = "https://www.elprat.cat/rss"
HOSPITALET = "https://www.l-h.cat/rss"
SUMMARY = "Una iniciativa d'economia social i solidària."


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MADRID).astimezone(UTC)  # type: ignore[misc]


MONDAY = local(2026, 11, 30, 9)


class Feeds:
    """Serves the items it is given, per feed URL."""

    def __init__(self, items: dict[str, tuple[NewsItem, ...]]) -> None:
        self.items = items

    def read_feeds(self, requests: Sequence[FetchRequest]) -> list[FeedReading]:
        return [
            FeedReading(FetchResult(r.url, r.url, body=b"<rss/>"), self.items.get(r.url, ()))
            for r in requests
        ]


class NoCalendars:
    def read_calendars(
        self, requests: Sequence[FetchRequest], start: datetime, end: datetime
    ) -> list[CalendarReading]:
        return []


def item(feed: str, slug: str, title: str, published: datetime) -> NewsItem:
    link = f"{feed.removesuffix('/rss')}/n/{slug}"
    return NewsItem(link, link, title, SUMMARY, published, feed)


CURES = (
    "Neix la cooperativa de cures de l'Anoia, amb vint sòcies treballadores i el suport de "
    "l'Ajuntament"
)
MERCAT = (
    "El mercat d'intercanvi de roba i joguines torna al centre històric aquest dissabte al matí"
)
FORMACIO = "Obertes les inscripcions del curs de creació de cooperatives per a joves de la comarca"
WEEK = {
    IGUALADA: (
        item(IGUALADA, "cures", CURES, local(2026, 11, 24, 10)),
        item(IGUALADA, "mercat", MERCAT, local(2026, 11, 27, 18)),
        item(IGUALADA, "formacio", FORMACIO, local(2026, 11, 26, 12)),
        item(IGUALADA, "vell", "Una notícia d'economia social d'abans", local(2026, 11, 16, 10)),
    ),
    PRAT: (
        item(
            PRAT, "habitatge", "Primera cooperativa d'habitatge en cessió d'ús del Prat",
            local(2026, 11, 25, 12),
        ),
    ),
    HOSPITALET: (
        item(
            HOSPITALET, "moneda", "La moneda social de l'Hospitalet arriba a 200 comerços",
            local(2026, 11, 29, 20),
        ),
        item(HOSPITALET, "rebutjada", "Jornada d'economia social repetida", local(2026, 11, 26, 9)),
    ),
}  # fmt: skip


def make_app(
    tmp_path: Path, feeds: dict[str, tuple[NewsItem, ...]], **extra: object
) -> service.App:
    settings = Settings(
        config_dir=tmp_path,
        slots_file="",
        relevance={"max_age_days": 30},
        members=[
            {"name": "Igualada", "x_handle": "AjIgualada", "feeds": [IGUALADA]},
            {"name": "el Prat de Llobregat", "x_handle": "AjElPrat", "feeds": [PRAT]},
            {"name": "l'Hospitalet de Llobregat", "feeds": [HOSPITALET]},
        ],
        **extra,  # type: ignore[arg-type]
    )
    app = service.App(
        settings=settings,
        store=open_store(settings.resolved_database_url),
        clock=FixedClock(MONDAY),
        feeds=Feeds(feeds),
        calendars=NoCalendars(),
        drafter=build_drafter(settings),
        publisher=DryRunPublisher(tmp_path / "outbox.jsonl"),
    )
    service.poll(app)
    return app


@pytest.fixture
def app(tmp_path: Path) -> service.App:
    """The week's news polled; the repeated Hospitalet item rejected by the group."""
    app = make_app(tmp_path, WEEK)
    [repeated] = [d for d in app.store.list_drafts() if "repetida" in d.text]
    service.reject(app, repeated.id or 0, "Núria", "repetida")
    return app


OPENING = (
    "📰 Resum setmanal de la XMESS, del 23 al 30 de novembre: 5 notícies de 3 municipis sobre "
    "economia social i solidària (l’Hospitalet de Llobregat, Igualada i el Prat de Llobregat).\n"
    "Les trobareu en aquest fil 👇\n"
    "#XMESS #EconomiaSocial\n"
    "1/5"
)
THREAD = [
    OPENING,
    "L’Hospitalet de Llobregat:\n"
    "• La moneda social de l’Hospitalet arriba a 200 comerços https://www.l-h.cat/n/moneda\n"
    "2/5",
    "Igualada (@AjIgualada):\n"
    "• El mercat d’intercanvi de roba i joguines torna al centre històric aquest dissabte al "
    "matí https://www.igualada.cat/n/mercat\n"
    "• Obertes les inscripcions del curs de creació de cooperatives per a joves de la comarca "
    "https://www.igualada.cat/n/formacio\n"
    "3/5",
    "Igualada (continua):\n"
    "• Neix la cooperativa de cures de l’Anoia, amb vint sòcies treballadores i el suport de "
    "l’Ajuntament https://www.igualada.cat/n/cures\n"
    "4/5",
    "El Prat de Llobregat (@AjElPrat):\n"
    "• Primera cooperativa d’habitatge en cessió d’ús del Prat https://www.elprat.cat/n/habitatge\n"
    "5/5",
]


def test_the_week_becomes_a_numbered_thread_grouped_by_member_most_recent_first(
    app: service.App,
) -> None:
    posts = digesting.digest_posts(app, digesting.latest_digest(app))

    assert list(posts.posts) == THREAD
    assert [weighted_length(post) for post in posts.posts] == [235, 112, 259, 150, 120]
    assert (posts.fits, posts.thread_cost, posts.link_cost) == (True, 0.815, 0.2)


def test_the_busiest_members_can_come_first(tmp_path: Path) -> None:
    app = make_app(tmp_path, WEEK, digest={"ranking": "busiest"})

    week = digesting.latest_digest(app)

    assert [(m.member, len(m.items)) for m in week.members] == [
        ("Igualada", 3), ("l'Hospitalet de Llobregat", 2), ("el Prat de Llobregat", 1)
    ]  # fmt: skip


def test_the_digest_is_drafted_once_as_one_thread_draft(app: service.App) -> None:
    first = digesting.draft_weekly_digest(replace(app, clock=FixedClock(local(2026, 12, 1, 10))))
    again = digesting.draft_weekly_digest(app)

    assert first is not None and again is None
    assert (first.kind, first.status, first.posts, first.source_title) == (
        DraftKind.DIGEST, DraftStatus.PENDING, tuple(THREAD), "Resum setmanal 2026-W48"
    )  # fmt: skip


def test_an_empty_week_gives_no_draft(tmp_path: Path) -> None:
    app = make_app(tmp_path, {})

    assert (digesting.draft_weekly_digest(app), app.store.list_drafts()) == (None, [])


def test_link_mode_is_one_post_pointing_to_the_page(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, WEEK, digest={"mode": "link"}, web={"public_url": "https://xmess.cat/bot/"}
    )

    draft = digesting.draft_weekly_digest(app)

    assert draft is not None
    assert (draft.posts, draft.source_url) == (
        (
            "📰 Resum setmanal de la XMESS, del 23 al 30 de novembre: 6 notícies de 3 municipis "
            "sobre economia social i solidària (l’Hospitalet de Llobregat, Igualada i el Prat de "
            "Llobregat).\n"
            "Totes les notícies: https://xmess.cat/bot/digest/2026-W48\n"
            "#XMESS #EconomiaSocial",
        ),
        "https://xmess.cat/bot/digest/2026-W48",
    )


MARKDOWN = """# Resum setmanal de la XMESS

Setmana 2026-W48, del 23 al 30 de novembre: 5 notícies de 3 municipis.

## L’Hospitalet de Llobregat

- [La moneda social de l’Hospitalet arriba a 200 comerços](<https://www.l-h.cat/n/moneda>) · diumenge, 29 de novembre
  Una iniciativa d’economia social i solidària.

## Igualada

- [El mercat d’intercanvi de roba i joguines torna al centre històric aquest dissabte al matí](<https://www.igualada.cat/n/mercat>) · divendres, 27 de novembre
  Una iniciativa d’economia social i solidària.
- [Obertes les inscripcions del curs de creació de cooperatives per a joves de la comarca](<https://www.igualada.cat/n/formacio>) · dijous, 26 de novembre
  Una iniciativa d’economia social i solidària.
- [Neix la cooperativa de cures de l’Anoia, amb vint sòcies treballadores i el suport de l’Ajuntament](<https://www.igualada.cat/n/cures>) · dimarts, 24 de novembre
  Una iniciativa d’economia social i solidària.

## El Prat de Llobregat

- [Primera cooperativa d’habitatge en cessió d’ús del Prat](<https://www.elprat.cat/n/habitatge>) · dimecres, 25 de novembre
  Una iniciativa d’economia social i solidària.
"""  # noqa: E501


def test_the_digest_in_markdown_for_the_newsletter(app: service.App) -> None:
    assert digesting.render_markdown(app, digesting.latest_digest(app)) == MARKDOWN


def test_the_digest_page_in_html_is_escaped(tmp_path: Path) -> None:
    hostile = item(
        PRAT, "x", "Cooperatives <script>alert(1)</script> & més", local(2026, 11, 28, 9)
    )
    app = make_app(tmp_path, {PRAT: (hostile,)})

    page = digesting.render_html(app, digesting.digest_for_week(app, "2026-W48"))

    assert page == (
        "<!doctype html>\n"
        '<html lang="ca">\n'
        '<head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Resum setmanal de la XMESS, setmana 2026-W48</title></head>\n"
        "<body>\n"
        "<h1>Resum setmanal de la XMESS</h1>\n"
        "<p>Setmana 2026-W48, del 23 al 30 de novembre: 1 notícia de 1 municipi.</p>\n"
        "<h2>El Prat de Llobregat</h2>\n"
        "<ul>\n"
        '<li><a href="https://www.elprat.cat/n/x">'
        "Cooperatives &lt;script&gt;alert(1)&lt;/script&gt; &amp; més</a> · dissabte, 28 de "
        "novembre<br>Una iniciativa d’economia social i solidària.</li>\n"
        "</ul>\n"
        "</body>\n"
        "</html>\n"
    )


# Which week


@pytest.mark.parametrize(
    ("now", "moment", "week"),
    [
        (local(2026, 11, 30, 9), local(2026, 11, 30, 9), "2026-W48"),
        (local(2026, 11, 30, 8, 59), local(2026, 11, 23, 9), "2026-W47"),
        (local(2026, 12, 3, 15), local(2026, 11, 30, 9), "2026-W48"),
        # the week of the October change: Monday 26 at 9:00 is winter time
        (local(2026, 10, 26, 9), local(2026, 10, 26, 9), "2026-W43"),
        (local(2027, 1, 4, 9), local(2027, 1, 4, 9), "2026-W53"),
    ],
)
def test_the_digest_moment_and_its_week(now: datetime, moment: datetime, week: str) -> None:
    found = digest.latest_moment(now, "mon", time(9), MADRID)

    assert (found, digest.week_label(found, MADRID)) == (moment, week)
    assert digest.moment_of_week(week, "mon", time(9), MADRID) == moment


@pytest.mark.parametrize("label", ["2026-48", "2026-W54", "setmana"])
def test_a_week_that_is_no_week_says_how_to_write_it(label: str) -> None:
    with pytest.raises(ValueError) as error:
        digest.moment_of_week(label, "mon", time(9), MADRID)
    assert str(error.value) == f"«{label}» no és una setmana: escriviu-la com 2026-W48"


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (local(2026, 11, 30, 9), "del 23 al 30 de novembre"),
        (local(2026, 12, 7, 9), "del 30 de novembre al 7 de desembre"),
        (local(2026, 12, 8, 9), "de l’1 al 8 de desembre"),
        (local(2026, 10, 18, 9), "de l’11 al 18 d’octubre"),
    ],
)
def test_the_period_is_written_in_catalan(moment: datetime, words: str) -> None:
    week = digest.build([], {}, moment=moment, zone=MADRID)

    assert digest.period_words(week, MADRID, "’") == words


# The command line


@pytest.fixture
def config(app: service.App, tmp_path: Path) -> Path:
    """A config file over the database the `app` fixture filled."""
    path = tmp_path / "xmess.toml"
    path.write_text(
        'slots_file = ""\n'
        "[relevance]\nmax_age_days = 30\n"
        '[[members]]\nname = "Igualada"\nx_handle = "AjIgualada"\n'
        '[[members]]\nname = "el Prat de Llobregat"\nx_handle = "AjElPrat"\n'
        '[[members]]\nname = "l\'Hospitalet de Llobregat"\n',
        encoding="utf-8",
    )
    return path


def xmess(config: Path, *args: str) -> str:
    done = CliRunner().invoke(main, args, env={"XMESS_CONFIG": str(config)})
    assert done.exit_code == 0, done.output
    return done.output


def test_digest_thread_shows_each_post_and_the_cost_of_each_mode(config: Path) -> None:
    output = xmess(config, "digest", "--now", "2026-11-30T10:00", "--format", "thread")

    headers = [f"— {n}/5 ({length} caràcters) —" for n, length in
               zip(range(1, 6), [235, 112, 259, 150, 120], strict=True)]  # fmt: skip
    expected = [line for header, post in zip(headers, THREAD, strict=True)
                for line in (header, post, "")]  # fmt: skip
    assert output == "\n".join([
        *expected,
        "Cost estimat a X: en fil, 0.815 USD; una sola publicació amb l'enllaç a la pàgina, "
        "0.200 USD (ara: digest.mode = «thread»).",
    ]) + "\n"  # fmt: skip


def test_digest_renders_markdown_and_drafts_only_when_asked(config: Path) -> None:
    rendered = xmess(config, "digest", "--now", "2026-11-30T10:00", "--format", "md")
    listed_before = xmess(config, "queue", "list", "--status", "pending")
    drafted = xmess(config, "digest", "--now", "2026-11-30T10:00", "--draft")
    again = xmess(config, "digest", "--now", "2026-11-30T11:00", "--draft")

    assert rendered == MARKDOWN
    assert "digest" not in listed_before
    assert drafted.startswith("#8    digest       pendent")
    assert again == (
        "Cap esborrany nou: la setmana no té notícies o el resum ja s'havia preparat.\n"
    )


def test_digest_of_an_empty_week_says_so(config: Path) -> None:
    output = xmess(config, "digest", "--now", "2026-11-10T10:00", "--format", "html")

    assert output == "La setmana 2026-W45 no té cap notícia: no hi ha resum.\n"


def test_the_queue_shows_what_the_whole_digest_thread_costs(config: Path) -> None:
    xmess(config, "digest", "--now", "2026-11-30T10:00", "--draft")

    drafts = json.loads(xmess(config, "queue", "list", "--json"))

    assert [d["estimated_cost"] for d in drafts if d["kind"] == "digest"] == [0.815]


def test_a_title_too_long_for_a_post_is_cut_at_a_word_and_keeps_its_link(tmp_path: Path) -> None:
    title = "Jornada, " * 40
    app = make_app(tmp_path, {PRAT: (item(PRAT, "llarg", title, local(2026, 11, 28, 9)),)})

    posts = digesting.digest_posts(app, digesting.latest_digest(app))

    second = posts.posts[1]
    assert (second, weighted_length(second), posts.fits) == (
        "El Prat de Llobregat (@AjElPrat):\n• "
        + "Jornada, " * 22
        + "Jornada… https://www.elprat.cat/n/llarg\n2/2",
        272,
        True,
    )


def test_the_scheduled_job_drafts_the_digest_once(app: service.App) -> None:
    first, again = jobs.JOBS["draft_digest"](app), jobs.JOBS["draft_digest"](app)
    [draft] = [d for d in app.store.list_drafts() if d.kind is DraftKind.DIGEST]
    assert (first, again) == (f"resum setmanal: esborrany #{draft.id}", "cap resum nou")


def test_the_digest_page_is_public_and_only_for_weeks_that_ended(app: service.App) -> None:
    client = TestClient(create_app(app), follow_redirects=False)
    page, future, nonsense = (
        client.get(f"/digest/{week}") for week in ("2026-W48", "2026-W49", "setmana-48")
    )
    assert (page.status_code, future.status_code, nonsense.status_code) == (200, 404, 404)
    assert "La moneda social de l’Hospitalet arriba a 200 comerços" in page.text
    assert "repetida" not in page.text  # rejected by the group
    assert "encara no s" in future.text and "p. ex. 2026-W48" in nonsense.text
    assert "default-src" in page.headers["content-security-policy"]
