"""Fetching over real HTTP on 127.0.0.1: conditional GET, limits, failures as results."""

from __future__ import annotations

import asyncio
import socket
import zlib

import pytest

from bot.loopback import LoopbackServer, Resource
from bot.models import FetchRequest, FetchResult
from bot.sources.http import DEFAULT_FETCH_LIMITS, FetchLimits, fetch_all

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Ajuntament</title></channel></rss>'
ETAG = '"v1"'
LAST_MODIFIED = "Mon, 02 Jun 2025 07:30:00 GMT"
SMALL = FetchLimits(max_body_bytes=1024)


def fetch_one(
    url: str, limits: FetchLimits = DEFAULT_FETCH_LIMITS, **validators: str
) -> FetchResult:
    [result] = fetch_all([FetchRequest(url, **validators)], limits=limits)
    return result


def test_a_feed_is_fetched_with_its_validators(loopback: LoopbackServer) -> None:
    loopback.resources["/rss.xml"] = Resource(body=FEED, etag=ETAG, last_modified=LAST_MODIFIED)
    url = loopback.url("/rss.xml")

    assert fetch_one(url) == FetchResult(
        url=url,
        final_url=url,
        body=FEED,
        content_type="application/rss+xml; charset=utf-8",
        etag=ETAG,
        last_modified=LAST_MODIFIED,
    )


def test_etag_round_trip_gives_not_modified(loopback: LoopbackServer) -> None:
    loopback.resources["/rss.xml"] = Resource(body=FEED, etag=ETAG)
    first = fetch_one(loopback.url("/rss.xml"))

    second = fetch_one(loopback.url("/rss.xml"), etag=first.etag or "")

    assert second == FetchResult(
        url=loopback.url("/rss.xml"),
        final_url=loopback.url("/rss.xml"),
        etag=ETAG,
        not_modified=True,
    )
    served = loopback.requests_to("/rss.xml")
    assert [(r.status, r.headers.get("If-None-Match")) for r in served] == [
        (200, None),
        (304, ETAG),
    ]


def test_last_modified_round_trip_gives_not_modified(loopback: LoopbackServer) -> None:
    loopback.resources["/rss.xml"] = Resource(body=FEED, last_modified=LAST_MODIFIED)
    first = fetch_one(loopback.url("/rss.xml"))

    second = fetch_one(loopback.url("/rss.xml"), last_modified=first.last_modified or "")

    assert (second.not_modified, second.last_modified, second.body) == (True, LAST_MODIFIED, None)
    served = loopback.requests_to("/rss.xml")
    assert [(r.status, r.headers.get("If-Modified-Since")) for r in served] == [
        (200, None),
        (304, LAST_MODIFIED),
    ]


def test_a_changed_feed_is_fetched_again_despite_an_old_etag(loopback: LoopbackServer) -> None:
    loopback.resources["/rss.xml"] = Resource(body=FEED, etag='"v2"')

    result = fetch_one(loopback.url("/rss.xml"), etag=ETAG)

    assert (result.not_modified, result.body, result.etag) == (False, FEED, '"v2"')


def test_a_slow_feed_times_out_while_the_others_succeed(loopback: LoopbackServer) -> None:
    loopback.resources["/slow.xml"] = Resource(body=FEED, delay_s=5)
    loopback.resources["/fast.xml"] = Resource(body=FEED)
    requests = [FetchRequest(loopback.url("/slow.xml")), FetchRequest(loopback.url("/fast.xml"))]

    results = fetch_all(requests, limits=FetchLimits(timeout=0.5))

    assert [(r.error, r.body) for r in results] == [
        ("temps d'espera esgotat (0.5 s)", None),
        (None, FEED),
    ]


def test_a_server_error_is_reported(loopback: LoopbackServer) -> None:
    loopback.resources["/rss.xml"] = Resource(body=b"Internal Server Error", status=500)
    url = loopback.url("/rss.xml")

    assert fetch_one(url) == FetchResult(url=url, final_url=url, error="el servidor ha respost 500")


def test_a_missing_feed_is_reported(loopback: LoopbackServer) -> None:
    assert fetch_one(loopback.url("/no-hi-es.xml")).error == "el servidor ha respost 404"


def test_an_oversize_body_is_refused(loopback: LoopbackServer) -> None:
    loopback.resources["/big.xml"] = Resource(body=b"x" * 1025)

    assert fetch_one(loopback.url("/big.xml"), SMALL).error == "la resposta és més gran de 1 KiB"


def test_a_body_exactly_at_the_limit_is_accepted(loopback: LoopbackServer) -> None:
    loopback.resources["/just.xml"] = Resource(body=b"x" * 1024)

    assert fetch_one(loopback.url("/just.xml"), SMALL).body == b"x" * 1024


