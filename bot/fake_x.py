"""A fake X API v2 on 127.0.0.1, for the tests and the demo: real HTTP, real OAuth 1.0a.

It speaks the part of API v2 the bot uses, with X's status codes, bodies and rate-limit headers:

    POST   /2/tweets              create a post (`reply.in_reply_to_tweet_id` for a reply) -> 201
    DELETE /2/tweets/:id          delete one of the account's posts
    GET    /2/users/me            the authenticated account
    GET    /2/users/:id/tweets    its recent posts, newest first (`max_results`, `since_id`,
                                  `start_time`, `pagination_token`,
                                  `tweet.fields=created_at,entities`)
    POST   /2/media/upload/initialize, /2/media/upload/:id/append (multipart),
           /2/media/upload/:id/finalize, /2/media/metadata (alt text)
                                  the v2 image upload; a post takes `media.media_ids`

As X does, links come back as `https://t.co/<10 chars>` with the full link in
`entities.urls[]`; a text already posted (and not deleted) is refused with 403; a request
without a valid OAuth 1.0a signature for the configured `FakeCredentials` gets 401 (the
HMAC-SHA1 signature is checked; timestamp and nonce are not). Tests make it fail on purpose,
for the next n requests in order of arrival (`pass_next(n)` lets n through first):
`fail_next(n, status)` answers 429/500/503,
`hang_next(n, seconds)` waits before answering, and `drop_after_store_next(n)` carries a
request out and then hangs up without answering, the ambiguous case. `refuse_replies()`
answers every reply with the 403 X gives since it restricted replies through the API (2026).
`posts` records every post with its images, so a test can assert that one went out exactly
once, and how.

    with FakeX() as x:
        route_client(client, timeout=0.5, base_url=x.base_url)
"""

from __future__ import annotations

import hashlib
import hmac
import http
import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from oauthlib.oauth1 import Client
from oauthlib.oauth1.rfc5849 import signature, utils

from bot.local_http import LocalHTTPServer, QuietServer
from bot.weighted_length import url_spans

FIRST_POST_ID = 1_800_000_000_000_000_000
FAULT_RESET_S = 5  # a forced 429 says the limit resets this many seconds ahead
DAY_S = 24 * 60 * 60
# Per-user limits of each endpoint (requests, window in seconds): generous, not any paid tier.
RATE_LIMITS: Mapping[str, tuple[int, int]] = {
    "POST /2/tweets": (100, 15 * 60),
    "DELETE /2/tweets/:id": (50, 15 * 60),
    "GET /2/users/me": (75, 15 * 60),
    "GET /2/users/:id/tweets": (900, 15 * 60),
    "POST /2/media/upload/initialize": (500, 15 * 60),
    "POST /2/media/upload/:id/append": (500, 15 * 60),
    "POST /2/media/upload/:id/finalize": (500, 15 * 60),
    "POST /2/media/metadata": (500, 15 * 60),
}
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MAX_IMAGE_BYTES = 5 * 1024 * 1024
DEFAULT_POSTS_PER_DAY = 100
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
HIDDEN_REPLY_TO_DETAIL = "You attempted to reply to a Tweet that is deleted or not visible to you."
REPLY_NOT_ALLOWED_DETAIL = (
    "Reply to this conversation is not allowed because you have not been mentioned or "
    "otherwise engaged by the author of the post you are replying to."
)
INVALID_REQUEST_DETAIL = "One or more parameters to your request was invalid."
PROBLEMS = "https://api.twitter.com/2/problems"
PAGE_TOKEN_PREFIX = "7140dibdnow9c7btw"


@dataclass(frozen=True)
class FakeCredentials:
    """The four OAuth 1.0a secrets the fake accepts. As at X, the access token starts with the
    account's id, which tweepy reads instead of asking `/2/users/me`."""

    consumer_key: str = "fake-consumer-key"
    consumer_secret: str = "fake-consumer-secret"
    access_token: str = "1700000000000000001-fake-access-token"
    access_token_secret: str = "fake-access-token-secret"
    name: str = "XMESS"
    username: str = "XmessCat"

    @property
    def user_id(self) -> str:
        return self.access_token.partition("-")[0]


