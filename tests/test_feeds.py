"""Feeds: parsing and normalising council RSS/Atom, and reading many over loopback HTTP."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.errors import SourceError
from bot.loopback import LoopbackServer, Resource
from bot.models import FetchRequest, Image, NewsItem
from bot.ports import FeedReading
from bot.sources.feed_parsing import ParsedFeed, canonical_link, parse_feed, plain_text
from bot.sources.feeds import DEFAULT_PARSE_LIMITS, HttpFeedReader, ParseLimits

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
RSS_URL = "https://www.santfeliu.cat/rss/noticies.xml"
ATOM_URL = "https://www.ccbaixllobregat.cat/actualitat/atom.xml"
LATIN1_URL = "https://www.laseu.cat/rss.xml"
RSS = "application/rss+xml"


def parse_fixture(name: str, url: str, content_type: str = RSS) -> ParsedFeed:
    body = (FIXTURES / name).read_bytes()
    return parse_feed(body, content_type=content_type, url=url, now=NOW)


@pytest.fixture(scope="module")
def rss_items() -> tuple[NewsItem, ...]:
    return parse_fixture("ajuntament-rss.xml", RSS_URL).items


@pytest.fixture(scope="module")
def atom_items() -> tuple[NewsItem, ...]:
    return parse_fixture("consell-atom.xml", ATOM_URL, "application/atom+xml").items


def news(
    guid: str,
    link: str,
    title: str,
    summary: str,
    published_at: datetime | None,
    categories: tuple[str, ...] = (),
    image: Image | None = None,
) -> NewsItem:
    """An item of the RSS fixture, which all come from the same feed URL."""
    return NewsItem(guid, link, title, summary, published_at, RSS_URL, "", categories, image)


# Normalising RSS


def test_an_rss_item_becomes_plain_text_with_a_canonical_link(
    rss_items: tuple[NewsItem, ...],
) -> None:
    assert rss_items[0] == news(
        guid="noticia-42",
        link="https://www.santfeliu.cat/noticies/casal-estiu-2025?id=42",
        title="Obertes les inscripcions al Casal d'Estiu de la col·lectivitat",
        summary="Les famílies poden inscriure els infants fins al 15 de juny. "
        "Places limitades & preus socials.",
        published_at=datetime(2025, 6, 2, 7, 30, tzinfo=UTC),
        categories=("Educació", "Joventut"),
        image=Image(
            "https://www.santfeliu.cat/media/casal-estiu.jpg", "Infants jugant al pati de l'escola"
        ),
    )


def test_tracking_parameters_go_and_the_host_is_lower_cased(
    rss_items: tuple[NewsItem, ...],
) -> None:
    assert rss_items[1] == news(
        guid="https://www.santfeliu.cat/noticies/enllumenat?pagina=2",
        link="https://www.santfeliu.cat/noticies/enllumenat?pagina=2",
        title="Nova il·luminació a la plaça de la Vila",
        summary="Els treballs acabaran a l'estiu.",
        published_at=datetime(2025, 5, 30, 12, 0, tzinfo=UTC),
        image=Image("https://www.santfeliu.cat/media/placa-vila.png"),
    )


def test_an_entry_without_a_date_has_no_publication_time(rss_items: tuple[NewsItem, ...]) -> None:
    assert (rss_items[2].title, rss_items[2].published_at) == (
        "Agenda cultural del cap de setmana",
        None,
    )


def test_the_first_real_img_is_the_image_not_a_tracking_pixel(
    rss_items: tuple[NewsItem, ...],
) -> None:
    assert rss_items[2].image == Image(
        "https://www.santfeliu.cat/media/teatre.jpg", "Escenari del teatre"
    )


def test_hostile_markup_is_reduced_to_plain_text(rss_items: tuple[NewsItem, ...]) -> None:
    assert (rss_items[3].title, rss_items[3].summary, rss_items[3].image) == (
        "Ple municipal de juny",
        "Ordre del dia enllaç final",
        None,
    )


def test_a_javascript_link_falls_back_to_the_feed_link(rss_items: tuple[NewsItem, ...]) -> None:
    assert (rss_items[3].guid, rss_items[3].link) == (
        "ple-juny",
        "https://www.santfeliu.cat/noticies",
    )


@pytest.mark.parametrize("index", [3, 4], ids=["1970", "2199"])
def test_absurd_dates_are_dropped(rss_items: tuple[NewsItem, ...], index: int) -> None:
    assert rss_items[index].published_at is None


def test_an_entry_with_neither_title_nor_summary_is_skipped(
    rss_items: tuple[NewsItem, ...],
) -> None:
    assert [item.guid for item in rss_items] == [
        "noticia-42",
        "https://www.santfeliu.cat/noticies/enllumenat?pagina=2",
        "https://www.santfeliu.cat/agenda/cap-de-setmana",
        "ple-juny",
        "https://www.santfeliu.cat/noticies/futur",
    ]


def test_a_latin1_feed_is_decoded() -> None:
    assert parse_fixture("ajuntament-latin1.xml", LATIN1_URL) == ParsedFeed(
        items=(
            NewsItem(
                guid="https://www.laseu.cat/noticies/festa-major",
                link="https://www.laseu.cat/noticies/festa-major",
                title="Festa Major: programació d'activitats a la plaça dels Oms",
                summary="Cercaviles, sardanes i la tradicional baixada d'olles. Col·labora-hi!",
                published_at=datetime(2025, 5, 27, 6, 0, tzinfo=UTC),
                feed_url=LATIN1_URL,
            ),
        )
    )


# Normalising Atom


def test_an_atom_entry_resolves_links_against_xml_base(atom_items: tuple[NewsItem, ...]) -> None:
    assert atom_items[0] == NewsItem(
        guid="tag:ccbaixllobregat.cat,2025:noticia-7",
        link="https://www.ccbaixllobregat.cat/actualitat/reunio-consell-alcaldes",
        title="Reunió del Consell d'Alcaldes",
        summary="Els alcaldes i alcaldesses han tractat la mobilitat.",
        published_at=datetime(2025, 6, 3, 5, 45, tzinfo=UTC),
        feed_url=ATOM_URL,
        categories=("Institucional",),
        image=Image("https://www.ccbaixllobregat.cat/actualitat/imatges/consell.jpg"),
    )


def test_an_entry_without_id_or_link_gets_a_content_hash_and_the_feed_link(
    atom_items: tuple[NewsItem, ...],
) -> None:
    title = "Ajuts per a la rehabilitació d'habitatges"
    summary = "Convocatòria oberta fins al 30 de juny."
    digest = hashlib.sha256(f"{title}\x1f{summary}".encode()).hexdigest()

    assert atom_items[1] == NewsItem(
        guid=f"sha256:{digest}",
        link="https://www.ccbaixllobregat.cat/actualitat/",
        title=title,
        summary=summary,
        published_at=datetime(2025, 6, 2, 10, 0, tzinfo=UTC),
        feed_url=ATOM_URL,
    )


# Documents that are not (quite) feeds


def test_a_web_page_is_not_a_feed() -> None:
    page = b"<html><head><title>Ajuntament</title></head><body><p>Benvinguts</p></body></html>"

    with pytest.raises(SourceError) as raised:
        parse_feed(page, content_type="text/html", url="https://www.vilanova.cat/", now=NOW)

    assert str(raised.value) == (
        "el document de https://www.vilanova.cat/ no és un canal RSS ni Atom "
        "(text/html is not an XML media type)"
    )


def test_an_empty_document_is_not_a_feed() -> None:
    with pytest.raises(SourceError) as raised:
        parse_feed(b"\n", content_type=RSS, url="https://www.vilanova.cat/rss", now=NOW)

    assert str(raised.value) == "el document de https://www.vilanova.cat/rss és buit"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp037"])
def test_entity_declarations_are_refused_in_any_encoding(encoding: str) -> None:
    bomb = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<!DOCTYPE rss [\n<!ENTITY a "' + "B" * 1000 + '">\n]>\n'
        '<rss version="2.0"><channel><title>' + "&a;" * 1000 + "</title></channel></rss>"
    ).encode(encoding)

    with pytest.raises(SourceError, match=r"declara entitats XML \(<!ENTITY>\)"):
        parse_feed(bomb, content_type=None, url="https://www.vilanova.cat/rss", now=NOW)


def test_an_ill_formed_feed_keeps_its_entries_with_a_warning() -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
        b"<item><title>Concert&nbsp;de Sant Joan</title>"
        b"<link>https://www.vilanova.cat/concert</link></item>\n</channel></rss>"
    )

    parsed = parse_feed(body, content_type=RSS, url="https://www.vilanova.cat/rss", now=NOW)

    assert parsed == ParsedFeed(
        items=(
            NewsItem(
                guid="https://www.vilanova.cat/concert",
                link="https://www.vilanova.cat/concert",
                title="Concert de Sant Joan",
                summary="",
                published_at=None,
                feed_url="https://www.vilanova.cat/rss",
            ),
        ),
        warning="el canal té errors de format: <unknown>:3:20: undefined entity",
    )


def test_utf16_without_bom_or_declaration_is_sniffed() -> None:
    body = (
        '<rss version="2.0"><channel><item><title>Dilluns, ple obert</title>'
        "<link>https://www.vilanova.cat/ple</link></item></channel></rss>"
    ).encode("utf-16-le")

    parsed = parse_feed(body, content_type=RSS, url="https://www.vilanova.cat/rss", now=NOW)

    assert [item.title for item in parsed.items] == ["Dilluns, ple obert"]


# The rules, one case a line


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/noticies/a?utm_source=x&id=3", "https://www.vilanova.cat/noticies/a?id=3"),
        ("noticia.html#comentaris", "https://www.vilanova.cat/rss/noticia.html"),
        ("https://www.vilanova.cat/#!/noticia/3", "https://www.vilanova.cat/#!/noticia/3"),
        ("HTTPS://WWW.Vilanova.CAT:443/A", "https://www.vilanova.cat/A"),
        ("http://www.vilanova.cat:8080/a", "http://www.vilanova.cat:8080/a"),
        ("//cdn.vilanova.cat/a", "https://cdn.vilanova.cat/a"),
        ("https://www.vilanova.cat/a?UTM_Medium=x&q=%20a&_ga=1&fbclid=2", "https://www.vilanova.cat/a?q=%20a"),
        ("https://www.vilanova.cat/a?b=2&a=1&mc_cid=9&mc_eid=8", "https://www.vilanova.cat/a?b=2&a=1"),
        ("  https://www.vilanova.cat/les notícies\n", "https://www.vilanova.cat/les%20not%C3%ADcies"),
        ("https://user:secret@www.vilanova.cat/a", "https://www.vilanova.cat/a"),
        ("javascript:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("mailto:premsa@vilanova.cat", None),
        ("ftp://www.vilanova.cat/a", None),
        ("https://www.vilanova.cat:99999/a", None),
        ("", None),
    ],
)  # fmt: skip
def test_canonical_link(href: str, expected: str | None) -> None:
    assert canonical_link(href, "https://www.vilanova.cat/rss/feed.xml") == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>Hola</p><p>món</p>", "Hola món"),
        ("col<b>·</b>lecció", "col·lecció"),
        ("Preus &lt; 5 &euro; &amp; gratuït", "Preus < 5 € & gratuït"),
        ("a < b", "a < b"),
        ("<script>alert(1)</script>Text", "Text"),
        ("<style>p { color: red }</style>Text", "Text"),
        ('<iframe src="https://x">no ho vegis</iframe>Text', "Text"),
        ('<img src=x onerror="alert(1)">Text', "Text"),
        ("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;Text", "Text"),
        ("JavaScript:alert(1)", "alert(1)"),
        ("javajavascript:script:alert(1)", "alert(1)"),
        ("java\x00script:alert(1)", "alert(1)"),
        ("línia 1\n\t línia\u00a02", "línia 1 línia 2"),
        ("<!-- comentari -->Text", "Text"),
    ],
)
def test_plain_text(markup: str, expected: str) -> None:
    assert plain_text(markup) == expected


# Reading over HTTP


def serve_fixture(server: LoopbackServer, path: str, name: str, etag: str | None = None) -> str:
    body = (FIXTURES / name).read_bytes()
    server.resources[path] = Resource(body=body, content_type=RSS, etag=etag)
    return server.url(path)


def expected_items(name: str, url: str) -> tuple[NewsItem, ...]:
    return parse_feed((FIXTURES / name).read_bytes(), content_type=RSS, url=url, now=NOW).items


def read(*requests: FetchRequest, limits: ParseLimits = DEFAULT_PARSE_LIMITS) -> list[FeedReading]:
    """The readings, put back in request order (the reader yields them as they are ready)."""
    readings = HttpFeedReader(parse_limits=limits, clock=FixedClock(NOW)).read_feeds(requests)
    order = {request.url: index for index, request in enumerate(requests)}
    return sorted(readings, key=lambda reading: order[reading.fetch.url])


def test_the_reader_parses_every_feed(loopback: LoopbackServer) -> None:
    rss = serve_fixture(loopback, "/rss.xml", "ajuntament-rss.xml")
    latin1 = serve_fixture(loopback, "/latin1.xml", "ajuntament-latin1.xml")

    readings = read(FetchRequest(rss), FetchRequest(latin1))

    assert [(r.fetch.url, r.items, r.warning, r.error) for r in readings] == [
        (rss, expected_items("ajuntament-rss.xml", rss), None, None),
        (latin1, expected_items("ajuntament-latin1.xml", latin1), None, None),
    ]


def test_an_unchanged_feed_has_no_items(loopback: LoopbackServer) -> None:
    rss = serve_fixture(loopback, "/rss.xml", "ajuntament-rss.xml", '"v1"')

    [reading] = read(FetchRequest(rss, etag='"v1"'))

    assert (reading.fetch.not_modified, reading.items, reading.failed) == (True, (), False)


def test_a_failed_fetch_is_a_failed_reading(loopback: LoopbackServer) -> None:
    [reading] = read(FetchRequest(loopback.url("/no-hi-es.xml")))

    assert (reading.failed, reading.fetch.error, reading.items) == (
        True,
        "el servidor ha respost 404",
        (),
    )


def test_a_body_that_is_not_a_feed_is_an_error_naming_the_url(loopback: LoopbackServer) -> None:
    page = b"<html><body><p>Benvinguts a la web municipal</p></body></html>"
    loopback.resources["/index.html"] = Resource(body=page, content_type="text/html")

    [reading] = read(FetchRequest(loopback.url("/index.html")))

    assert reading.error == (
        f"el document de {loopback.url('/index.html')} no és un canal RSS ni Atom "
        "(text/html is not an XML media type)"
    )


def test_items_keep_the_configured_url_after_a_redirect(loopback: LoopbackServer) -> None:
    new = serve_fixture(loopback, "/nou/rss.xml", "ajuntament-latin1.xml")
    loopback.resources["/rss.xml"] = Resource(redirect_to="/nou/rss.xml", status=301)

    [reading] = read(FetchRequest(loopback.url("/rss.xml")))

    assert (reading.fetch.final_url, {item.feed_url for item in reading.items}) == (
        new,
        {loopback.url("/rss.xml")},
    )


def test_a_big_poll_parses_in_worker_processes_to_the_same_result(
    loopback: LoopbackServer,
) -> None:
    requests = [
        FetchRequest(serve_fixture(loopback, f"/{n}.xml", "ajuntament-rss.xml")) for n in range(9)
    ]

    in_workers = read(*requests, limits=ParseLimits(pool_threshold=8))
    in_process = read(*requests, limits=ParseLimits(pool_threshold=100))

    assert in_workers == in_process


def test_a_parse_that_runs_too_long_in_a_worker_is_an_error(loopback: LoopbackServer) -> None:
    items = b"<item><title>Noticia</title><description>Text</description></item>" * 3000
    loopback.resources["/llarg.xml"] = Resource(
        body=b'<rss version="2.0"><channel>' + items + b"</channel></rss>"
    )

    [reading] = read(
        FetchRequest(loopback.url("/llarg.xml")), limits=ParseLimits(pool_threshold=1, timeout=0.01)
    )

    assert reading.error == f"l'anàlisi del canal {loopback.url('/llarg.xml')} ha superat 0.01 s"