def test_a_gzip_bomb_is_stopped_at_the_decoded_size(loopback: LoopbackServer) -> None:
    loopback.resources["/bomb.xml"] = Resource(body=bytes(6 * 1024 * 1024), gzip=True)

    assert fetch_one(loopback.url("/bomb.xml")).error == "la resposta és més gran de 5 MiB"


def test_an_endless_body_is_cut_at_the_limit(loopback: LoopbackServer) -> None:
    loopback.resources["/endless.xml"] = Resource(endless=True)

    assert (
        fetch_one(loopback.url("/endless.xml"), SMALL).error == "la resposta és més gran de 1 KiB"
    )


def test_a_gzip_body_is_decoded(loopback: LoopbackServer) -> None:
    loopback.resources["/rss.xml"] = Resource(body=FEED * 50, gzip=True)

    result = fetch_one(loopback.url("/rss.xml"))

    assert result.body == FEED * 50
    assert loopback.requests_to("/rss.xml")[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_a_deflate_body_is_decoded(loopback: LoopbackServer) -> None:
    loopback.resources["/rss.xml"] = Resource(
        body=zlib.compress(FEED), headers={"Content-Encoding": "deflate"}
    )

    assert fetch_one(loopback.url("/rss.xml")).body == FEED


def test_a_corrupt_gzip_body_is_reported(loopback: LoopbackServer) -> None:
    loopback.resources["/rss.xml"] = Resource(body=FEED, headers={"Content-Encoding": "gzip"})

    error = fetch_one(loopback.url("/rss.xml")).error or ""

    assert error.startswith("la resposta comprimida està malmesa: ")


def test_an_encoding_we_did_not_offer_is_reported(loopback: LoopbackServer) -> None:
    loopback.resources["/rss.xml"] = Resource(body=FEED, headers={"Content-Encoding": "br"})

    assert fetch_one(loopback.url("/rss.xml")).error == (
        "el servidor ha comprimit la resposta amb un format que no llegim: br"
    )


def test_a_redirect_is_followed_to_the_final_url(loopback: LoopbackServer) -> None:
    loopback.resources["/old.xml"] = Resource(redirect_to="/new.xml", status=301)
    loopback.resources["/new.xml"] = Resource(body=FEED)

    result = fetch_one(loopback.url("/old.xml"))

    assert (result.url, result.final_url, result.body) == (
        loopback.url("/old.xml"),
        loopback.url("/new.xml"),
        FEED,
    )
    assert (loopback.count("/old.xml"), loopback.count("/new.xml")) == (1, 1)


def test_a_redirect_loop_is_reported(loopback: LoopbackServer) -> None:
    loopback.resources["/loop.xml"] = Resource(redirect_to="/loop.xml")

    assert fetch_one(loopback.url("/loop.xml")).error == "massa redireccions (més de 5)"


def test_a_refused_connection_is_reported() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    assert (
        fetch_one(f"http://127.0.0.1:{port}/rss.xml").error == "el servidor ha refusat la connexió"
    )


@pytest.mark.parametrize("url", ["ftp://example.cat/rss.xml", "fitxer.xml"])
def test_an_address_that_is_not_http_is_reported(url: str) -> None:
    error = fetch_one(url).error or ""

    assert error.startswith("l'adreça no és una URL http(s) vàlida")


def test_results_come_in_request_order(loopback: LoopbackServer) -> None:
    for number, delay in enumerate([0.3, 0.0, 0.15]):
        loopback.resources[f"/{number}.xml"] = Resource(body=b"%d" % number, delay_s=delay)
    requests = [FetchRequest(loopback.url(f"/{number}.xml")) for number in range(3)]

    assert [result.body for result in fetch_all(requests)] == [b"0", b"1", b"2"]


def test_fetch_all_also_works_from_inside_an_event_loop(loopback: LoopbackServer) -> None:
    loopback.resources["/rss.xml"] = Resource(body=FEED)

    async def poll_from_async_code() -> list[FetchResult]:
        return fetch_all([FetchRequest(loopback.url("/rss.xml"))])

    [result] = asyncio.run(poll_from_async_code())

    assert result.body == FEED


def test_the_body_can_be_written_at_request_time(loopback: LoopbackServer) -> None:
    answers = iter([b"primer", b"segon"])
    loopback.resources["/rss.xml"] = Resource(body=lambda: next(answers))

    bodies = [fetch_one(loopback.url("/rss.xml")).body for _ in range(2)]

    assert bodies == [b"primer", b"segon"]