@dataclass(frozen=True)
class FakeImage:
    """An uploaded image: its bytes as appended, and the alt text set through the metadata."""

    id: str
    media_type: str
    total_bytes: int
    body: bytes = b""
    finalized: bool = False
    alt_text: str | None = None


@dataclass(frozen=True)
class FakePost:
    """A post as stored, with the text as sent (before t.co shortening)."""

    id: str
    text: str
    reply_to: str | None
    created_at: datetime
    deleted: bool = False
    images: tuple[FakeImage, ...] = ()


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, JSON body and extra headers."""

    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str]


@dataclass(frozen=True)
class _Request:
    method: str
    target: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class _Fault:
    status: int | None = None
    hang_s: float = 0.0
    drop: bool = False


@dataclass
class _Window:
    """A rate-limit window: `limit` requests per `seconds`, from its first use after a reset."""

    limit: int
    seconds: int
    used: int = 0
    reset: int = 0

    def take(self, now: int) -> bool:
        if now >= self.reset:
            self.used, self.reset = 0, now + self.seconds
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def headers(self, prefix: str) -> dict[str, str]:
        return {
            f"{prefix}-limit": str(self.limit),
            f"{prefix}-remaining": str(self.limit - self.used),
            f"{prefix}-reset": str(self.reset),
        }


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FakeX(LocalHTTPServer):
    """The fake API; use it as a context manager. `port=0` picks a free port; `clock` dates the
    posts and the rate-limit windows; `rate_limits` (every route's) and `posts_per_day` may be
    raised for a test that posts a lot."""

    thread_name = "fake-x"

    def __init__(
        self,
        credentials: FakeCredentials | None = None,
        *,
        port: int = 0,
        clock: Callable[[], datetime] = _utc_now,
        posts_per_day: int = DEFAULT_POSTS_PER_DAY,
        rate_limits: Mapping[str, tuple[int, int]] = RATE_LIMITS,
    ) -> None:
        super().__init__(port=port)
        self.credentials = credentials or FakeCredentials()
        self._clock = clock
        self._posts: list[FakePost] = []
        self._ids = itertools.count(FIRST_POST_ID)
        self._faults: deque[_Fault] = deque()
        self._windows = {route: _Window(*limit) for route, limit in rate_limits.items()}
        self._daily = _Window(posts_per_day, DAY_S)
        self._images: dict[str, FakeImage] = {}
        self._replies_refused = False
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return self.url()

    @property
    def posts(self) -> list[FakePost]:
        with self._lock:
            return list(self._posts)

    def pass_next(self, n: int) -> None:
        """The next `n` requests are answered normally: a fault queued after them hits a
        later request (e.g. the second post of a thread)."""
        self._add_faults(n, _Fault())

    def fail_next(self, n: int, status: int) -> None:
        """The next `n` authorised requests answer `status` (429, 500, 503) as X would."""
        self._add_faults(n, _Fault(status=status))

    def hang_next(self, n: int, seconds: float) -> None:
        """The next `n` requests wait `seconds` before they are carried out and answered."""
        self._add_faults(n, _Fault(hang_s=seconds))

    def drop_after_store_next(self, n: int) -> None:
        """The next `n` requests are carried out (a post is stored), then the connection is
        closed without an answer: the client cannot know whether its post went out."""
        self._add_faults(n, _Fault(drop=True))

    def refuse_replies(self) -> None:
        """From now on every reply is refused, as X does for accounts not engaged by the
        author (here the account itself: X's 2026 restriction of replies through the API)."""
        with self._lock:
            self._replies_refused = True

    def _add_faults(self, n: int, fault: _Fault) -> None:
        with self._lock:
            self._faults.extend([fault] * n)

    @property
    def faults_waiting(self) -> int:
        """Faults queued that no request has met yet."""
        with self._lock:
            return len(self._faults)

    def take_fault(self) -> _Fault:
        with self._lock:
            return self._faults.popleft() if self._faults else _Fault()

    def respond(self, request: _Request, forced_status: int | None = None) -> Reply:
        """X's answer to `request`: authentication first, then the route and its rate limit."""
        if not self._authorised(request):
            return _problem(401, "Unauthorized")
        route = _match_route(request.method, urlsplit(request.target).path)
        if route is None:
            return Reply(404, {"errors": [{"message": "Sorry, that page does not exist"}]}, {})
        name, argument = route
        with self._lock:
            return self._limited(name, request, argument, forced_status)

    def _limited(
        self, name: str, request: _Request, argument: str, forced_status: int | None
    ) -> Reply:
        """Counts the request against its windows and answers; a spent window answers 429."""
        now = int(self._clock().timestamp())
        windows = {"x-rate-limit": self._windows[name]}
        if name == "POST /2/tweets":
            windows["x-user-limit-24hour"] = self._daily
        if forced_status == 429:
            limit = windows["x-rate-limit"].limit
            spent = _Window(limit, 0, used=limit, reset=now + FAULT_RESET_S)
            return _too_many({**windows, "x-rate-limit": spent})
        # In order, so a request refused by the 15-minute window spends none of the day's posts.
        if not all(window.take(now) for window in windows.values()):
            return _too_many(windows)
        reply = _problem(forced_status) if forced_status else self._route(name, request, argument)
        return replace(reply, headers={**_limit_headers(windows), **reply.headers})

    def _route(self, name: str, request: _Request, argument: str) -> Reply:
        if name == "POST /2/tweets":
            return self._create_post(request.body)
        if name.startswith("POST /2/media/"):
            return self._media(name, request, argument)
        if name == "DELETE /2/tweets/:id":
            return self._delete_post(argument)
        if name == "GET /2/users/me":
            return self._me()
        return self._timeline(argument, parse_qs(urlsplit(request.target).query))

    def _create_post(self, body: bytes) -> Reply:
        payload = _json_object(body)
        text, reply = payload.get("text"), payload.get("reply")
        reply_to = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
        if not isinstance(text, str) or not text.strip():
            return _invalid("text", "The `text` field must be a non-empty string")
        if reply_to is not None and self._live(str(reply_to)) is None:
            return _problem(403, HIDDEN_REPLY_TO_DETAIL)
        if reply_to is not None and self._replies_refused:
            return _problem(403, REPLY_NOT_ALLOWED_DETAIL)
        images = self._attached(payload.get("media"))
        if images is None:
            return _invalid("media.media_ids", "The media ids must be uploaded and finalized")
        if any(post.text == text and not post.deleted for post in self._posts):
            return _problem(403, DUPLICATE_DETAIL)
        post = FakePost(
            str(next(self._ids)), text, reply_to and str(reply_to), self._clock(), images=images
        )
        self._posts.append(post)
        data = {"id": post.id, "text": _shortened(post)[0], "edit_history_tweet_ids": [post.id]}
        return Reply(201, {"data": data}, {})

    def _attached(self, media: object) -> tuple[FakeImage, ...] | None:
        """The finalized images a post names in `media.media_ids`; None if one is not."""
        ids = media.get("media_ids", []) if isinstance(media, dict) else []
        images = [self._images.get(str(media_id)) for media_id in ids]
        if not all(image and image.finalized for image in images):
            return None
        return tuple(image for image in images if image)

    def _media(self, name: str, request: _Request, media_id: str) -> Reply:
        if name == "POST /2/media/upload/initialize":
            return self._initialize(_json_object(request.body))
        if name == "POST /2/media/metadata":
            return self._metadata(_json_object(request.body))
        image = self._images.get(media_id)
        if image is None:
            return _invalid("id", f"Media id {media_id} not found", media_id)
        if name == "POST /2/media/upload/:id/append":
            chunk = _form_parts(request.headers.get("content-type", ""), request.body)
            appended = replace(image, body=image.body + chunk.get("media", b""))
            self._images[media_id] = appended
            return Reply(200, {"data": {"expires_at": int(self._clock().timestamp()) + DAY_S}}, {})
        if len(image.body) != image.total_bytes:
            return _invalid("id", "The uploaded size does not match total_bytes", media_id)
        self._images[media_id] = replace(image, finalized=True)
        return Reply(200, {"data": _media_json(image)}, {})

    def _initialize(self, payload: Mapping[str, Any]) -> Reply:
        media_type, total = payload.get("media_type"), payload.get("total_bytes")
        if media_type not in MEDIA_TYPES:
            return _invalid("media_type", f"Unsupported media type {media_type}", str(media_type))
        if not isinstance(total, int) or not 0 < total <= MAX_IMAGE_BYTES:
            return _invalid("total_bytes", "The image must be between 1 byte and 5 MB", str(total))
        image = FakeImage(str(next(self._ids)), media_type, total)
        self._images[image.id] = image
        return Reply(200, {"data": _media_json(image)}, {})

    def _metadata(self, payload: Mapping[str, Any]) -> Reply:
        image = self._images.get(str(payload.get("id")))
        alt = (payload.get("metadata") or {}).get("alt_text", {}).get("text")
        if image is None or not isinstance(alt, str) or len(alt) > 1000:
            return _invalid("metadata.alt_text.text", "Alt text of at most 1000 characters")
        self._images[image.id] = replace(image, alt_text=alt)
        metadata = {"alt_text": {"text": alt}}
        return Reply(200, {"data": {"id": image.id, "associated_metadata": metadata}}, {})

    def _delete_post(self, post_id: str) -> Reply:
        post = self._live(post_id)
        if post is None:
            return _not_found("tweet", post_id)
        self._posts[self._posts.index(post)] = replace(post, deleted=True)
        return Reply(200, {"data": {"deleted": True}}, {})

    def _me(self) -> Reply:
        me = self.credentials
        return Reply(
            200, {"data": {"id": me.user_id, "name": me.name, "username": me.username}}, {}
        )

    def _timeline(self, user_id: str, query: Mapping[str, list[str]]) -> Reply:
        if user_id != self.credentials.user_id:
            return _not_found("user", user_id)
        max_results = query.get("max_results", ["10"])[0]
        if not max_results.isdigit() or not 5 <= int(max_results) <= 100:
            message = (
                f"The `max_results` query parameter value [{max_results}] is not between 5 and 100"
            )
            return _invalid("max_results", message, max_results)
        since_id = int(query.get("since_id", ["0"])[0] or 0)
        start = _start_time(query.get("start_time", [""])[0])
        offset = _page_offset(query.get("pagination_token", [""])[0])
        fields = set(",".join(query.get("tweet.fields", [])).split(","))
        live = [
            p for p in reversed(self._posts)
            if not p.deleted and int(p.id) > since_id and (start is None or p.created_at >= start)
        ]  # fmt: skip
        end = offset + int(max_results)
        data = [_post_json(post, fields) for post in live[offset:end]]
        return Reply(200, _timeline_body(data, next_offset=end if end < len(live) else None), {})

    def _live(self, post_id: str) -> FakePost | None:
        return next((p for p in self._posts if p.id == post_id and not p.deleted), None)

    def _authorised(self, request: _Request) -> bool:
        """True for a request signed with the configured credentials (HMAC-SHA1, RFC 5849)."""
        header = request.headers.get("authorization", "")
        try:
            oauth = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(header)}
        except ValueError:
            return False
        me = self.credentials
        if (oauth.get("oauth_consumer_key"), oauth.get("oauth_token")) != (
            me.consumer_key,
            me.access_token,
        ) or oauth.get("oauth_signature_method") != "HMAC-SHA1":
            return False
        expected = self._signature(request, header)
        return hmac.compare_digest(oauth.get("oauth_signature", ""), expected)

    def _signature(self, request: _Request, authorization: str) -> str:
        """The signature the client must have computed, for the URL it signed (see `Forwarded`)."""
        target = urlsplit(request.target)
        params = signature.collect_parameters(
            uri_query=target.query, headers={"Authorization": authorization}
        )
        uri = signature.base_string_uri(
            _signed_origin(request.headers, self.base_url) + target.path
        )
        base = signature.signature_base_string(
            request.method, uri, signature.normalize_parameters(params)
        )
        me = self.credentials
        signer = Client(
            me.consumer_key,
            client_secret=me.consumer_secret,
            resource_owner_key=me.access_token,
            resource_owner_secret=me.access_token_secret,
        )
        return str(signature.sign_hmac_sha1_with_client(base, signer))


_ROUTES = [
    ("POST", re.compile(r"/2/tweets"), "POST /2/tweets"),
    ("DELETE", re.compile(r"/2/tweets/(\d+)"), "DELETE /2/tweets/:id"),
    ("GET", re.compile(r"/2/users/me"), "GET /2/users/me"),
    ("GET", re.compile(r"/2/users/(\d+)/tweets"), "GET /2/users/:id/tweets"),
    ("POST", re.compile(r"/2/media/upload/initialize"), "POST /2/media/upload/initialize"),
    ("POST", re.compile(r"/2/media/upload/(\d+)/append"), "POST /2/media/upload/:id/append"),
    ("POST", re.compile(r"/2/media/upload/(\d+)/finalize"), "POST /2/media/upload/:id/finalize"),
    ("POST", re.compile(r"/2/media/metadata"), "POST /2/media/metadata"),
]


def _match_route(method: str, path: str) -> tuple[str, str] | None:
    """(route name, its :id or "") for a request, or None for a path X does not have."""
    for route_method, pattern, name in _ROUTES:
        match = pattern.fullmatch(path)
        if match and method == route_method:
            return name, next(iter(match.groups()), "")
    return None


def _signed_origin(headers: Mapping[str, str], own_origin: str) -> str:
    """The scheme and host the client signed for: from a `Forwarded` header, else ours."""
    fields = dict(
        part.strip().split("=", 1)
        for part in headers.get("forwarded", "").split(";")
        if "=" in part
    )
    if "proto" in fields and "host" in fields:
        return f"{fields['proto']}://{fields['host']}"
    return own_origin


def _shortened(post: FakePost) -> tuple[str, list[dict[str, Any]]]:
    """The post's text as X shows it, each link replaced by a t.co link, and its url entities."""
    text, entities, start = "", [], 0
    for begin, end in url_spans(post.text):
        link = post.text[begin:end]
        t_co = "https://t.co/" + hashlib.sha256(f"{post.id} {link}".encode()).hexdigest()[:10]
        text += post.text[start:begin]
        entities.append(_url_entity(link, t_co, len(text)))
        text += t_co
        start = end
    return text + post.text[start:], entities


def _url_entity(link: str, t_co: str, start: int) -> dict[str, Any]:
    expanded = link if re.match(r"https?://", link, re.IGNORECASE) else f"http://{link}"
    display = re.sub(r"^https?://(www\.)?", "", expanded, flags=re.IGNORECASE)
    if len(display) > 26:
        display = display[:25] + "…"
    return {
        "start": start,
        "end": start + len(t_co),
        "url": t_co,
        "expanded_url": expanded,
        "display_url": display,
    }


def _post_json(post: FakePost, fields: set[str]) -> dict[str, Any]:
    """A post as the v2 timeline sends it: id, text and edit history, plus the fields asked for."""
    text, urls = _shortened(post)
    data: dict[str, Any] = {"id": post.id, "text": text, "edit_history_tweet_ids": [post.id]}
    if "created_at" in fields:
        data["created_at"] = post.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if "entities" in fields and urls:
        data["entities"] = {"urls": urls}
    return data


def _timeline_body(data: list[dict[str, Any]], next_offset: int | None) -> dict[str, Any]:
    if not data:
        return {"meta": {"result_count": 0}}
    meta = {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
    if next_offset is not None:
        meta["next_token"] = f"{PAGE_TOKEN_PREFIX}{next_offset:x}"
    return {"data": data, "meta": meta}


def _start_time(value: str) -> datetime | None:
    """X's `start_time` (ISO 8601, UTC, e.g. 2026-11-27T09:00:00.000Z); None if absent."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _page_offset(token: str) -> int:
    """Where the page a `next_token` names starts; X's tokens are opaque, ours an offset."""
    try:
        return int(token.removeprefix(PAGE_TOKEN_PREFIX), 16) if token else 0
    except ValueError:
        return 0


def _media_json(image: FakeImage) -> dict[str, Any]:
    return {
        "id": image.id,
        "media_key": f"3_{image.id}",
        "size": image.total_bytes,
        "expires_after_secs": DAY_S,
    }


def _form_parts(content_type: str, body: bytes) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, by name."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return {}
    parts = {}
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts[str(part.get_param("name", header="content-disposition"))] = payload
    return parts


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _problem(status: int, detail: str | None = None) -> Reply:
    """X's RFC 7807 problem body, as it sends for 401, 403, 429 and 5xx."""
    title = http.HTTPStatus(status).phrase
    body = {"title": title, "detail": detail or title, "type": "about:blank", "status": status}
    return Reply(status, body, {})


def _too_many(windows: Mapping[str, _Window]) -> Reply:
    return replace(_problem(429), headers=_limit_headers(windows))


def _limit_headers(windows: Mapping[str, _Window]) -> dict[str, str]:
    """X's rate-limit headers, one set per header prefix (`x-rate-limit`, `x-user-limit-24hour`)."""
    return {name: value for p, w in windows.items() for name, value in w.headers(p).items()}


def _invalid(parameter: str, message: str, value: str | None = None) -> Reply:
    error = {"parameters": {parameter: [value] if value is not None else []}, "message": message}
    body = {
        "errors": [error],
        "title": "Invalid Request",
        "detail": INVALID_REQUEST_DETAIL,
        "type": f"{PROBLEMS}/invalid-request",
    }
    return Reply(400, body, {})


def _not_found(kind: str, resource_id: str) -> Reply:
    error = {
        "value": resource_id,
        "detail": f"Could not find {kind} with id: [{resource_id}].",
        "title": "Not Found Error",
        "resource_type": kind,
        "parameter": "id",
        "resource_id": resource_id,
        "type": f"{PROBLEMS}/resource-not-found",
    }
    return Reply(200, {"errors": [error]}, {})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for a delayed ACK.
    disable_nagle_algorithm = True
    server: QuietServer

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: tests read `FakeX.posts`, not stderr."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        owner = cast(FakeX, self.server.owner)
        request = self._read_request()
        fault = owner.take_fault()
        owner.pause(fault.hang_s)
        if owner.stopping:
            self.close_connection = True
            return
        reply = owner.respond(request, fault.status)
        if fault.drop:
            self.close_connection = True  # carried out, never answered
            return
        self._send(reply)

    def _read_request(self) -> _Request:
        length = int(self.headers.get("Content-Length") or 0)
        headers = {name.lower(): value for name, value in self.headers.items()}
        return _Request(self.command, self.path, headers, self.rfile.read(length))

    def _send(self, reply: Reply) -> None:
        body = json.dumps(reply.body).encode()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


FakeX.handler = _Handler
