"""The page's routes through FastAPI's TestClient over a real SQLite file: each action, each
role, and the requests that must be refused (no session, no CSRF token, a viewer acting)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot import publishing
from bot.models import DraftStatus
from bot.service import App
from bot.store.accounts import accounts_for
from bot.web.app import create_app
from tests.web_site import NOW, PASSWORD, add_draft, csrf, make_app, post, signed_in


@pytest.fixture
def app(tmp_path: Path) -> App:
    return make_app(tmp_path)


@pytest.fixture
def editor(app: App) -> TestClient:
    return signed_in(app, "editor")


def test_pages_need_a_session(app: App) -> None:
    client = TestClient(create_app(app), follow_redirects=False)
    locations = [client.get(path).headers["location"] for path in ("/", "/write", "/health")]
    assert locations == ["/signin", "/signin?next=%2Fwrite", "/signin?next=%2Fhealth"]


def test_a_link_from_an_e_mail_lands_on_its_draft_after_sign_in(app: App) -> None:
    draft = add_draft(app)
    client = TestClient(create_app(app), follow_redirects=False)
    form = client.get(client.get(f"/drafts/{draft.id}").headers["location"]).text
    assert f'name="next" value="/drafts/{draft.id}"' in form
    response = client.post(
        "/signin",
        data={"name": "editor", "password": PASSWORD, "next": f"/drafts/{draft.id}",
              "csrf_token": csrf(client, "/signin")},
    )  # fmt: skip
    assert response.headers["location"] == f"/drafts/{draft.id}"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_sign_in_never_sends_a_person_to_another_site(app: App, target: str) -> None:
    client = TestClient(create_app(app), follow_redirects=False)
    response = client.post(
        "/signin",
        data={"name": "editor", "password": PASSWORD, "next": target,
              "csrf_token": csrf(client, "/signin")},
    )  # fmt: skip
    assert response.headers["location"] == "/"


def test_actions_without_a_session_are_refused_and_change_nothing(app: App) -> None:
    draft = add_draft(app)
    client = TestClient(create_app(app), follow_redirects=False)
    token = csrf(client, "/signin")
    response = client.post(f"/drafts/{draft.id}/approve", data={"csrf_token": token})
    assert response.status_code == 401
    assert app.store.get_draft(draft.id or 0).status is DraftStatus.PENDING


def test_sign_in_sets_a_http_only_lax_cookie(app: App) -> None:
    client = TestClient(create_app(app), follow_redirects=False)
    response = client.post(
        "/signin",
        data={"name": "editor", "password": PASSWORD, "csrf_token": csrf(client, "/signin")},
    )
    cookie = response.headers["set-cookie"].lower()
    assert ("httponly" in cookie, "samesite=lax" in cookie, "secure" in cookie) == (
        True, True, False,
    )  # fmt: skip


def test_the_cookie_is_secure_when_the_page_is_served_over_https(tmp_path: Path) -> None:
    app = make_app(tmp_path, web={"public_url": "https://xmess.example.cat"})
    client = TestClient(create_app(app), base_url="https://testserver", follow_redirects=False)
    response = client.post(
        "/signin",
        data={"name": "editor", "password": PASSWORD, "csrf_token": csrf(client, "/signin")},
    )
    assert "secure" in response.headers["set-cookie"].lower()


def test_a_wrong_password_is_refused(app: App) -> None:
    client = TestClient(create_app(app), follow_redirects=False)
    response = client.post(
        "/signin", data={"name": "editor", "password": "no", "csrf_token": csrf(client, "/signin")}
    )
    assert response.status_code == 401
    assert "El nom o la contrasenya no són correctes." in response.text


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(app: App) -> None:
    client = TestClient(create_app(app), follow_redirects=False)
    for _ in range(5):
        client.post(
            "/signin",
            data={"name": "editor", "password": "no", "csrf_token": csrf(client, "/signin")},
        )
    response = client.post(
        "/signin",
        data={"name": "editor", "password": PASSWORD, "csrf_token": csrf(client, "/signin")},
    )
    assert response.status_code == 401
    assert "bloquejat" in response.text


def test_sign_in_without_the_csrf_token_is_refused(app: App) -> None:
    client = TestClient(create_app(app), follow_redirects=False)
    client.get("/signin")
    response = client.post("/signin", data={"name": "editor", "password": PASSWORD})
    assert response.status_code == 403


def test_sign_out_ends_the_session(editor: TestClient) -> None:
    post(editor, "/signout", {})
    assert editor.get("/").headers["location"] == "/signin"


def test_every_page_has_a_csp_without_inline_script(editor: TestClient) -> None:
    policy = editor.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy


def test_the_queue_shows_a_card_as_on_x(app: App, editor: TestClient) -> None:
    add_draft(app, "Mireu @AjIgualada https://example.cat/una/noticia/molt/llarga #ESS")
    page = editor.get("/").text
    assert '<span class="mention">@AjIgualada</span>' in page
    assert '<span class="hashtag">#ESS</span>' in page
    assert ">example.cat/una/notici…</a>" in page
    assert "La imatge no té text alternatiu" in page
    assert "Paraules clau: cooperativa" in page


def test_the_queue_filters_by_member_and_pages(app: App, editor: TestClient) -> None:
    for number in range(25):
        add_draft(app, f"Notícia {number}", member="Igualada" if number % 5 else "Manresa")
    assert editor.get("/?member=Manresa").text.count('class="card') == 5
    assert editor.get("/?page=2").text.count('class="card') == 5


def test_feed_markup_is_shown_as_text(app: App, editor: TestClient) -> None:
    add_draft(app, '<script>alert(1)</script> <img src=x onerror="alert(2)">',
              source_url="javascript:alert(3)", source_title="<b>títol</b>")  # fmt: skip
    page = editor.get("/").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page


def test_approve_at_the_next_slot_lands_in_the_history_with_the_name(
    app: App, editor: TestClient
) -> None:
    draft = add_draft(app)
    response = post(editor, f"/drafts/{draft.id}/approve", {"when": "slot"})
    assert response.status_code == 303
    stored = app.store.get_draft(draft.id or 0)
    assert (stored.status, stored.scheduled_at) == (DraftStatus.APPROVED, NOW)
    assert [(h.actor, h.action) for h in app.store.history(draft.id or 0)][-1] == (
        "editor", "approve",
    )  # fmt: skip


def test_approve_at_a_chosen_local_time(app: App, editor: TestClient) -> None:
    draft = add_draft(app)
    post(editor, f"/drafts/{draft.id}/approve", {"when": "at", "at": "2026-12-03T10:30"})
    scheduled = app.store.get_draft(draft.id or 0).scheduled_at
    assert scheduled is not None and scheduled.isoformat() == "2026-12-03T09:30:00+00:00"


def test_an_over_long_edit_is_refused_and_the_text_kept(app: App, editor: TestClient) -> None:
    draft = add_draft(app)
    long_text = "paraula " * 50
    response = post(editor, f"/drafts/{draft.id}/edit", {"text": long_text})
    assert response.status_code == 400
    assert "el límit és 280" in response.text
    assert long_text.strip() in response.text
    assert app.store.get_draft(draft.id or 0).text == draft.text


def test_edit_reject_note_and_alt_text(app: App, editor: TestClient) -> None:
    draft = add_draft(app)
    path = f"/drafts/{draft.id}"
    post(editor, f"{path}/edit", {"text": "Text nou"}, path)
    post(editor, f"{path}/alt", {"alt": "Una assemblea"}, path)
    post(editor, f"{path}/note", {"text": "Cal confirmar la data"}, path)
    post(editor, f"{path}/reject", {"reason": "Repetit"}, path)
    stored = app.store.get_draft(draft.id or 0)
    assert (stored.text, stored.image and stored.image.alt, stored.status_reason) == (
        "Text nou", "Una assemblea", "Repetit",
    )  # fmt: skip
    assert [h.action for h in app.store.history(draft.id or 0)] == [
        "create", "edit", "alt-text", "note", "reject",
    ]  # fmt: skip
    assert "Cal confirmar la data" in editor.get(path).text


def test_reject_without_a_reason_says_why(app: App, editor: TestClient) -> None:
    draft = add_draft(app)
    response = post(editor, f"/drafts/{draft.id}/reject", {"reason": " "})
    assert response.status_code == 400
    assert "cal dir per què es rebutja" in response.text


def test_an_unknown_draft_is_404(editor: TestClient) -> None:
    assert editor.get("/drafts/999").status_code == 404


@pytest.mark.parametrize(
    "action", ["approve", "edit", "reject", "reschedule", "note", "alt", "requeue", "found"]
)
def test_a_viewer_cannot_act(app: App, action: str) -> None:
    draft = add_draft(app)
    viewer = signed_in(app, "viewer")
    response = post(viewer, f"/drafts/{draft.id}/{action}", {"text": "x", "reason": "x"})
    assert response.status_code == 403
    assert [h.action for h in app.store.history(draft.id or 0)] == ["create"]


def test_a_viewer_reads_the_queue_without_action_forms(app: App) -> None:
    draft = add_draft(app)
    page = signed_in(app, "viewer").get(f"/drafts/{draft.id}").text
    assert f'action="/drafts/{draft.id}/approve"' not in page


def test_an_action_without_the_csrf_token_is_refused(app: App, editor: TestClient) -> None:
    draft = add_draft(app)
    response = editor.post(f"/drafts/{draft.id}/approve", data={"when": "slot"})
    assert response.status_code == 403
    assert app.store.get_draft(draft.id or 0).status is DraftStatus.PENDING


def test_write_a_post_from_a_link(app: App, editor: TestClient) -> None:
    response = post(
        editor, "/write", {"text": "Jornada d'ESS", "url": "https://example.cat/j"}, "/write"
    )
    draft_id = int(response.headers["location"].rsplit("/", 1)[1])
    stored = app.store.get_draft(draft_id)
    assert (stored.kind.value, stored.text, stored.status) == (
        "manual", "Jornada d'ESS https://example.cat/j", DraftStatus.PENDING,
    )  # fmt: skip


def test_needs_check_records_the_post_found_on_x(app: App, editor: TestClient) -> None:
    draft = add_draft(app, status=DraftStatus.NEEDS_CHECK)
    url = "https://x.com/XmessCat/status/1234567890"
    post(editor, f"/drafts/{draft.id}/found", {"post_url": url})
    stored = app.store.get_draft(draft.id or 0)
    assert (stored.status, stored.post_id, stored.post_url) == (
        DraftStatus.PUBLISHED, "1234567890", url,
    )  # fmt: skip


def test_a_failed_draft_can_be_requeued(app: App, editor: TestClient) -> None:
    draft = add_draft(app, status=DraftStatus.FAILED, status_reason="X ho ha refusat")
    post(editor, f"/drafts/{draft.id}/requeue", {})
    assert app.store.get_draft(draft.id or 0).status is DraftStatus.PENDING


def test_the_schedule_moves_a_post(app: App, editor: TestClient) -> None:
    draft = add_draft(app, status=DraftStatus.APPROVED, scheduled_at=NOW.replace(hour=15))
    assert f"#{draft.id}" in editor.get("/schedule").text
    response = post(
        editor, f"/drafts/{draft.id}/reschedule",
        {"at": "2026-11-28T11:00", "back": "schedule"}, "/schedule",
    )  # fmt: skip
    assert response.headers["location"] == "/schedule"
    scheduled = app.store.get_draft(draft.id or 0).scheduled_at
    assert scheduled is not None and scheduled.isoformat() == "2026-11-28T10:00:00+00:00"


def test_the_health_page_shows_a_pause_and_the_budget(tmp_path: Path) -> None:
    app = make_app(tmp_path, cost={"monthly_budget": 10})
    publishing.pause(app, "admin", "dol oficial")
    page = signed_in(app, "viewer").get("/health").text
    assert "publicació aturada per admin: dol oficial" in page
    assert "0.00 USD / 10.00 USD" in page


def test_the_health_page_counts_what_this_month_cost(tmp_path: Path) -> None:
    app = make_app(tmp_path, cost={"monthly_budget": 10})
    text = "Fira de cooperatives https://xmess.cat/fira"
    add_draft(app, text, status=DraftStatus.PUBLISHED, published_at=NOW)
    assert "0.20 USD / 10.00 USD" in signed_in(app, "viewer").get("/health").text


def test_only_an_admin_manages_users(app: App) -> None:
    assert signed_in(app, "editor").get("/users").status_code == 403
    admin = signed_in(app, "admin")
    post(admin, "/users", {"name": "nova", "role": "viewer", "password": PASSWORD}, "/users")
    post(admin, "/users/editor2/remove", {}, "/users")
    names = [(u.name, u.role.value) for u in accounts_for(app.store).all()]
    assert names == [
        ("admin", "admin"),
        ("editor", "editor"),
        ("nova", "viewer"),
        ("viewer", "viewer"),
    ]


def test_the_language_is_kept_on_the_account(app: App, editor: TestClient) -> None:
    post(editor, "/language", {"language": "en", "back": "/"})
    assert '<html lang="en">' in signed_in(app, "editor").get("/").text


def test_the_queue_lists_pending_drafts_before_approved_ones(app: App, editor: TestClient) -> None:
    approved = add_draft(app, "Ja aprovat", status=DraftStatus.APPROVED)
    pending = add_draft(app, "Per revisar")
    newer = add_draft(app, "Aprovat després", status=DraftStatus.APPROVED)
    page = editor.get("/").text
    order = sorted((pending, newer, approved), key=lambda d: page.index(f">#{d.id}<"))
    assert [d.text for d in order] == ["Per revisar", "Aprovat després", "Ja aprovat"]


def test_an_editor_pauses_and_resumes_publishing_from_the_health_page(app: App) -> None:
    editor = signed_in(app, "editor")
    post(editor, "/pause", {"reason": "dol oficial"}, "/health")
    paused = app.store.current_pause()
    assert paused is not None and (paused.paused_by, paused.reason) == ("editor", "dol oficial")
    post(editor, "/resume", {}, "/health")
    assert app.store.current_pause() is None


def test_a_viewer_cannot_pause_publishing(app: App) -> None:
    response = post(signed_in(app, "viewer"), "/pause", {"reason": "x"}, "/health")
    assert (response.status_code, app.store.current_pause()) == (403, None)
