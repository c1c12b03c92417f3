"""The X publisher: API v2 `create_tweet` with tweepy, as the account's own OAuth 1.0a user.

What each answer of X means for the draft:

* 201: published, with the post's id and URL. A thread's later posts are replies
  (`reply.in_reply_to_tweet_id`); the image goes up first (`x_media`), and a failed image never
  holds the post back: it goes out without it, and `PublishedPost.warning` says why.
* 429: `PublishDeferred` until the limit resets (tweepy's `reset_time`; `wait_on_rate_limit` is
  off, since it would sleep inside the call without bound). When the 24-hour post limit is the
  one spent (`x-user-limit-24hour-remaining: 0`, or the app's), it waits for that reset instead.
* 403 "Reply to this conversation is not allowed": `RepliesRefused` (X restricted replies
  through the API in 2026); the rest of the thread is left to a person.
* 403 "duplicate content": after an earlier attempt of this draft whose answer was lost, it
  means that attempt went out: the post is looked up among the recent ones and recorded. On a
  first attempt it is the group's own repeat: an error they can act on (edit, re-approve).
* 401: `PublishBlocked`: nothing can go out until the credentials are fixed.
* other 4xx: `PublishError` with X's words.
* 5xx, a timeout, a cut connection: `PublishUncertain`: X may have stored the post, so the
  service asks `lookup` before anything is sent again.

`lookup` reads the account's recent posts and compares texts with X's t.co links expanded.
Secrets are never put in a message.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy

from bot.errors import (
    ConfigError,
    PublishBlocked,
    PublishDeferred,
    PublishError,
    PublishUncertain,
    RepliesRefused,
)
from bot.models import Image, OutgoingPost, PublishedPost, PublisherProblemKind
from bot.publishers.x_media import MediaUnavailable, upload_image
from bot.publishers.x_transport import route_client
from bot.settings import X_SECRETS, XSettings

DUPLICATE = "duplicate content"
REPLIES_NOT_ALLOWED = "Reply to this conversation is not allowed"
DAILY_LIMIT_HEADERS = ("x-user-limit-24hour", "x-app-limit-24hour")
RECENT_POSTS = 100
LOOKUP_PAGES = 20
LOOKUP_MARGIN = timedelta(hours=1)
"""A lost attempt went out after its draft was claimed; an earlier attempt of the same draft
(retried after 1, 2, 4, 8 minutes) went out well within this before it."""
POST_URL = "https://x.com/i/web/status/{id}"


def x_client(settings: XSettings) -> tweepy.Client:
    """A tweepy client with the credentials from the environment, a timeout on every call, and
    routed to `api_base_url` when that is set."""
    missing = settings.missing_secrets()
    if missing:
        raise ConfigError(
            'publisher.kind = "x" necessita les credencials a l\'entorn: falta '
            + ", ".join(missing)
        )
    client = tweepy.Client(
        **{name: getattr(settings, name).get_secret_value() for name in X_SECRETS},
        wait_on_rate_limit=False,
    )
    route_client(client, timeout=settings.timeout_seconds, base_url=settings.api_base_url)
    return client


class XPublisher:
    """Builds its tweepy client on first use, so commands that never publish (listing the
    queue, approving) work without X's credentials."""

    network = "x"

    def __init__(self, settings: XSettings) -> None:
        self._settings = settings
        self._client: tweepy.Client | None = None

    @property
    def client(self) -> tweepy.Client:
        """Missing credentials block publishing (every draft keeps its approval)."""
        if self._client is None:
            try:
                self._client = x_client(self._settings)
            except ConfigError as error:
                raise PublishBlocked(str(error)) from None
        return self._client

    def publish(self, post: OutgoingPost, now: datetime) -> PublishedPost:
        media_ids, warning = self._media(post.image)
        try:
            response = self.client.create_tweet(
                text=post.text, in_reply_to_tweet_id=post.reply_to, media_ids=media_ids,
                user_auth=True,
            )  # fmt: skip
        except tweepy.Forbidden as error:
            return self._after_refusal(post, error)
        except (tweepy.TweepyException, requests.RequestException) as error:
            raise _publish_error(error, now) from None
        return replace(_published(str(response.data["id"]), now), warning=warning)

    def _media(self, image: Image | None) -> tuple[list[str] | None, str | None]:
        """The uploaded image's id, or why the post goes without it."""
        if image is None:
            return None, None
        try:
            return [upload_image(self.client, image, self._settings.timeout_seconds)], None
        except MediaUnavailable as error:
            return None, f"publicat sense la imatge: {error}"

    def lookup(self, post: OutgoingPost) -> PublishedPost | None:
        """The account's post with this text made since the attempt could have gone out, or
        None if there is none. Pages through the timeline from `post.sent_after` (less
        `LOOKUP_MARGIN`), so a busy account's post is found even after many others."""
        wanted, token = _comparable(post.text), None
        for _ in range(LOOKUP_PAGES):
            response = self._recent_posts(post, token)
            for recent in response.data or ():
                if _comparable(_expanded(recent.data)) == wanted:
                    return _published(str(recent.id), recent.created_at.astimezone(UTC))
            token = response.meta.get("next_token")
            if not token:
                return None
        raise PublishError(
            f"no s'ha pogut comprovar a X si ja hi és: més de {LOOKUP_PAGES} pàgines"
        )

    def _recent_posts(self, post: OutgoingPost, token: str | None) -> tweepy.Response:
        since = post.sent_after - LOOKUP_MARGIN if post.sent_after else None
        try:
            return self.client.get_users_tweets(
                self.account_id, max_results=RECENT_POSTS, user_auth=True,
                tweet_fields=["created_at", "entities"], start_time=since,
                pagination_token=token,
            )  # fmt: skip
        except (tweepy.TweepyException, requests.RequestException) as error:
            raise PublishError(
                f"no s'ha pogut comprovar a X si ja hi és: {_describe(error)}"
            ) from None

    def delete(self, post_id: str, now: datetime) -> None:
        try:
            self.client.delete_tweet(post_id, user_auth=True)
        except (tweepy.TweepyException, requests.RequestException) as error:
            raise PublishError(
                f"X no ha esborrat la publicació {post_id}: {_describe(error)}"
            ) from None

    def whoami(self) -> str:
        try:
            user = self.client.get_me(user_auth=True).data
        except (tweepy.TweepyException, requests.RequestException) as error:
            raise PublishError(f"X no accepta les credencials: {_describe(error)}") from None
        return f"@{user.username} ({user.name}), id {user.id}"

    @property
    def account_id(self) -> str:
        """X access tokens start with the account's id (tweepy relies on it too)."""
        return str(self.client.access_token).partition("-")[0]

    def _after_refusal(self, post: OutgoingPost, error: tweepy.Forbidden) -> PublishedPost:
        if post.reply_to and _says(error, REPLIES_NOT_ALLOWED):
            raise RepliesRefused("X no deixa publicar respostes des de l'API") from None
        if not _says(error, DUPLICATE):
            raise PublishError(f"X ha refusat la publicació (403): {_describe(error)}") from None
        found = self.lookup(post) if post.retry else None
        if found is None:
            raise PublishError(
                "X no accepta el text perquè el compte ja l'ha publicat: "
                "editeu-lo i torneu-lo a aprovar"
            )
        return found


