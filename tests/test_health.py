from datetime import UTC, datetime, timedelta

import pytest

from bot.health import after_failure, after_success, backoff_after, is_due
from bot.models import FeedHealth, FetchResult

NOW = datetime(2026, 11, 27, 10, tzinfo=UTC)
URL = "https://www.igualada.cat/rss"


@pytest.mark.parametrize(
    ("failures", "wait"),
    [
        (1, timedelta(0)),
        (2, timedelta(minutes=10)),
        (3, timedelta(minutes=20)),
        (5, timedelta(minutes=80)),
        (20, timedelta(hours=12)),
    ],
)
def test_backoff_doubles_up_to_twelve_hours(failures: int, wait: timedelta) -> None:
    assert backoff_after(failures) == wait


def test_a_failing_feed_waits_and_then_is_tried_again() -> None:
    health = after_failure(after_failure(FeedHealth(URL), "503", NOW), "503", NOW)
    assert health.consecutive_failures == 2
    assert not is_due(health, NOW + timedelta(minutes=9))
    assert is_due(health, NOW + timedelta(minutes=10))


def test_success_clears_failures_and_keeps_the_validators() -> None:
    failing = after_failure(FeedHealth(URL, etag='"old"'), "timeout", NOW)
    fetch = FetchResult(URL, URL, body=b"<rss/>", etag='"new"', last_modified="Fri, 27 Nov 2026")
    assert after_success(failing, fetch, NOW) == FeedHealth(
        url=URL,
        etag='"new"',
        last_modified="Fri, 27 Nov 2026",
        last_success_at=NOW,
        last_error="timeout",
        last_error_at=NOW,
        consecutive_failures=0,
        retry_after=None,
    )


def test_not_modified_keeps_the_previous_etag() -> None:
    known = FeedHealth(URL, etag='"v1"', last_modified="Thu, 26 Nov 2026")
    fetch = FetchResult(URL, URL, not_modified=True)
    updated = after_success(known, fetch, NOW)
    assert (updated.etag, updated.last_modified) == ('"v1"', "Thu, 26 Nov 2026")
