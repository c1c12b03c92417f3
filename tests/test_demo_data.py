"""The bundled demo data: rendered at a fixed moment, every file parses and a demo poll finds
exactly the items and events the demo is meant to show."""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
import recurring_ical_events

from bot import events, news
from bot.demo.render import declared_encoding, render_file, render_placeholders
from bot.models import EventOccurrence, NewsItem
from bot.settings import Settings

DATA = Path(__file__).resolve().parents[1] / "bot" / "demo" / "data"
FEEDS = DATA / "feeds"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
MADRID = ZoneInfo("Europe/Madrid")
BASE = "http://127.0.0.1:8765"
MEDIA = "{http://search.yahoo.com/mrss/}"
# Other moments a demo may run at: late in the evening, across both changes of summer time.
OTHER_NOWS = [
    datetime(2026, 11, 27, 22, 59, tzinfo=UTC),
    datetime(2026, 3, 20, 23, 30, tzinfo=UTC),
    datetime(2026, 10, 20, 5, 0, tzinfo=UTC),
    datetime(2027, 6, 15, 12, 0, tzinfo=UTC),
]


def rendered(path: Path, now: datetime = NOW) -> bytes:
    return render_file(path, now, MADRID, BASE)


def parsed_feed(name: str, now: datetime = NOW) -> Any:
    """As the bot will parse it: with the loopback URL as the document's base and the media
    type the demo server sends. No charset: a wrong one (utf-8 for the Latin-1 feed, or a bare
    text/xml, which means us-ascii) makes feedparser report bozo."""
    headers = {
        "content-location": f"{BASE}/feeds/{name}",
        "content-type": "application/atom+xml" if name == "el-prat.xml" else "application/rss+xml",
    }
    return feedparser.parse(rendered(FEEDS / name, now), response_headers=headers)


def members() -> dict[str, Any]:
    return tomllib.loads(rendered(DATA / "members.toml").decode("utf-8"))


def demo_files() -> list[Path]:
    return sorted(p for p in DATA.rglob("*") if p.is_file())


# The renderer


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("{{DATE:-2d}}", NOW, "Wed, 25 Nov 2026 10:00:00 +0000"),
        ("{{DATE:+5h}}", NOW, "Fri, 27 Nov 2026 15:00:00 +0000"),
        ("{{ISODATE:-5h}}", NOW, "2026-11-27T05:00:00Z"),
        ("{{ICSDATE:+12d}}", NOW, "20261209"),
        ("{{ICSLOCAL:+12d@10:00}}", NOW, "20261209T100000"),
        ("{{ICSLOCAL:+3h}}", NOW, "20261127T140000"),
        ("<a>{{BASE}}/agenda.ics</a>", NOW, "<a>http://127.0.0.1:8765/agenda.ics</a>"),
        # 00:30 local on the 28th is still the 27th in UTC: ICS dates are local.
        ("{{ICSDATE:+0d}}", datetime(2026, 11, 27, 23, 30, tzinfo=UTC), "20261128"),
        # Across the spring change a calendar day keeps the wall time.
        ("{{ICSLOCAL:+1d}}", datetime(2026, 3, 28, 9, 15, 30, tzinfo=UTC), "20260329T101530"),
    ],
)
def test_placeholders_are_filled(text: str, now: datetime, expected: str) -> None:
    assert render_placeholders(text, now, MADRID, BASE + "/") == expected


@pytest.mark.parametrize(
    "placeholder",
    [
        "{{TODAY}}",
        "{{DATE:2d}}",
        "{{DATE:-2w}}",
        "{{DATE:-2d@10:00}}",
        "{{ICSDATE:+1d@10:00}}",
        "{{ICSLOCAL:+1d@25:00}}",
        "{{base}}",
    ],
)
def test_an_unknown_placeholder_is_named(placeholder: str) -> None:
    with pytest.raises(ValueError, match=re.escape(placeholder)):
        render_placeholders(f"x {placeholder} y", NOW, MADRID, BASE)


def test_an_unclosed_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match="unclosed"):
        render_placeholders("<pubDate>{{DATE:-2d</pubDate>", NOW, MADRID, BASE)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_placeholders("{{DATE:-2d}}", NOW.replace(tzinfo=None), MADRID, BASE)


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("feeds/hospitalet.xml", "ISO-8859-1"),
        ("feeds/igualada.xml", "UTF-8"),
        ("agenda.ics", "utf-8"),
    ],
)
def test_the_declared_encoding_is_read(name: str, encoding: str) -> None:
    assert declared_encoding((DATA / name).read_bytes()) == encoding


