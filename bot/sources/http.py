"""Fetching many feed and calendar URLs at once, politely and within limits.

A few `httpx.AsyncClient`s serve a whole poll; a semaphore bounds the requests in flight.
Each request has a total time limit and a body size limit that applies to the *decoded* bytes:
the body is decompressed here, chunk by chunk with a bounded output, so a gzip bomb costs at most
the limit in memory. Conditional GET headers come from the request and a 304 is reported as
`not_modified`. Every failure becomes `FetchResult.error`, a sentence in Catalan; nothing raises.

`fetch_all` is for synchronous callers; async code uses `afetch_all` or `fetch_as_completed`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import ssl
import zlib
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterator,
    Sequence,
)
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from bot.models import FetchRequest, FetchResult

logger = logging.getLogger(__name__)

DEFAULT_MAX_CONCURRENCY = 256
DEFAULT_TIMEOUT_S = 15.0
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_USER_AGENT = "xmess-bot/0.1 (lector de canals de la xarxa XMESS)"
# Only what `_decoder_for` inflates with a bounded output; brotli would need another package.
ACCEPT_ENCODING = "gzip, deflate"
CONNECTIONS_PER_CLIENT = 16

T = TypeVar("T")


@dataclass(frozen=True)
class FetchLimits:
    """Bounds for one poll. The default concurrency is high because feeds live on many
    hosts and a poll is mostly waiting: 500 feeds that answer in 200 ms take about 1 s. It
    stays well under the usual limit of 1024 open files."""

    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    timeout: float = DEFAULT_TIMEOUT_S
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS


DEFAULT_FETCH_LIMITS = FetchLimits()


class _TooLarge(Exception):
    """The decoded body went past `FetchLimits.max_body_bytes`."""


class _UnsupportedEncoding(Exception):
    """The server compressed the body with something we did not offer."""


def fetch_all(
    requests: Sequence[FetchRequest],
    *,
    limits: FetchLimits = DEFAULT_FETCH_LIMITS,
    user_agent: str = DEFAULT_USER_AGENT,
) -> list[FetchResult]:
    """Fetches every request concurrently; results come in request order and never raise.

    Runs its own event loop; called from inside a running loop it runs in a helper thread
    (blocking the caller until done), so async code should await `afetch_all` instead."""
    return run_blocking(afetch_all(requests, limits=limits, user_agent=user_agent))


async def afetch_all(
    requests: Sequence[FetchRequest],
    *,
    limits: FetchLimits = DEFAULT_FETCH_LIMITS,
    user_agent: str = DEFAULT_USER_AGENT,
) -> list[FetchResult]:
    """`fetch_all` for async callers."""
    results = {
        index: result
        async for index, result in fetch_as_completed(
            requests, limits=limits, user_agent=user_agent
        )
    }
    return [results[index] for index in range(len(requests))]


async def fetch_as_completed(
    requests: Sequence[FetchRequest],
    *,
    limits: FetchLimits = DEFAULT_FETCH_LIMITS,
    user_agent: str = DEFAULT_USER_AGENT,
) -> AsyncIterator[tuple[int, FetchResult]]:
    """Yields (index in `requests`, result) as each fetch ends, so a caller can start parsing
    the first bodies while the slow servers are still answering."""
    async with _Clients(limits, user_agent) as clients:
        tasks = [
            asyncio.create_task(_indexed(index, _fetch_one(clients, request, limits)))
            for index, request in enumerate(requests)
        ]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs `coroutine` to the end from synchronous code. `asyncio.run` refuses to nest, so
    inside a running loop the coroutine gets a fresh loop in a helper thread."""
    if not _loop_is_running():
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fetch") as helper:
        return helper.submit(asyncio.run, coroutine).result()


