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
from bot.loopback import LoopbackServer, Resource
from bot.models import Draft, DraftKind, DraftStatus, Image, PublisherProblemKind
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
    return x_config(tmp_path, fake_x)


def x_config(directory: Path, fake_x: FakeX) -> Path:
    path = directory / "xmess.toml"
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


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
THREAD = (
    "1/3 Notícies de la xarxa aquesta setmana",
    "2/3 Igualada: fira de l'ESS",
    "3/3 Fins aviat",
)


def approved_thread(app: service.App, posts: tuple[str, ...] = THREAD) -> Draft:
    draft = Draft(DraftKind.DIGEST, posts[0], NOW, follow_ups=posts[1:])
    stored = app.store.add_draft(draft, "xmess-bot")
    assert stored is not None
    return service.approve(app, stored.id or 0, "Jordi")


def approved_with_image(app: service.App, image: Image) -> Draft:
    draft = Draft(DraftKind.NEWS, "Fira de cooperatives a Igualada", NOW, image=image)
    stored = app.store.add_draft(draft, "xmess-bot")
    assert stored is not None
    return service.approve(app, stored.id or 0, "Jordi")


def chain(fake_x: FakeX) -> list[tuple[str, str | None]]:
    """Each post's text and the text of the post it answers."""
    texts = {post.id: post.text for post in fake_x.posts}
    return [(post.text, texts.get(post.reply_to or "")) for post in fake_x.posts]


def test_a_thread_goes_out_as_a_reply_chain(app: service.App, fake_x: FakeX) -> None:
    draft = approved_thread(app)
    [outcome] = publishing.publish_due(app)
    stored = app.store.get_draft(draft.id or 0)
    assert chain(fake_x) == [(THREAD[0], None), (THREAD[1], THREAD[0]), (THREAD[2], THREAD[1])]
    assert (outcome.status, stored.thread_post_ids) == (
        S.PUBLISHED,
        tuple(post.id for post in fake_x.posts),
    )
    assert stored.post_url == f"https://x.com/i/web/status/{fake_x.posts[0].id}"


def test_a_thread_cut_half_way_resumes_from_its_last_post(app: service.App, fake_x: FakeX) -> None:
    draft = approved_thread(app)
    fake_x.pass_next(1)
    fake_x.fail_next(1, 503)  # the second post is not stored
    [first] = publishing.publish_due(app)
    half = app.store.get_draft(draft.id or 0)
    assert (first.status, len(half.thread_post_ids)) == (S.APPROVED, 1)
    [second] = publishing.publish_due(at(app, timedelta(minutes=2)))
    assert second.status is S.PUBLISHED
    assert chain(fake_x) == [(THREAD[0], None), (THREAD[1], THREAD[0]), (THREAD[2], THREAD[1])]


def test_a_thread_post_whose_answer_was_lost_is_found_not_resent(
    app: service.App, fake_x: FakeX
) -> None:
    draft = approved_thread(app)
    fake_x.pass_next(1)
    fake_x.drop_after_store_next(1)  # the second post is stored, its answer lost
    outcomes = publishing.publish_due(app)
    assert [o.status for o in outcomes] == [S.APPROVED, S.PUBLISHED]
    assert [text for text, _ in chain(fake_x)] == list(THREAD)
    assert app.store.get_draft(draft.id or 0).status is S.PUBLISHED


def test_refused_replies_leave_the_rest_of_the_thread_to_a_person(
    app: service.App, fake_x: FakeX
) -> None:
    draft = approved_thread(app)
    fake_x.refuse_replies()
    [outcome] = publishing.publish_due(app)
    stored = app.store.get_draft(draft.id or 0)
    [problem] = app.store.publisher_problems()
    assert (outcome.status, [p.text for p in fake_x.posts]) == (S.FAILED, [THREAD[0]])
    assert outcome.detail == (
        "X no deixa publicar respostes des de l'API: s'han publicat 1 de 3 publicacions del fil; "
        "publiqueu la resta a mà com a respostes, o torneu-lo a la cua per reprendre'l"
    )
    assert stored.post_id == fake_x.posts[0].id
    assert problem.kind is PublisherProblemKind.REPLIES_REFUSED


def test_a_retracted_thread_is_deleted_post_by_post(app: service.App, fake_x: FakeX) -> None:
    draft = approved_thread(app)
    publishing.publish_due(app)
    publishing.retract(app, draft.id or 0, "Marta", "Resum equivocat")
    assert [post.deleted for post in fake_x.posts] == [True, True, True]


def test_an_image_goes_up_with_its_alt_text(
    app: service.App, fake_x: FakeX, loopback: LoopbackServer
) -> None:
    loopback.resources["/fira.png"] = Resource(body=PNG, content_type="image/png")
    alt = "Parades de cooperatives a la plaça de l'Ajuntament"
    draft = approved_with_image(app, Image(loopback.url("/fira.png"), alt))
    [outcome] = publishing.publish_due(app)
    [post] = fake_x.posts
    [image] = post.images
    assert (outcome.status, image.body, image.media_type, image.alt_text) == (
        S.PUBLISHED,
        PNG,
        "image/png",
        alt,
    )
    assert app.store.get_draft(draft.id or 0).status_reason is None


