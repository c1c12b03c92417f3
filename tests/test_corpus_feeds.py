"""Every file of the shared feed corpus, real and hostile, goes through the parser safely.

Safely means: no exception other than a readable `SourceError` escapes, no markup or script
survives in titles and summaries, every link is http(s) or empty, and the entity-expansion
attacks finish quickly in little memory. The same files served over loopback HTTP and read
by `HttpFeedReader` (so parsed in worker processes) give the same results.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest

from bot.app import build_drafter
from bot.clock import FixedClock
from bot.errors import SourceError
from bot.loopback import LoopbackServer, Resource
from bot.models import FetchRequest, NewsItem
from bot.settings import Settings
from bot.sources.feed_parsing import parse_feed
from bot.sources.feeds import HttpFeedReader

FEEDS = (Path(__file__).parents[1] / ".." / "shared" / "corpus" / "feeds").resolve()
FILES = sorted(p.relative_to(FEEDS).as_posix() for p in FEEDS.rglob("*") if p.is_file())
ATTACKS = [name for name in FILES if name.startswith("hostile/xml-attacks/")]
NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
BASE = "http://corpus.test/feeds/"
DEFAULT_CONTENT_TYPE = "application/xml"
# feedparser's test files simulate the HTTP headers of a real fetch in their leading comment.
HEADER_LINE = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
UNSAFE = re.compile(r"<script|<iframe|onerror|javascript:", re.IGNORECASE)

Outcome = tuple[NewsItem, ...] | str


def simulated_headers(body: bytes) -> dict[str, str]:
    comment = body[: body.find(b"-->")] if b"<!--" in body[:200] else b""
    return {
        name.decode().lower(): value.decode("latin-1")
        for name, value in HEADER_LINE.findall(comment)
    }


def outcome(body: bytes, content_type: str | None, url: str) -> Outcome:
    """The items parsed, or the readable error: both count as handled."""
    try:
        return parse_feed(body, content_type=content_type, url=url, now=NOW).items
    except SourceError as error:
        return str(error)


def unsafe_parts(items: tuple[NewsItem, ...]) -> list[str]:
    texts = [text for item in items for text in (item.title, item.summary, *item.categories)]
    links = [item.link for item in items] + [item.image.url for item in items if item.image]
    return [t for t in texts if UNSAFE.search(t)] + [
        link for link in links if link and not link.startswith(("http://", "https://"))
    ]


@pytest.mark.parametrize("name", FILES)
def test_a_corpus_file_is_parsed_or_refused_readably(corpus_dir: Path, name: str) -> None:
    body = (corpus_dir / "feeds" / name).read_bytes()
    headers = simulated_headers(body)
    url = urljoin(BASE + name, headers.get("content-location", ""))

    result = outcome(body, headers.get("content-type", DEFAULT_CONTENT_TYPE), url)

    if isinstance(result, str):
        assert result.startswith("el document de ")
    else:
        assert unsafe_parts(result) == []


@pytest.mark.parametrize("name", ATTACKS)
def test_an_xml_attack_is_refused_quickly_in_little_memory(corpus_dir: Path, name: str) -> None:
    body = (corpus_dir / "feeds" / name).read_bytes()
    tracemalloc.start()
    started = time.perf_counter()

    result = outcome(body, DEFAULT_CONTENT_TYPE, BASE + name)

    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Generous bounds: an attack that worked would take minutes and gigabytes, not seconds.
    assert (isinstance(result, str), elapsed < 5.0, peak < 10 * 1024 * 1024) == (True, True, True)


def test_the_corpus_read_over_http_gives_the_same_results(
    corpus_dir: Path, loopback: LoopbackServer
) -> None:
    bodies = {name: (corpus_dir / "feeds" / name).read_bytes() for name in FILES}
    types = {
        name: simulated_headers(body).get("content-type", DEFAULT_CONTENT_TYPE)
        for name, body in bodies.items()
    }
    for name, body in bodies.items():
        loopback.resources[f"/{name}"] = Resource(body=body, content_type=types[name])
    urls = {name: loopback.url(f"/{name}") for name in FILES}

    readings = HttpFeedReader(clock=FixedClock(NOW)).read_feeds(
        [FetchRequest(urls[name]) for name in FILES]
    )
    order = {urls[name]: index for index, name in enumerate(FILES)}
    in_order = sorted(readings, key=lambda reading: order[reading.fetch.url])

    assert [reading.error or reading.items for reading in in_order] == [
        outcome(bodies[name], types[name], urls[name]) for name in FILES
    ]


HOSTILE = [name for name in FILES if name.startswith("hostile/")]


def test_hostile_markup_never_reaches_a_draft(corpus_dir: Path) -> None:
    drafter = build_drafter(Settings())
    texts = []
    for name in HOSTILE:
        result = outcome((corpus_dir / "feeds" / name).read_bytes(), DEFAULT_CONTENT_TYPE, BASE)
        for item in result if not isinstance(result, str) else ():
            draft = drafter.draft_news(
                item, member_name="Igualada", member_handle=None, matched=(), now=NOW
            )
            texts.append(draft.text)
    assert len(texts) > 100
    assert [text for text in texts if UNSAFE.search(text)] == []
