"""Approving from the page: the four-eyes rule (`web.approvals_required = 2`), bulk approval
taking members in turn, and the per-member daily limit (`web.member_daily_limit`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.models import DraftStatus
from bot.service import App
from tests.web_site import add_draft, csrf, make_app, post, signed_in

SLOTS = """min_gap_minutes = 45
[weekdays]
mon = ["09:30", "12:30", "17:30"]
fri = ["12:30", "17:30"]
sat = ["11:00"]
"""


def app_with_slots(tmp_path: Path, **web: Any) -> App:
    (tmp_path / "slots.toml").write_text(SLOTS)
    return make_app(tmp_path, slots_file="slots.toml", web=web)


def local_slots(app: App, draft_ids: list[int]) -> list[str]:
    zone = app.settings.zone
    moments = [app.store.get_draft(i).scheduled_at for i in draft_ids]
    return [m.astimezone(zone).strftime("%a %H:%M") if m else "" for m in moments]


def test_bulk_approval_gives_slots_to_members_in_turn(tmp_path: Path) -> None:
    app = app_with_slots(tmp_path)
    members = ["Igualada", "Igualada", "Igualada", "Manresa", "Vic"]
    ids = [add_draft(app, f"Notícia {n}", member=m).id or 0 for n, m in enumerate(members)]
    editor = signed_in(app, "editor")
    response = editor.post("/approve-many", data={"ids": [str(i) for i in ids],
                                                  "csrf_token": csrf(editor)})  # fmt: skip
    assert response.status_code == 303
    assert local_slots(app, ids) == [
        "Fri 12:30",
        "Mon 09:30",
        "Mon 12:30",
        "Fri 17:30",
        "Sat 11:00",
    ]


def test_a_member_at_its_daily_limit_waits_for_the_next_day(tmp_path: Path) -> None:
    app = app_with_slots(tmp_path, member_daily_limit=1)
    first, second = (add_draft(app, f"Notícia {n}", member="Igualada") for n in range(2))
    editor = signed_in(app, "editor")
    for draft in (first, second):
        post(editor, f"/drafts/{draft.id}/approve", {"when": "slot"})
    assert local_slots(app, [first.id or 0, second.id or 0]) == ["Fri 12:30", "Sat 11:00"]


@pytest.fixture
def four_eyes(tmp_path: Path) -> App:
    return app_with_slots(tmp_path, approvals_required=2)


def test_four_eyes_needs_two_different_editors(four_eyes: App) -> None:
    draft = add_draft(four_eyes)
    path = f"/drafts/{draft.id}"
    first, second = signed_in(four_eyes, "editor"), signed_in(four_eyes, "editor2")
    done = post(first, f"{path}/approve", {"when": "slot"}, path)
    assert "Primera aprovació desada" in first.get(done.headers["location"]).text
    assert four_eyes.store.get_draft(draft.id or 0).status is DraftStatus.PENDING
    again = post(first, f"{path}/approve", {"when": "slot"}, path)
    assert "una altra persona (quatre ulls)" in again.text
    post(second, f"{path}/approve", {"when": "slot"}, path)
    assert [(h.actor, h.action) for h in four_eyes.store.history(draft.id or 0)] == [
        ("xmess-bot", "create"), ("editor", "first-approval"), ("editor2", "approve"),
    ]  # fmt: skip


def test_an_edit_after_the_first_approval_asks_for_two_again(four_eyes: App) -> None:
    draft = add_draft(four_eyes)
    path = f"/drafts/{draft.id}"
    first, second = signed_in(four_eyes, "editor"), signed_in(four_eyes, "editor2")
    post(first, f"{path}/approve", {"when": "slot"}, path)
    post(second, f"{path}/edit", {"text": "Text canviat"}, path)
    post(second, f"{path}/approve", {"when": "slot"}, path)
    assert four_eyes.store.get_draft(draft.id or 0).status is DraftStatus.PENDING
    post(first, f"{path}/approve", {"when": "slot"}, path)
    assert four_eyes.store.get_draft(draft.id or 0).status is DraftStatus.APPROVED


def test_the_schedule_shows_each_day_against_its_cap(tmp_path: Path) -> None:
    (tmp_path / "slots.toml").write_text("daily_cap = 2\nmonthly_cap = 40\n" + SLOTS)
    app = make_app(tmp_path, slots_file="slots.toml")
    editor = signed_in(app, "editor")
    for n in range(3):
        post(editor, f"/drafts/{add_draft(app, f'Notícia {n}').id}/approve", {"when": "slot"})
    page = editor.get("/schedule").text
    assert "Aquest mes: 3 / 40" in page
    assert [page.count(f"Publicacions: {n} / 2") for n in (0, 1, 2)] == [5, 1, 1]