@pytest.mark.parametrize("path", demo_files(), ids=lambda p: p.name)
def test_no_placeholder_remains(path: Path) -> None:
    text = rendered(path).decode(declared_encoding(path.read_bytes()))
    assert "{{" not in text and "}}" not in text


# Feeds


@pytest.mark.parametrize(
    ("name", "version", "entries"),
    [
        ("igualada.xml", "rss20", 7),
        ("el-prat.xml", "atom10", 7),
        ("hospitalet.xml", "rss20", 6),
        ("sant-cugat.xml", "rss20", 6),
    ],
)
def test_feed_parses_cleanly(name: str, version: str, entries: int) -> None:
    feed = parsed_feed(name)
    assert (feed.bozo, feed.version, len(feed.entries)) == (False, version, entries)


def test_every_feed_file_is_a_configured_member_feed() -> None:
    configured = {url for member in members()["members"] for url in member["feeds"]}
    assert configured == {f"{BASE}/feeds/{path.name}" for path in FEEDS.glob("*.xml")}


def test_the_latin1_feed_is_latin1_bytes_and_decodes_with_its_accents() -> None:
    body = rendered(FEEDS / "hospitalet.xml")
    assert b"Solid\xe0ria" in body and b"col\xb7lectiva" in body
    titles = [entry.title for entry in parsed_feed("hospitalet.xml").entries]
    assert "L'Hospitalet celebra la Setmana de l'Economia Social i Solidària" in titles
    assert "Comença la reforma de la plaça de l'Ajuntament" in titles
    assert any("cuina col·lectiva" in title for title in titles)


def test_links_and_ids_never_name_the_loopback_server() -> None:
    for name in ("igualada.xml", "el-prat.xml", "hospitalet.xml", "sant-cugat.xml"):
        for entry in parsed_feed(name).entries:
            assert entry.link.startswith("https://"), entry.link
            assert "127.0.0.1" not in entry.id + entry.link


def test_a_relative_link_resolves_against_the_feeds_xml_base() -> None:
    links = [entry.link for entry in parsed_feed("el-prat.xml").entries]
    assert "https://www.elprat.cat/noticies/neix-cooperativa-consum-parc-agrari" in links
    assert 'href="/noticies/' in (FEEDS / "el-prat.xml").read_text(encoding="utf-8")


def test_the_syndicated_release_has_one_id_and_one_canonical_link() -> None:
    igualada = _by_title(parsed_feed("igualada.xml"), "La XMESS presenta")
    sant_cugat = _by_title(parsed_feed("sant-cugat.xml"), "La XMESS presenta")
    assert igualada.id == sant_cugat.id == igualada.link
    assert urlsplit(sant_cugat.link).query == "utm_source=rss&utm_medium=feed"
    assert _without_query(sant_cugat.link) == igualada.link


def test_sant_cugat_images_carry_alt_text() -> None:
    root = ET.fromstring(rendered(FEEDS / "sant-cugat.xml"))
    media = root.findall(f"channel/item/{MEDIA}content")
    assert len(media) == 4
    assert all((m.findtext(f"{MEDIA}description") or "").strip() for m in media)
    enclosures = [e.get("type") for e in root.iter("enclosure")]
    assert enclosures == ["image/jpeg"]
    encoded = [e.content[-1].value for e in parsed_feed("sant-cugat.xml").entries if "content" in e]
    assert any(re.search(r'<img [^>]*alt="[^"]+"', html) for html in encoded)


def test_media_description_does_not_replace_the_summary() -> None:
    """feedparser reads media:description as a description: it must come after the item's own."""
    root = ET.fromstring(rendered(FEEDS / "sant-cugat.xml"))
    own = {item.findtext("guid"): item.findtext("description") for item in root.iter("item")}
    assert {entry.id: entry.summary for entry in parsed_feed("sant-cugat.xml").entries} == own


# What a demo poll drafts


def test_relevant_items_per_feed() -> None:
    assert _irrelevant_titles() == {
        "igualada.xml": [
            "Talls de trànsit a l'avinguda de Barcelona per les obres del clavegueram",
            "Igualada acull el Campionat de Catalunya de cros per clubs",
            "El ple aprova inicialment el pressupost municipal de l'any vinent",
        ],
        "el-prat.xml": [
            "Obres de millora a la rambla de la Marina fins a final de mes",
            "El Prat ja prepara una nova edició de la Fira Avícola",
            "El Club Bàsquet Prat guanya el derbi i s'enfila a la part alta de la classificació",
        ],
        "hospitalet.xml": [
            "El CE L'Hospitalet guanya el derbi i se situa entre els quatre primers",
            "Comença la reforma de la plaça de l'Ajuntament",
        ],
        "sant-cugat.xml": [
            "Talls de trànsit diumenge pel Cros Popular de Sant Cugat",
            "Comencen les obres de reurbanització de la rambla del Celler",
        ],
    }