@pytest.mark.parametrize(
    ("resource", "why"),
    [
        (Resource(status=404, body=b"no", content_type="text/plain"), "no s'ha pogut baixar"),
        (Resource(body=b"<html>hola</html>", content_type="image/png"), "no és una imatge"),
    ],
    ids=["missing", "not-an-image"],
)
def test_an_image_that_cannot_go_never_holds_the_post_back(
    app: service.App, fake_x: FakeX, loopback: LoopbackServer, resource: Resource, why: str
) -> None:
    loopback.resources["/foto.png"] = resource
    draft = approved_with_image(app, Image(loopback.url("/foto.png"), "Una foto"))
    [outcome] = publishing.publish_due(app)
    [post] = fake_x.posts
    stored = app.store.get_draft(draft.id or 0)
    assert (outcome.status, post.images) == (S.PUBLISHED, ())
    assert why in (stored.status_reason or "")
    assert (stored.status_reason or "").startswith("publicat sense la imatge: ")
    assert why in app.store.history(draft.id or 0)[-1].detail


def test_an_image_upload_x_refuses_never_holds_the_post_back(
    app: service.App, fake_x: FakeX, loopback: LoopbackServer
) -> None:
    loopback.resources["/fira.png"] = Resource(body=PNG, content_type="image/png")
    draft = approved_with_image(app, Image(loopback.url("/fira.png"), "Fira"))
    fake_x.fail_next(1, 503)  # the upload's first call
    [outcome] = publishing.publish_due(app)
    assert (outcome.status, fake_x.posts[0].images) == (S.PUBLISHED, ())
    assert "X ha refusat la imatge (upload/initialize): 503" in (
        app.store.get_draft(draft.id or 0).status_reason or ""
    )


def test_the_daily_post_limit_waits_for_its_own_reset(credentials: None, tmp_path: Path) -> None:
    with FakeX(CREDENTIALS, clock=lambda: NOW, posts_per_day=1) as fake_x:
        app = build_app(load_settings(x_config(tmp_path, fake_x)), FixedClock(NOW))
        approved(app, "La primera del dia")
        second = approved(app, "La segona del dia")
        outcomes = publishing.publish_due(app)
        stored = app.store.get_draft(second.id or 0)
        [problem] = app.store.publisher_problems()
    assert [o.status for o in outcomes] == [S.PUBLISHED, S.APPROVED]
    assert stored.scheduled_at == NOW + timedelta(days=1)  # not the 15-minute window's reset
    assert (problem.kind, problem.until) == (
        PublisherProblemKind.DAILY_LIMIT,
        NOW + timedelta(days=1),
    )


def test_a_rate_limit_is_a_problem_until_a_post_goes_out(app: service.App, fake_x: FakeX) -> None:
    approved(app, "Espera el límit")
    fake_x.fail_next(1, 429)
    publishing.publish_due(app)
    [problem] = app.store.publisher_problems()
    assert (problem.kind, problem.until) == (
        PublisherProblemKind.RATE_LIMIT,
        NOW + timedelta(seconds=5),
    )
    publishing.publish_due(at(app, timedelta(seconds=5)))
    assert app.store.publisher_problems() == []


def test_refused_credentials_are_kept_as_a_problem(
    fake_x: FakeX, monkeypatch: pytest.MonkeyPatch, config: Path
) -> None:
    monkeypatch.setenv("XMESS_X__ACCESS_TOKEN", "1700000000000000001-wrong")
    app = build_app(load_settings(config), FixedClock(NOW))
    approved(app, "Primer")
    publishing.publish_due(app)
    [problem] = app.store.publisher_problems()
    assert (problem.kind, problem.detail, problem.since) == (
        PublisherProblemKind.CREDENTIALS,
        "X no accepta les credencials (401): reviseu XMESS_X__…",
        NOW,
    )
    assert "wrong" not in problem.detail


def test_publish_due_prints_the_open_problem(config: Path, fake_x: FakeX) -> None:
    runner = CliRunner()
    base = ["--config", str(config)]
    moment = ["--now", "2026-11-27T10:00"]
    runner.invoke(main, [*base, "queue", "add", "--by", "Marta", "--text", "Hola", *moment])
    runner.invoke(main, [*base, "queue", "approve", "1", "--by", "Jordi", *moment])
    fake_x.fail_next(1, 429)
    done = runner.invoke(main, [*base, "publish-due", *moment])
    assert done.output.splitlines()[-1] == (
        "Problema del publicador — en espera pel límit de peticions (des de "
        "2026-11-27T10:00:00+01:00, fins a 2026-11-27T10:00:05+01:00): "
        "límit de X: es torna a provar a 2026-11-27T09:00:05+00:00"
    )


def test_the_group_edits_the_alt_text_that_goes_up(
    app: service.App, fake_x: FakeX, loopback: LoopbackServer
) -> None:
    loopback.resources["/fira.png"] = Resource(body=PNG, content_type="image/png")
    draft = approved_with_image(app, Image(loopback.url("/fira.png"), "IMG_2041.png"))
    edited = service.edit_alt_text(
        app, draft.id or 0, "Marta", "Parada de la cooperativa Teixidors"
    )
    assert edited.status is S.PENDING  # what goes out changed: it needs approving again
    service.approve(app, draft.id or 0, "Jordi")
    publishing.publish_due(app)
    assert fake_x.posts[0].images[0].alt_text == "Parada de la cooperativa Teixidors"
