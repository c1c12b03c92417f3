"""A small real HTTP server on 127.0.0.1, for the tests and for `xmess-bot demo`.

It serves a mutable mapping of path -> `Resource` from a background thread, with the HTTP
behaviour a feed reader has to cope with: conditional GET (ETag / Last-Modified -> 304), gzip,
status overrides, slow answers, redirects, an endless chunked body and a slow drip. Every request is
recorded in `served` so tests can assert on what the client actually sent and received.

    with LoopbackServer({"/rss.xml": Resource(body=b"<rss/>", etag='"v1"')}) as server:
        fetch(server.url("/rss.xml"))
        assert server.count("/rss.xml") == 1
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from typing import cast
from urllib.parse import urlsplit

from bot.local_http import LocalHTTPServer, QuietServer

ENDLESS_CHUNK = b"<!-- endless -->\n" * 4096


@dataclass
class Resource:
    """What one path answers. `body` may be a callable, called at each request, so the demo can
    write dates relative to the moment the request arrives. A `status` other than 200 is sent
    as is (with the body); `redirect_to` (a path on this server) answers with a redirect.
    `endless` streams the body (or a default chunk) over and over; `drip_s` waits that long
    between chunks, for a server that answers but never finishes. `headers` are sent as given
    with the body, e.g. to claim a Content-Encoding."""

    body: bytes | Callable[[], bytes] = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    delay_s: float = 0.0
    redirect_to: str | None = None
    gzip: bool = False
    endless: bool = False
    drip_s: float = 0.0
    headers: Mapping[str, str] = field(default_factory=dict)

    def render(self) -> bytes:
        return self.body() if callable(self.body) else self.body


@dataclass(frozen=True)
class ServedRequest:
    """One request as the server saw it: its path, the status it got and its headers."""

    path: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)


class LoopbackServer(LocalHTTPServer):
    """Serves `resources`; use it as a context manager. `port=0` picks a free port."""

    thread_name = "loopback-http"

    def __init__(self, resources: Mapping[str, Resource] | None = None, *, port: int = 0) -> None:
        super().__init__(port=port)
        self.resources: dict[str, Resource] = dict(resources or {})
        self.served: list[ServedRequest] = []
        self._lock = threading.Lock()

    def requests_to(self, path: str) -> list[ServedRequest]:
        with self._lock:
            return [request for request in self.served if request.path == path]

    def count(self, path: str) -> int:
        return len(self.requests_to(path))

    def record(self, request: ServedRequest) -> None:
        with self._lock:
            self.served.append(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: QuietServer

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: tests and the demo read `served`, not stderr."""

    def do_GET(self) -> None:
        owner = cast(LoopbackServer, self.server.owner)
        path = urlsplit(self.path).path
        resource = owner.resources.get(path)
        if resource is None:
            self._answer(owner, path, 404, b"not found", {"Content-Type": "text/plain"})
            return
        owner.pause(resource.delay_s)
        if resource.redirect_to is not None:
            self._redirect(owner, path, resource)
        elif resource.status == 200 and _is_fresh(
            resource, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        ):
            self._answer(owner, path, 304, None, _validators(resource))
        elif resource.endless:
            self._stream_endless(owner, path, resource)
        else:
            self._send_body(owner, path, resource)

    def _redirect(self, owner: LoopbackServer, path: str, resource: Resource) -> None:
        status = resource.status if 300 <= resource.status < 400 else 302
        location = owner.url(resource.redirect_to or "/")
        self._answer(owner, path, status, b"", {"Location": location})

    def _send_body(self, owner: LoopbackServer, path: str, resource: Resource) -> None:
        body = resource.render()
        headers = {
            "Content-Type": resource.content_type,
            **_validators(resource),
            **resource.headers,
        }
        if resource.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._answer(owner, path, resource.status, body, headers)

    def _stream_endless(self, owner: LoopbackServer, path: str, resource: Resource) -> None:
        """Sends chunks until the client hangs up or the server stops: a body with no end."""
        owner.record(ServedRequest(path, resource.status, dict(self.headers)))
        self.send_response(resource.status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = resource.render() or ENDLESS_CHUNK
        while not owner.stopping:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            if resource.drip_s:
                self.wfile.flush()
                owner.pause(resource.drip_s)
        self.close_connection = True

    def _answer(
        self,
        owner: LoopbackServer,
        path: str,
        status: int,
        body: bytes | None,
        headers: Mapping[str, str],
    ) -> None:
        owner.record(ServedRequest(path, status, dict(self.headers)))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


def _validators(resource: Resource) -> dict[str, str]:
    headers = {}
    if resource.etag is not None:
        headers["ETag"] = resource.etag
    if resource.last_modified is not None:
        headers["Last-Modified"] = resource.last_modified
    return headers


def _is_fresh(resource: Resource, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins over If-Modified-Since when both are sent."""
    if if_none_match is not None:
        return resource.etag is not None and _etag_matches(resource.etag, if_none_match)
    if if_modified_since is None or resource.last_modified is None:
        return False
    try:
        return parsedate_to_datetime(resource.last_modified) <= parsedate_to_datetime(
            if_modified_since
        )
    except (TypeError, ValueError):
        return False


def _etag_matches(etag: str, if_none_match: str) -> bool:
    """Weak comparison, as RFC 9110 asks for If-None-Match."""
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag.removeprefix("W/") in candidates


LoopbackServer.handler = _Handler