def test_only_the_member_keyword_makes_the_local_currency_news_relevant() -> None:
    item = next(i for i in _items("sant-cugat.xml") if "moneda social" in i.title)
    keywords = members()["relevance"]["keywords"]
    assert news.relevance(item, keywords) is None
    assert news.relevance(item, [*keywords, "moneda social"]) == ("moneda social",)


def test_one_item_is_older_than_max_age() -> None:
    old = [i.title for name in _feed_names() for i in _items(name) if not _fresh(i, NOW)]
    assert old == ["Més de 80 persones participen en la jornada «Emprendre en cooperativa»"]


@pytest.mark.parametrize("now", [NOW, *OTHER_NOWS])
def test_a_demo_poll_drafts_fourteen_of_twenty_six_items(now: datetime) -> None:
    assert _poll_counts(now) == {"entries": 26, "recorded": 25, "relevant": 15, "drafted": 14}


# The agenda


def test_agenda_occurrences_in_the_next_60_days() -> None:
    assert [_describe(o) for o in _occurrences(NOW)] == [
        ("coordinacio-comunicacio", "2026-11-30 17:00", "CONFIRMED", ""),
        ("comissio-permanent-interna", "2026-12-05 09:00", "CONFIRMED", "PRIVATE"),
        ("coordinacio-comunicacio", "2026-12-07 17:00", "CONFIRMED", ""),
        ("assemblea-general", "2026-12-09 10:00", "CONFIRMED", "PUBLIC"),
        ("taller-comunicacio-entitats", "2026-12-12 16:00", "CANCELLED", ""),
        ("coordinacio-comunicacio", "2026-12-15 17:00", "CONFIRMED", "moved from 2026-12-14 17:00"),
        ("fira-ess-sant-cugat", "2026-12-17", "CONFIRMED", ""),
        ("coordinacio-comunicacio", "2026-12-21 17:00", "CONFIRMED", ""),
        ("coordinacio-comunicacio", "2027-01-04 17:00", "CONFIRMED", ""),
        ("jornada-compra-publica-responsable", "2027-01-11 09:30", "CONFIRMED", ""),
        ("coordinacio-comunicacio", "2027-01-11 17:00", "CONFIRMED", ""),
        ("coordinacio-comunicacio", "2027-01-18 17:00", "CONFIRMED", ""),
    ]


def test_agenda_announcements_within_30_days() -> None:
    announced = [_describe(o)[:2] for o in _occurrences(NOW) if _announced(o, NOW)]
    assert announced == [
        ("coordinacio-comunicacio", "2026-11-30 17:00"),
        ("coordinacio-comunicacio", "2026-12-07 17:00"),
        ("assemblea-general", "2026-12-09 10:00"),
        ("coordinacio-comunicacio", "2026-12-15 17:00"),
        ("fira-ess-sant-cugat", "2026-12-17"),
        ("coordinacio-comunicacio", "2026-12-21 17:00"),
    ]


@pytest.mark.parametrize("now", OTHER_NOWS)
def test_agenda_counts_do_not_depend_on_when_the_demo_runs(now: datetime) -> None:
    found = _occurrences(now)
    assert (len(found), sum(_announced(o, now) for o in found)) == (12, 6)


def test_every_event_has_a_stable_uid_and_a_sequence() -> None:
    for event in _calendar(NOW).walk("VEVENT"):
        assert str(event["UID"]).endswith("@xmess.cat")
        assert isinstance(event["SEQUENCE"], int)


def test_the_vtimezone_agrees_with_the_tz_database() -> None:
    zone = _calendar(NOW).walk("VTIMEZONE")[0].to_tz()
    for moment in ("2026-01-15 12:00", "2026-03-29 03:30", "2026-07-01 12:00", "2026-10-25 03:30"):
        local = datetime.fromisoformat(moment)
        assert local.replace(tzinfo=zone).utcoffset() == local.replace(tzinfo=MADRID).utcoffset()


def test_the_agenda_is_folded_with_crlf() -> None:
    lines = rendered(DATA / "agenda.ics").split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75


# The member list


