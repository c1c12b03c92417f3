"""Real tweepy, real signed requests, routed by `x_transport` to the fake X on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
import tweepy

from bot.fake_x import (
    DUPLICATE_DETAIL,
    REPLY_NOT_ALLOWED_DETAIL,
    FakeCredentials,
    FakePost,
    FakeX,
)
from bot.publishers.x_transport import RoutingAdapter, route_client

NOW = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
EPOCH_NOW = int(NOW.timestamp())
TIMEOUT_S = 0.5
CREDENTIALS = FakeCredentials()
FIRST_ID = "1800000000000000000"
SECOND_ID = "1800000000000000001"


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    with FakeX(CREDENTIALS, clock=lambda: NOW) as server:
        yield server


@pytest.fixture
def make_client() -> Iterator[Callable[..., tweepy.Client]]:
    """Makes real tweepy clients routed to a fake X, and closes their sessions afterwards."""
    made: list[tweepy.Client] = []

    def make(server: FakeX, *, access_token: str = CREDENTIALS.access_token) -> tweepy.Client:
        client = tweepy.Client(
            consumer_key=CREDENTIALS.consumer_key,
            consumer_secret=CREDENTIALS.consumer_secret,
            access_token=access_token,
            access_token_secret=CREDENTIALS.access_token_secret,
        )
        route_client(client, timeout=TIMEOUT_S, base_url=server.base_url)
        made.append(client)
        return client

    yield make
    for client in made:
        client.session.close()


@pytest.fixture
def client(fake_x: FakeX, make_client: Callable[..., tweepy.Client]) -> tweepy.Client:
    return make_client(fake_x)


def test_create_tweet_returns_the_id_the_server_stored(
    client: tweepy.Client, fake_x: FakeX
) -> None:
    response = client.create_tweet(text="Bon dia, Manresa")
    assert response.data == {
        "id": FIRST_ID,
        "text": "Bon dia, Manresa",
        "edit_history_tweet_ids": [FIRST_ID],
    }
    assert fake_x.posts == [FakePost(FIRST_ID, "Bon dia, Manresa", None, NOW)]


def test_a_reply_is_stored_with_the_post_it_answers(client: tweepy.Client, fake_x: FakeX) -> None:
    client.create_tweet(text="1/2 Agenda de la setmana")
    client.create_tweet(text="2/2 Fins aviat", in_reply_to_tweet_id=FIRST_ID)
    assert fake_x.posts == [
        FakePost(FIRST_ID, "1/2 Agenda de la setmana", None, NOW),
        FakePost(SECOND_ID, "2/2 Fins aviat", FIRST_ID, NOW),
    ]


def test_a_reply_to_a_missing_post_is_forbidden(client: tweepy.Client) -> None:
    with pytest.raises(tweepy.errors.Forbidden) as raised:
        client.create_tweet(text="Resposta perduda", in_reply_to_tweet_id="42")
    assert raised.value.api_messages == [
        "You attempted to reply to a Tweet that is deleted or not visible to you."
    ]


def test_links_come_back_as_t_co_with_the_full_link_in_entities(client: tweepy.Client) -> None:
    link = "https://www.xmess.cat/agenda/2025/fira-de-maig"
    client.create_tweet(text=f"Fira de maig: {link} #XMESS")
    timeline = client.get_users_tweets(
        CREDENTIALS.user_id, tweet_fields=["entities", "created_at"], user_auth=True
    )
    t_co = timeline.data[0].entities["urls"][0]["url"]
    assert timeline.data[0].data == {
        "id": FIRST_ID,
        "text": f"Fira de maig: {t_co} #XMESS",
        "edit_history_tweet_ids": [FIRST_ID],
        "created_at": "2025-05-01T09:30:00.000Z",
        "entities": {
            "urls": [
                {
                    "start": 14,
                    "end": 37,
                    "url": t_co,
                    "expanded_url": link,
                    "display_url": "xmess.cat/agenda/2025/fir…",
                }
            ]
        },
    }
    assert t_co.startswith("https://t.co/") and len(t_co) == len("https://t.co/") + 10


def test_the_timeline_is_newest_first_after_since_id(client: tweepy.Client) -> None:
    for text in ["primer", "segon", "tercer"]:
        client.create_tweet(text=text)
    timeline = client.get_users_tweets(CREDENTIALS.user_id, since_id=FIRST_ID, user_auth=True)
    assert [tweet.text for tweet in timeline.data] == ["tercer", "segon"]
    assert timeline.meta == {
        "result_count": 2,
        "newest_id": "1800000000000000002",
        "oldest_id": SECOND_ID,
    }


def test_get_me_answers_the_authenticated_account(client: tweepy.Client) -> None:
    assert client.get_me().data.data == {
        "id": CREDENTIALS.user_id,
        "name": "XMESS",
        "username": "XmessCat",
    }


def test_a_duplicate_text_is_forbidden(client: tweepy.Client, fake_x: FakeX) -> None:
    client.create_tweet(text="Tornem-hi")
    with pytest.raises(tweepy.errors.Forbidden) as raised:
        client.create_tweet(text="Tornem-hi")
    assert (raised.value.api_messages, raised.value.api_codes) == ([DUPLICATE_DETAIL], [])
    assert len(fake_x.posts) == 1


def test_a_deleted_text_may_be_posted_again(client: tweepy.Client, fake_x: FakeX) -> None:
    client.create_tweet(text="Tornem-hi")
    client.delete_tweet(FIRST_ID)
    client.create_tweet(text="Tornem-hi")
    assert [(post.id, post.deleted) for post in fake_x.posts] == [
        (FIRST_ID, True),
        (SECOND_ID, False),
    ]


def test_delete_answers_deleted_and_marks_the_post(client: tweepy.Client, fake_x: FakeX) -> None:
    client.create_tweet(text="Un error")
    assert client.delete_tweet(FIRST_ID).data == {"deleted": True}
    assert fake_x.posts == [FakePost(FIRST_ID, "Un error", None, NOW, deleted=True)]


def test_a_post_answer_carries_x_rate_limit_headers(client: tweepy.Client) -> None:
    client.return_type = requests.Response
    response = client.create_tweet(text="Capçaleres")
    assert {k: v for k, v in response.headers.items() if k.startswith("x-")} == {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "99",
        "x-rate-limit-reset": str(EPOCH_NOW + 900),
        "x-user-limit-24hour-limit": "100",
        "x-user-limit-24hour-remaining": "99",
        "x-user-limit-24hour-reset": str(EPOCH_NOW + 86400),
    }


def test_rate_limited_raises_too_many_requests_with_the_reset_time(
    client: tweepy.Client, fake_x: FakeX
) -> None:
    fake_x.fail_next(1, 429)
    with pytest.raises(tweepy.errors.TooManyRequests) as raised:
        client.create_tweet(text="Massa d'hora")
    assert (raised.value.reset_time, raised.value.api_messages) == (
        EPOCH_NOW + 5,
        ["Too Many Requests"],
    )
    assert raised.value.response.headers["x-rate-limit-remaining"] == "0"
    assert fake_x.posts == []


def test_a_503_fails_once_then_the_next_call_succeeds(client: tweepy.Client, fake_x: FakeX) -> None:
    fake_x.fail_next(1, 503)
    with pytest.raises(tweepy.errors.TwitterServerError) as raised:
        client.create_tweet(text="Segona oportunitat")
    client.create_tweet(text="Segona oportunitat")
    assert raised.value.response.status_code == 503
    assert [post.text for post in fake_x.posts] == ["Segona oportunitat"]


def test_a_wrong_token_is_unauthorized(
    fake_x: FakeX, make_client: Callable[..., tweepy.Client]
) -> None:
    client = make_client(fake_x, access_token="1700000000000000001-stolen")
    with pytest.raises(tweepy.errors.Unauthorized) as raised:
        client.create_tweet(text="Intrús")
    assert (raised.value.api_messages, fake_x.posts) == (["Unauthorized"], [])


def test_a_forged_signature_is_unauthorized(client: tweepy.Client, fake_x: FakeX) -> None:
    client.consumer_secret = "not-the-secret"
    with pytest.raises(tweepy.errors.Unauthorized):
        client.create_tweet(text="Intrús")
    assert fake_x.posts == []


HANG_S = 5.0


def test_a_hang_past_the_timeout_raises_read_timeout_in_time(
    client: tweepy.Client, fake_x: FakeX
) -> None:
    fake_x.hang_next(1, HANG_S)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.create_tweet(text="Silenci")
    # Our timeout, not the hang, ended the call; the margin is for a loaded CI machine.
    assert TIMEOUT_S <= time.monotonic() - started < HANG_S - 1


def test_a_dropped_answer_after_store_leaves_the_post_stored(
    client: tweepy.Client, fake_x: FakeX
) -> None:
    fake_x.drop_after_store_next(1)
    with pytest.raises(requests.exceptions.ConnectionError):
        client.create_tweet(text="Ha sortit?")
    assert fake_x.posts == [FakePost(FIRST_ID, "Ha sortit?", None, NOW)]


def test_without_base_url_the_adapter_leaves_the_request_untouched() -> None:
    request = requests.Request("POST", "https://api.twitter.com/2/tweets?x=1", json={}).prepare()
    assert RoutingAdapter(timeout=TIMEOUT_S).route(request) is request


def test_with_base_url_the_adapter_readdresses_and_says_where_it_was_signed() -> None:
    request = requests.Request("GET", "https://api.twitter.com/2/users/me?a=1").prepare()
    routed = RoutingAdapter(timeout=TIMEOUT_S, base_url="http://127.0.0.1:9/x/").route(request)
    assert (routed.url, routed.headers["Forwarded"]) == (
        "http://127.0.0.1:9/x/2/users/me?a=1",
        "proto=https;host=api.twitter.com",
    )


def test_route_client_mounts_the_adapter_for_x_with_the_timeout() -> None:
    client = tweepy.Client(consumer_key="k", consumer_secret="s")
    route_client(client, timeout=TIMEOUT_S, base_url=None)
    adapter = client.session.get_adapter("https://api.twitter.com/2/tweets")
    assert (type(adapter), adapter.timeout, adapter.base) == (RoutingAdapter, TIMEOUT_S, None)


def test_a_base_url_without_a_host_is_refused() -> None:
    with pytest.raises(ValueError, match="api_base_url must be an http:// or https:// URL"):
        RoutingAdapter(timeout=TIMEOUT_S, base_url="127.0.0.1:8080")


def test_a_spent_daily_post_limit_answers_429_with_its_own_reset(
    make_client: Callable[..., tweepy.Client],
) -> None:
    with FakeX(CREDENTIALS, clock=lambda: NOW, posts_per_day=1) as server:
        client = make_client(server)
        client.create_tweet(text="L'únic d'avui")
        with pytest.raises(tweepy.errors.TooManyRequests) as raised:
            client.create_tweet(text="Un de més")
    headers = raised.value.response.headers
    assert (raised.value.reset_time, headers["x-user-limit-24hour-remaining"]) == (
        EPOCH_NOW + 900,  # tweepy reads the 15-minute reset, not the day's
        "0",
    )
    assert headers["x-user-limit-24hour-reset"] == str(EPOCH_NOW + 86400)


def test_refused_replies_answer_x_s_2026_restriction(client: tweepy.Client, fake_x: FakeX) -> None:
    client.create_tweet(text="1/2 Agenda de la setmana")
    fake_x.refuse_replies()
    with pytest.raises(tweepy.errors.Forbidden) as raised:
        client.create_tweet(text="2/2 Fins aviat", in_reply_to_tweet_id=FIRST_ID)
    assert raised.value.api_messages == [REPLY_NOT_ALLOWED_DETAIL]
    assert [post.text for post in fake_x.posts] == ["1/2 Agenda de la setmana"]


def test_a_post_naming_an_unfinished_upload_is_invalid(client: tweepy.Client) -> None:
    with pytest.raises(tweepy.errors.BadRequest) as raised:
        client.create_tweet(text="Amb imatge", media_ids=["1800000000000000999"])
    assert raised.value.api_messages == ["The media ids must be uploaded and finalized"]


def test_an_upload_of_the_wrong_size_is_not_finalized(client: tweepy.Client) -> None:
    auth = tweepy.OAuth1UserHandler(
        CREDENTIALS.consumer_key, CREDENTIALS.consumer_secret,
        CREDENTIALS.access_token, CREDENTIALS.access_token_secret,
    ).apply_auth()  # fmt: skip
    api = "https://api.x.com/2/media/upload"
    started = client.session.post(
        f"{api}/initialize", json={"media_type": "image/png", "total_bytes": 10}, auth=auth
    )
    media_id = started.json()["data"]["id"]
    client.session.post(
        f"{api}/{media_id}/append", files={"media": ("c", b"12345")},
        data={"segment_index": "0"}, auth=auth,
    )  # fmt: skip
    finalized = client.session.post(f"{api}/{media_id}/finalize", auth=auth)
    assert (started.status_code, finalized.status_code) == (200, 400)
    assert finalized.json()["errors"][0]["message"] == (
        "The uploaded size does not match total_bytes"
    )


def test_the_timeline_pages_from_a_start_time(client: tweepy.Client, fake_x: FakeX) -> None:
    for number in range(12):
        client.create_tweet(text=f"Publicació {number}")
    user = CREDENTIALS.user_id
    first = client.get_users_tweets(user, max_results=5, start_time=NOW, user_auth=True)
    second = client.get_users_tweets(
        user, max_results=5, start_time=NOW, pagination_token=first.meta["next_token"],
        user_auth=True,
    )  # fmt: skip
    later = client.get_users_tweets(
        user, max_results=5, start_time=NOW + timedelta(seconds=1), user_auth=True
    )
    assert [t.text for t in first.data + second.data] == [
        f"Publicació {n}" for n in range(11, 1, -1)
    ]
    assert "next_token" in second.meta and later.meta == {"result_count": 0}
