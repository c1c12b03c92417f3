"""How a tweepy `Client` reaches X: with a timeout on every call, and optionally at another host.

tweepy 4.17's `Client` sends its requests through `client.session` (a `requests.Session`) with
no timeout, so a hung X would hang the publisher for ever; its `ReadTimeout` is a requests
error, not a `TweepyException`. `route_client` mounts a transport adapter on that session which
sets the timeout and, when `[x] api_base_url` is set (staging, tests), re-addresses each request
to that base URL. The adapter runs after requests-oauthlib has signed the request for X's own
URL, so the other server receives exactly the signed request X would. The signed scheme and
host travel in a `Forwarded` header (RFC 7239) so that server can check the OAuth signature.

    client = tweepy.Client(consumer_key=..., ...)
    route_client(client, timeout=DEFAULT_TIMEOUT_S, base_url=settings.x.api_base_url)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

import tweepy
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response
from requests.utils import should_bypass_proxies

DEFAULT_TIMEOUT_S = 10.0


class RoutingAdapter(HTTPAdapter):
    """A requests adapter that applies `timeout` to calls made without one and, given a
    `base_url`, sends each request there instead of to the host it was signed for."""

    def __init__(self, *, timeout: float, base_url: str | None = None) -> None:
        # No retries: a POST that may have reached X must not be sent twice behind our back.
        super().__init__(max_retries=0)
        self.timeout = timeout
        self.base = None if base_url is None else _parse_base_url(base_url)

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> Response:
        routed = self.route(request)
        if routed is not request and should_bypass_proxies(str(routed.url), no_proxy=None):
            proxies = {}  # the session chose proxies for X's host, not for the one we go to
        timeout = self.timeout if timeout is None else timeout
        return super().send(routed, stream, timeout, verify, cert, proxies)

    def route(self, request: PreparedRequest) -> PreparedRequest:
        """The request as it leaves: itself without a base URL, else a re-addressed copy."""
        if self.base is None:
            return request
        signed = urlsplit(str(request.url))  # a prepared request always has its URL
        routed = request.copy()
        routed.url = _rebased(signed, self.base)
        routed.headers["Forwarded"] = f"proto={signed.scheme};host={signed.netloc}"
        return routed


def route_client(
    client: tweepy.Client, *, timeout: float = DEFAULT_TIMEOUT_S, base_url: str | None = None
) -> None:
    """Sends every HTTPS request of `client` through a `RoutingAdapter` (tweepy uses only HTTPS)."""
    client.session.mount("https://", RoutingAdapter(timeout=timeout, base_url=base_url))


def _parse_base_url(base_url: str) -> SplitResult:
    base = urlsplit(base_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise ValueError(f"api_base_url must be an http:// or https:// URL, not {base_url!r}")
    return base


def _rebased(url: SplitResult, base: SplitResult) -> str:
    path = base.path.rstrip("/") + url.path
    return urlunsplit((base.scheme, base.netloc, path, url.query, url.fragment))
