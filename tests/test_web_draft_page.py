"""The draft page shows every post a draft makes, and warns when it would not go out at its
time (a pause, a blackout, a full cap) while there is time to act."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot import publishing, service
from tests.web_site import NOW, add_draft, make_app, signed_in


def test_a_thread_draft_shows_each_of_its_posts(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    posts = ("1/3 Resum de la setmana", "2/3 Igualada: fira de l'ESS", "3/3 Fins aviat")
    draft = add_draft(app, posts[0], follow_ups=posts[1:])
    page = signed_in(app, "viewer").get(f"/drafts/{draft.id}").text
    assert [page.index(post.replace("'", "&#39;")) > 0 for post in posts] == [True] * 3


def test_an_approved_draft_warns_that_a_pause_would_hold_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    draft = add_draft(app)
    service.approve(app, draft.id or 0, "editor", NOW + timedelta(hours=2))
    viewer = signed_in(app, "viewer")
    calm = viewer.get(f"/drafts/{draft.id}").text
    publishing.pause(app, "editor", "dol oficial")
    held = viewer.get(f"/drafts/{draft.id}").text
    warning = "No sortirà a la seva hora: publicació aturada per editor: dol oficial"
    assert (warning in calm, warning in held) == (False, True)