def _loop_is_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class _Clients:
    """A few small `httpx.AsyncClient`s sharing one TLS context, each request lent the least
    busy one; together they never have more than `limits.max_concurrency` requests in flight.

    One client would do, but httpcore's pool looks at every connection each time it places a
    request, and at a hundred connections that costs more CPU than the network costs time."""

    def __init__(self, limits: FetchLimits, user_agent: str) -> None:
        count = -(-limits.max_concurrency // CONNECTIONS_PER_CLIENT)
        self._clients = [_new_client(limits, user_agent, _tls_context()) for _ in range(count)]
        self._busy = [0] * count
        self._slots = asyncio.Semaphore(limits.max_concurrency)

    async def __aenter__(self) -> _Clients:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for client in self._clients:
            await client.aclose()

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[httpx.AsyncClient]:
        async with self._slots:
            index = self._busy.index(min(self._busy))
            self._busy[index] += 1
            try:
                yield self._clients[index]
            finally:
                self._busy[index] -= 1


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Loading the CA bundle takes ~80 ms, too much to repeat at every poll; the bundle
    changes only with a package upgrade, which restarts the process anyway."""
    return httpx.create_ssl_context()


def _new_client(limits: FetchLimits, user_agent: str, tls: ssl.SSLContext) -> httpx.AsyncClient:
    connections = min(limits.max_concurrency, CONNECTIONS_PER_CLIENT)
    return httpx.AsyncClient(
        verify=tls,
        follow_redirects=True,
        max_redirects=limits.max_redirects,
        timeout=limits.timeout,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
    )


async def _indexed(index: int, awaitable: Awaitable[T]) -> tuple[int, T]:
    return index, await awaitable


async def _fetch_one(clients: _Clients, request: FetchRequest, limits: FetchLimits) -> FetchResult:
    """One GET with a total time limit counted from when it gets a client, never raising."""
    async with clients.lease() as client:
        try:
            async with asyncio.timeout(limits.timeout):
                return await _get(client, request, limits)
        except Exception as exc:  # every failure of one URL is that URL's result, not the poll's
            return _failed(request, _describe(exc, request, limits))


async def _get(
    client: httpx.AsyncClient, request: FetchRequest, limits: FetchLimits
) -> FetchResult:
    async with client.stream("GET", request.url, headers=_conditional_headers(request)) as response:
        final_url = str(response.url)
        if response.status_code == httpx.codes.NOT_MODIFIED:
            return FetchResult(
                url=request.url,
                final_url=final_url,
                not_modified=True,
                etag=response.headers.get("ETag", request.etag),
                last_modified=response.headers.get("Last-Modified", request.last_modified),
            )
        if not response.is_success:
            return _failed(request, f"el servidor ha respost {response.status_code}", final_url)
        return FetchResult(
            url=request.url,
            final_url=final_url,
            body=await _read_body(response, limits.max_body_bytes),
            content_type=response.headers.get("Content-Type"),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


def _conditional_headers(request: FetchRequest) -> dict[str, str]:
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    return headers


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """Reads and decodes the body, stopping as soon as it passes `max_bytes` decoded."""
    decode = _decoder_for(response.headers.get("Content-Encoding", ""))
    chunks: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        chunk = decode(raw, max_bytes - size + 1)
        size += len(chunk)
        if size > max_bytes:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _decoder_for(content_encoding: str) -> Callable[[bytes, int], bytes]:
    """A function (raw chunk, most bytes wanted) -> decoded bytes for the Content-Encoding."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return lambda raw, _limit: raw
    if codings not in (["gzip"], ["x-gzip"], ["deflate"]):
        raise _UnsupportedEncoding(content_encoding)
    # 32 + MAX_WBITS accepts both a gzip and a zlib header, which is what servers send for
    # "gzip" and "deflate"; `max_length` keeps each step's output bounded.
    inflater = zlib.decompressobj(wbits=32 + zlib.MAX_WBITS)
    return lambda raw, limit: inflater.decompress(raw, limit)


def _failed(request: FetchRequest, error: str, final_url: str | None = None) -> FetchResult:
    return FetchResult(url=request.url, final_url=final_url or request.url, error=error)


def _describe(exc: Exception, request: FetchRequest, limits: FetchLimits) -> str:
    """A short Catalan sentence for what went wrong, followed by the technical reason."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return f"temps d'espera esgotat ({limits.timeout:g} s)"
    if isinstance(exc, _TooLarge):
        return f"la resposta és més gran de {_size(limits.max_body_bytes)}"
    if isinstance(exc, _UnsupportedEncoding):
        return f"el servidor ha comprimit la resposta amb un format que no llegim: {exc}"
    if isinstance(exc, zlib.error):
        return f"la resposta comprimida està malmesa: {exc}"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"massa redireccions (més de {limits.max_redirects})"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"l'adreça no és una URL http(s) vàlida: {exc}"
    if isinstance(exc, httpx.ConnectError):
        return _describe_connect_error(exc)
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"el servidor ha tallat la connexió o ha respost malament: {exc}"
    if isinstance(exc, httpx.TransportError):
        return f"la connexió ha fallat: {exc}"
    logger.error("unexpected error fetching %s", request.url, exc_info=exc)
    return f"error inesperat en llegir l'adreça: {type(exc).__name__}: {exc}"


def _describe_connect_error(exc: httpx.ConnectError) -> str:
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return f"no s'ha trobat el servidor (DNS): {cause}"
        if isinstance(cause, ConnectionRefusedError):
            return "el servidor ha refusat la connexió"
        if isinstance(cause, ssl.SSLError):
            return f"la connexió segura (TLS) ha fallat: {cause}"
    return f"no s'ha pogut connectar amb el servidor: {exc}"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """httpx wraps httpcore, which wraps the OSError that says what really happened."""
    cause: BaseException | None = exc
    while cause is not None:
        yield cause
        cause = cause.__cause__ or cause.__context__


def _size(n_bytes: int) -> str:
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if n_bytes % factor == 0:
            return f"{n_bytes // factor} {unit}"
    return f"{n_bytes} bytes"