def _says(error: tweepy.HTTPException, words: str) -> bool:
    return any(words in message for message in error.api_messages)


def _publish_error(
    error: tweepy.TweepyException | requests.RequestException, now: datetime
) -> PublishError:
    if isinstance(error, tweepy.TooManyRequests):
        return _deferred(error, now)
    if isinstance(error, tweepy.TwitterServerError | requests.RequestException):
        return PublishUncertain(f"resposta incerta de X: {_describe(error)}")
    if isinstance(error, tweepy.Unauthorized):
        return PublishBlocked("X no accepta les credencials (401): reviseu XMESS_X__…")
    return PublishError(f"X ha refusat la publicació: {_describe(error)}")


def _deferred(error: tweepy.TooManyRequests, now: datetime) -> PublishDeferred:
    """Until the spent limit resets: the 24-hour post limit if that is the one, else the
    endpoint's 15-minute window (tweepy's `reset_time`)."""
    daily = _daily_reset(error.response.headers)
    if daily is not None:
        return PublishDeferred(
            f"límit diari de publicacions de X esgotat: es torna a provar a {daily.isoformat()}",
            daily,
            PublisherProblemKind.DAILY_LIMIT,
        )
    until = datetime.fromtimestamp(error.reset_time, UTC) if error.reset_time else now
    return PublishDeferred(f"límit de X: es torna a provar a {until.isoformat()}", until)


def _daily_reset(headers: Mapping[str, str]) -> datetime | None:
    """The latest reset among the spent 24-hour limits (the user's and the app's), if any."""
    resets = [
        headers.get(f"{prefix}-reset", "")
        for prefix in DAILY_LIMIT_HEADERS
        if headers.get(f"{prefix}-remaining") == "0"
    ]
    seconds = [int(reset) for reset in resets if reset.isdigit()]
    return datetime.fromtimestamp(max(seconds), UTC) if seconds else None


def _describe(error: Exception) -> str:
    if isinstance(error, tweepy.HTTPException):
        messages = "; ".join(error.api_messages) or error.response.reason
        return f"{error.response.status_code} {messages}"
    if isinstance(error, requests.Timeout):
        return "temps d'espera esgotat"
    if isinstance(error, requests.ConnectionError):
        return "la connexió s'ha tallat"
    return type(error).__name__


def _published(post_id: str, at: datetime) -> PublishedPost:
    return PublishedPost(post_id=post_id, url=POST_URL.format(id=post_id), published_at=at)


def _expanded(data: Mapping[str, Any]) -> str:
    """X's text with each t.co link put back as the link that was posted."""
    text = str(data.get("text", ""))
    for url in (data.get("entities") or {}).get("urls", ()):
        text = text.replace(url["url"], url.get("expanded_url", url["url"]))
    return text


def _comparable(text: str) -> str:
    return unicodedata.normalize("NFC", html.unescape(text)).strip()
