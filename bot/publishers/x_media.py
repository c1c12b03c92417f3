"""A draft's image to X: fetched from the member's site, checked, and uploaded through API v2.

tweepy 4.17 uploads only through the old v1.1 endpoint, so this speaks X's current upload
itself, on the tweepy client's own session with tweepy's OAuth 1.0a signing (and so through
the routing adapter, its timeout and `api_base_url`):

    POST /2/media/upload/initialize     {"media_type", "total_bytes", "media_category"}
    POST /2/media/upload/:id/append     multipart: `media` (the bytes), `segment_index`
    POST /2/media/upload/:id/finalize
    POST /2/media/metadata              {"id", "metadata": {"alt_text": {"text"}}}

Every failure is a `MediaUnavailable` with a reason in Catalan; the publisher then posts
without the image and the draft says why, since an image must never hold a post back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
import tweepy

from bot.models import MAX_ALT_TEXT, FetchRequest, Image
from bot.sources.http import FetchLimits, fetch_all

API = "https://api.x.com/2/media"
MAX_IMAGE_BYTES = 5 * 1024 * 1024
"""X's limit for an image in a post."""
CHUNK_BYTES = 1024 * 1024
IMAGE_SIGNATURES: Mapping[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
"""The image types X takes in a post, known by their first bytes (a server's Content-Type is
often wrong, and a page served as an image must not be uploaded)."""


class MediaUnavailable(Exception):
    """The image cannot go with the post; the message says why, for the draft's history."""


def upload_image(client: tweepy.Client, image: Image, timeout: float) -> str:
    """The media id of `image` on X, with its alt text attached."""
    body = fetch_image(image.url, timeout)
    media_type = image_type(body)
    media_id = _upload(client, body, media_type)
    if image.alt and image.alt.strip():
        _call(client, "metadata", {"id": media_id, "metadata": _alt(image.alt)})
    return media_id


def fetch_image(url: str, timeout: float) -> bytes:
    limits = FetchLimits(max_concurrency=1, timeout=timeout, max_body_bytes=MAX_IMAGE_BYTES)
    [result] = fetch_all([FetchRequest(url)], limits=limits)
    if result.body is None:
        raise MediaUnavailable(f"no s'ha pogut baixar la imatge {url}: {result.error}")
    return result.body


def image_type(body: bytes) -> str:
    """The media type of an image X accepts, from its first bytes."""
    for media_type, signatures in IMAGE_SIGNATURES.items():
        if body.startswith(signatures) and (media_type != "image/webp" or body[8:12] == b"WEBP"):
            return media_type
    raise MediaUnavailable("el fitxer no és una imatge JPEG, PNG, GIF o WebP")


def _upload(client: tweepy.Client, body: bytes, media_type: str) -> str:
    started = _call(
        client,
        "upload/initialize",
        {"media_type": media_type, "total_bytes": len(body), "media_category": "tweet_image"},
    )
    media_id = str(started["data"]["id"])
    for index, offset in enumerate(range(0, len(body), CHUNK_BYTES)):
        chunk = body[offset : offset + CHUNK_BYTES]
        _call(
            client,
            f"upload/{media_id}/append",
            files={"media": ("chunk", chunk, "application/octet-stream")},
            data={"segment_index": str(index)},
        )
    _call(client, f"upload/{media_id}/finalize", {})
    return media_id


def _alt(text: str) -> dict[str, Any]:
    return {"alt_text": {"text": text.strip()[:MAX_ALT_TEXT]}}


def _call(
    client: tweepy.Client, path: str, json: Mapping[str, Any] | None = None, **form: Any
) -> dict[str, Any]:
    """One signed call to the media API; any failure becomes `MediaUnavailable`."""
    try:
        response = client.session.post(f"{API}/{path}", json=json, auth=_signed(client), **form)
    except requests.RequestException as error:
        raise MediaUnavailable(f"X no ha respost a la pujada de la imatge ({path})") from error
    if response.status_code >= 300:
        raise MediaUnavailable(
            f"X ha refusat la imatge ({path}): {response.status_code} {_detail(response)}"
        )
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    return answer if isinstance(answer, dict) else {}


def _signed(client: tweepy.Client) -> Any:
    return tweepy.OAuth1UserHandler(
        client.consumer_key,
        client.consumer_secret,
        client.access_token,
        client.access_token_secret,
    ).apply_auth()


def _detail(response: requests.Response) -> str:
    try:
        return str(response.json().get("detail", response.reason))
    except (ValueError, AttributeError):
        return str(response.reason)