def test_members_parse_and_make_a_valid_configuration() -> None:
    data = members()
    settings = Settings(**data)
    assert [(m.name, m.x_handle) for m in settings.members] == [
        ("Igualada", "AjIgualada"),
        ("el Prat de Llobregat", "elprat_cat"),
        ("l'Hospitalet de Llobregat", "lhospitalet"),
        ("Sant Cugat del Vallès", "santcugat"),
    ]
    calendar = settings.calendars[0]
    assert (calendar.name, calendar.url) == ("Agenda XMESS", f"{BASE}/agenda.ics")
    assert (calendar.lookahead_days, calendar.announce_days) == (60, 30)
    assert settings.relevance.max_age_days == 7


# Helpers


def _feed_names() -> list[str]:
    return [Path(url).name for member in members()["members"] for url in member["feeds"]]


def _items(name: str, now: datetime = NOW) -> list[NewsItem]:
    """The entries as the service sees them (link canonical, as the feed reader must make it)."""
    return [
        NewsItem(
            guid=entry.id,
            link=_without_query(entry.link),
            title=entry.title,
            summary=entry.summary,
            published_at=datetime(*entry.published_parsed[:6], tzinfo=UTC),
            feed_url=f"{BASE}/feeds/{name}",
            categories=tuple(tag.term for tag in entry.get("tags", [])),
        )
        for entry in parsed_feed(name, now).entries
    ]


def _keywords(name: str) -> list[str]:
    config = members()
    member = next(m for m in config["members"] if m["feeds"] == [f"{BASE}/feeds/{name}"])
    return [*config["relevance"]["keywords"], *member.get("keywords", [])]


def _irrelevant_titles() -> dict[str, list[str]]:
    return {
        name: [i.title for i in _items(name) if news.relevance(i, _keywords(name)) is None]
        for name in _feed_names()
    }


def _fresh(item: NewsItem, now: datetime) -> bool:
    assert item.published_at is not None
    return news.is_fresh(item.published_at, now, members()["relevance"]["max_age_days"])


def _poll_counts(now: datetime) -> dict[str, int]:
    """What `service.draft_news_item` does, feed after feed: remember once, draft if fresh
    and relevant. Counts only the first copy of an entry seen in two feeds."""
    seen: set[str] = set()
    counts = dict.fromkeys(("entries", "recorded", "relevant", "drafted"), 0)
    for name in _feed_names():
        for item in _items(name, now):
            counts["entries"] += 1
            if news.guid_key(item) in seen:
                continue
            seen.add(news.guid_key(item))
            relevant = news.relevance(item, _keywords(name)) is not None
            counts["recorded"] += 1
            counts["relevant"] += relevant
            counts["drafted"] += relevant and _fresh(item, now)
    return counts


def _by_title(feed: Any, start: str) -> Any:
    return next(entry for entry in feed.entries if entry.title.startswith(start))


def _without_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query=""))


def _calendar(now: datetime) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(rendered(DATA / "agenda.ics", now))


def _occurrences(now: datetime) -> list[icalendar.Event]:
    found = recurring_ical_events.of(_calendar(now)).between(now, now + timedelta(days=60))
    return sorted(found, key=lambda event: _start(event))


def _start(event: icalendar.Event) -> datetime:
    """The occurrence's start as an aware datetime; an all-day one at local midnight."""
    start = event["DTSTART"].dt
    if isinstance(start, datetime):
        return start
    assert isinstance(start, date)
    return datetime.combine(start, time(0), MADRID)


def _local(value: date) -> str:
    if isinstance(value, datetime):
        return value.astimezone(MADRID).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _describe(event: icalendar.Event) -> tuple[str, str, str, str]:
    """UID without the domain, local start, STATUS, and CLASS or where a moved one was."""
    uid = str(event["UID"]).removesuffix("@xmess.cat")
    original = event["RECURRENCE-ID"].dt if "RECURRENCE-ID" in event else None
    moved = original is not None and original != event["DTSTART"].dt
    note = f"moved from {_local(original)}" if moved else str(event.get("CLASS", ""))
    return uid, _local(event["DTSTART"].dt), str(event.get("STATUS", "")), note


def _announced(event: icalendar.Event, now: datetime) -> bool:
    occurrence = EventOccurrence(
        calendar="Agenda XMESS",
        uid=str(event["UID"]),
        recurrence_id="",
        sequence=int(event.get("SEQUENCE", 0)),
        title=str(event["SUMMARY"]),
        starts_at=_start(event).astimezone(UTC),
        ends_at=_start(event).astimezone(UTC),
        cancelled=str(event.get("STATUS", "")) == "CANCELLED",
        private=str(event.get("CLASS", "PUBLIC")) in ("PRIVATE", "CONFIDENTIAL"),
    )
    return events.wants_announcement(occurrence, now, 30)
