"""The page's languages: every text of the templates and of the routes' messages has its
Spanish and English translation, and the page speaks the person's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from bot.accounts import Role
from bot.models import DraftKind, PublisherProblemKind
from bot.review import STATUS_LABELS_CA
from bot.service import App
from bot.web.i18n import load_catalogues
from bot.web.labels import LABELS_CA, label_ca
from tests.web_site import add_draft, make_app, post, signed_in

WEB = Path(__file__).parents[1] / "bot" / "web"
KEYWORDS = {
    "_": None,
    "flash": (2,),
    "_refused": (4,),
    "_act": (5,),
    "HTTPException": (2,),
    "_page": (3,),
}
"""The calls whose text reaches the page: gettext, messages after an action, refusals."""


def page_texts() -> list[str]:
    found = extract_from_dir(
        WEB, [("**/templates/**.html", "jinja2"), ("**.py", "python")], keywords=KEYWORDS
    )
    return sorted({message for _, _, message, _, _ in found if isinstance(message, str)})


HISTORY_ACTION = re.compile(r'action="([a-z-]+)"|S\.[A-Z_]+, "([a-z-]+)", now')
"""How the use cases name what a history entry did: `action="edit"`, `_settle(app, draft,
S.APPROVED, "retry", now, …)`."""


def history_actions() -> set[str]:
    sources = (WEB.parent / name for name in ("service.py", "publishing.py", "reminding.py"))
    return {
        next(filter(None, match.groups()))
        for source in sources
        for match in HISTORY_ACTION.finditer(source.read_text(encoding="utf-8"))
    }


def test_every_history_action_has_a_word_on_the_page() -> None:
    assert sorted(history_actions() - LABELS_CA.keys()) == []


def shown_values() -> list[str]:
    """Words shown at run time: kinds, roles, statuses, problems, sources."""
    values = [k.value for k in DraftKind] + [r.value for r in Role] + ["feed", "calendar"]
    values += [p.value for p in PublisherProblemKind]
    values = [label_ca(v) for v in values] + list(LABELS_CA.values())
    values += list(STATUS_LABELS_CA.values())
    return [*values, "Aquesta pàgina no existeix."]


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_text_has_a_translation(language: str) -> None:
    gettext = load_catalogues()[language]
    texts = page_texts() + shown_values()
    untranslated = [t for t in texts if gettext(t) == t and t not in SAME_IN_BOTH]
    assert untranslated == []


SAME_IN_BOTH = {"editor", "lector", "administrador", "canal", "Hora", "Historial", "Rol",
                "Anterior", "Edita", "Filtra", "Entra", "Elimina", "Marca", "nota"}  # fmt: skip
"""Words spelt the same in Catalan and in Spanish or English."""


@pytest.fixture
def app(tmp_path: Path) -> App:
    return make_app(tmp_path)


def test_the_page_switches_to_spanish_for_that_person_only(app: App) -> None:
    draft = add_draft(app)
    editor = signed_in(app, "editor")
    post(editor, "/language", {"language": "es", "back": f"/drafts/{draft.id}"})
    assert "Rechaza" in editor.get(f"/drafts/{draft.id}").text
    assert "Rebutja" in signed_in(app, "editor2").get(f"/drafts/{draft.id}").text


def test_an_unknown_language_is_refused_with_a_message(app: App) -> None:
    editor = signed_in(app, "editor")
    response = post(editor, "/language", {"language": "fr", "back": "/"})
    assert "llengua desconeguda «fr»" in editor.get(response.headers["location"]).text
