"""The X publisher through the service: real tweepy, real signed requests, the fake X server
on loopback, a real SQLite file. Each X answer ends in the draft status people expect."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import publishing, service
from bot.app import build_app
from bot.cli import main
from bot.clock import FixedClock
from bot.errors import ConfigError
from bot.fake_x import FakeCredentials, FakeX
from bot.models import Draft, DraftStatus
from bot.settings import load_settings

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
CREDENTIALS = FakeCredentials()
S = DraftStatus


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    with FakeX(CREDENTIALS, clock=lambda: NOW) as server:
        yield server


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        monkeypatch.setenv(f"XMESS_X__{name.upper()}", getattr(CREDENTIALS, name))


@pytest.fixture
def config(tmp_path: Path, fake_x: FakeX, credentials: None) -> Path:
    path = tmp_path / "xmess.toml"
    path.write_text(
        f'slots_file = ""\n\n[publisher]\nkind = "x"\n\n[x]\napi_base_url = "{fake_x.base_url}"\n'
        "timeout_seconds = 0.5\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def app(config: Path) -> service.App:
    return build_app(load_settings(config), FixedClock(NOW))


def approved(app: service.App, text: str) -> Draft:
    draft = service.add_manual(app, "Marta", text)
    return service.approve(app, draft.id or 0, "Jordi")


def test_an_approved_draft_is_posted_once_with_its_link(app: service.App, fake_x: FakeX) -> None:
    draft = approved(app, "Fira d'economia social https://www.xmess.cat/fira")
    [outcome] = publishing.publish_due(app)
    [post] = fake_x.posts
    stored = app.store.get_draft(draft.id or 0)
    assert (outcome.status, post.text) == (S.PUBLISHED, draft.text)
    assert (stored.post_id, stored.post_url) == (post.id, f"https://x.com/i/web/status/{post.id}")
    assert publishing.publish_due(app) == []


def test_a_rate_limit_puts_the_draft_back_until_the_reset(app: service.App, fake_x: FakeX) -> None:
    draft = approved(app, "Assemblea de la xarxa")
    fake_x.fail_next(1, 429)
    [outcome] = publishing.publish_due(app)
    stored = app.store.get_draft(draft.id or 0)
    assert (outcome.status, stored.status) == (S.APPROVED, S.APPROVED)
    assert stored.scheduled_at == NOW + timedelta(seconds=5)
    assert publishing.publish_due(app) == []
    assert [o.status for o in publishing.publish_due(at(app, timedelta(seconds=5)))] == [
        S.PUBLISHED
    ]
    assert len(fake_x.posts) == 1


def test_a_server_error_is_checked_then_retried_once(app: service.App, fake_x: FakeX) -> None:
    draft = approved(app, "Jornada de compra pública")
    fake_x.fail_next(1, 503)
    [outcome] = publishing.publish_due(app)
    assert (outcome.status, fake_x.posts) == (S.APPROVED, [])
    retry = at(app, publishing.retry_delay(draft.id or 0, 1))
    assert [o.status for o in publishing.publish_due(retry)] == [S.PUBLISHED]
    assert [p.text for p in fake_x.posts] == [draft.text]


def test_a_lost_answer_after_x_stored_the_post_is_not_posted_again(
    app: service.App, fake_x: FakeX
) -> None:
    draft = approved(app, "Mercat social a la plaça")
    fake_x.drop_after_store_next(1)
    [outcome] = publishing.publish_due(app)
    [post] = fake_x.posts
    assert (outcome.status, app.store.get_draft(draft.id or 0).post_id) == (S.PUBLISHED, post.id)


def at(app: service.App, later: timedelta) -> service.App:
    return replace(app, clock=FixedClock(NOW + later))


def test_the_groups_own_repeat_fails_with_a_reason_to_act_on(
    app: service.App, fake_x: FakeX
) -> None:
    approved(app, "Text repetit")
    publishing.publish_due(app)
    second = approved(app, "Text repetit")
    [outcome] = publishing.publish_due(app)
    assert (outcome.draft_id, outcome.status, outcome.detail) == (
        second.id,
        S.FAILED,
        "X no accepta el text perquè el compte ja l'ha publicat: editeu-lo i torneu-lo a aprovar",
    )
    assert len(fake_x.posts) == 1


def test_a_timed_out_post_that_arrived_late_is_recognised_on_the_retry(
    app: service.App, fake_x: FakeX
) -> None:
    draft = approved(app, "Arriba tard")
    fake_x.hang_next(1, 1.0)
    [first] = publishing.publish_due(app)
    assert (first.status, fake_x.posts) == (S.APPROVED, [])
    deadline = time.monotonic() + 10
    while not fake_x.posts and time.monotonic() < deadline:
        time.sleep(0.05)
    [second] = publishing.publish_due(at(app, timedelta(minutes=2)))
    [post] = fake_x.posts
    stored = app.store.get_draft(draft.id or 0)
    assert (second.status, stored.post_id, stored.publish_attempts) == (S.PUBLISHED, post.id, 2)


def test_an_x_that_cannot_even_be_asked_leaves_the_draft_to_a_person(
    app: service.App, fake_x: FakeX
) -> None:
    draft = approved(app, "X caigut")
    fake_x.fail_next(100, 503)
    [first] = publishing.publish_due(app)
    [second] = publishing.publish_due(at(app, publishing.PUBLISH_LEASE + timedelta(seconds=1)))
    [third] = publishing.publish_due(at(app, publishing.NEEDS_CHECK_AFTER))
    assert [o.status for o in (first, second, third)] == [
        S.PUBLISHING,
        S.PUBLISHING,
        S.NEEDS_CHECK,
    ]
    assert app.store.get_draft(draft.id or 0).status is S.NEEDS_CHECK


def test_unclear_answers_are_retried_with_backoff_then_fail(
    app: service.App, fake_x: FakeX
) -> None:
    draft = approved(app, "Sense resposta")
    waits = []
    for minutes in range(0, 60, 5):
        stored = app.store.get_draft(draft.id or 0)
        if stored.status is S.APPROVED and stored.scheduled_at <= NOW + timedelta(minutes=minutes):
            fake_x.fail_next(1, 503)  # the post fails; the lookup that follows works
        publishing.publish_due(at(app, timedelta(minutes=minutes)))
        stored = app.store.get_draft(draft.id or 0)
        if stored.status is S.APPROVED and stored.scheduled_at not in waits:
            waits.append(stored.scheduled_at)
    assert (stored.status, stored.publish_attempts) == (S.FAILED, publishing.MAX_PUBLISH_ATTEMPTS)
    assert "5 intents sense resposta clara" in (stored.status_reason or "")
    assert len(waits) == publishing.MAX_PUBLISH_ATTEMPTS - 1
    assert fake_x.posts == []


def test_retry_delays_double_with_a_little_jitter() -> None:
    delays = [publishing.retry_delay(7, attempt) for attempt in (1, 2, 3, 4)]
    assert [d // timedelta(minutes=1) for d in delays] == [1, 2, 4, 8]
    assert all(timedelta(minutes=2**i) <= d <= timedelta(minutes=2**i) * 1.25
               for i, d in enumerate(delays))  # fmt: skip


def test_refused_credentials_stop_publishing_and_keep_every_approval(
    fake_x: FakeX, monkeypatch: pytest.MonkeyPatch, config: Path
) -> None:
    monkeypatch.setenv("XMESS_X__ACCESS_TOKEN", "1700000000000000001-wrong")
    app = build_app(load_settings(config), FixedClock(NOW))
    drafts = [approved(app, "Primer"), approved(app, "Segon")]
    [outcome] = publishing.publish_due(app)
    assert (outcome.status, outcome.detail, outcome.blocked) == (
        S.APPROVED,
        "X no accepta les credencials (401): reviseu XMESS_X__…",
        True,
    )
    assert [app.store.get_draft(d.id or 0).status for d in drafts] == [S.APPROVED, S.APPROVED]
    assert fake_x.posts == []


def test_missing_credentials_are_named_when_publishing_not_before(
    tmp_path: Path, fake_x: FakeX
) -> None:
    path = tmp_path / "xmess.toml"
    path.write_text('slots_file = ""\n[publisher]\nkind = "x"\n', encoding="utf-8")
    app = build_app(load_settings(path), FixedClock(NOW))
    draft = approved(app, "Sense credencials")
    [outcome] = publishing.publish_due(app)
    assert (outcome.status, outcome.blocked) == (S.APPROVED, True)
    assert "falta XMESS_X__CONSUMER_KEY, XMESS_X__CONSUMER_SECRET" in outcome.detail
    assert app.store.get_draft(draft.id or 0).status is S.APPROVED


def test_a_secret_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xmess.toml"
    path.write_text('[x]\naccess_token = "s3cret"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert "XMESS_X__ACCESS_TOKEN" in str(error.value) and "s3cret" not in str(error.value)


def test_whoami_names_the_account(config: Path) -> None:
    done = CliRunner().invoke(main, ["--config", str(config), "x", "whoami"])
    assert (done.exit_code, done.output) == (0, "@XmessCat (XMESS), id 1700000000000000001\n")


def test_a_retracted_post_is_deleted_on_x(app: service.App, fake_x: FakeX) -> None:
    draft = approved(app, "Una errada")
    publishing.publish_due(app)
    publishing.retract(app, draft.id or 0, "Marta", "Text equivocat")
    [post] = fake_x.posts
    assert (post.deleted, app.store.get_draft(draft.id or 0).status) == (True, S.RETRACTED)
