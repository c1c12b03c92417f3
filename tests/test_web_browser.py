"""The page in a real browser: Debian's chromium driven by Playwright, headless, against the
app served by uvicorn on 127.0.0.1. Signs in, edits with the live counter, approves, rejects,
switches language, and shows drafts made from the hostile feeds of the shared corpus as text
with no dialog opening. The queue page's screenshot is kept in `test-artifacts/`."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
import uvicorn
from playwright.sync_api import Dialog, Page, sync_playwright

from bot.models import DraftStatus
from bot.service import App
from bot.web.app import create_app
from bot.weighted_length import weighted_length
from tests.web_site import PASSWORD, add_draft, make_app

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
HOSTILE_FILES = [
    "feedparser/sanitize/item_description_onerror.xml",
    "feedparser/sanitize/entry_title_script.xml",
    "feedparser/sanitize/entry_content_script_inline.xml",
]
EXTRA_ATTACKS = '<img src=x onerror="alert(1)"> <a href="javascript:alert(2)">clica</a>'


@pytest.fixture
def app(tmp_path: Path) -> App:
    return make_app(tmp_path)


@pytest.fixture
def base_url(app: App) -> Iterator[str]:
    """The page served by uvicorn in a thread, on a port the system picked."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(app), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the page did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


@pytest.fixture
def page(base_url: str) -> Iterator[Page]:
    chromium = shutil.which("chromium")
    assert chromium, "chromium is missing: run `make system-packages` (as root) first"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True)
        page = browser.new_page(base_url=base_url)
        yield page
        browser.close()


def sign_in(page: Page) -> None:
    page.goto("/signin")
    page.get_by_label("Nom d'usuari").fill("editor")
    page.get_by_label("Contrasenya").fill(PASSWORD)
    page.get_by_role("button", name="Entra").click()
    page.wait_for_url("**/")


def test_edit_approve_reject_and_switch_language(app: App, page: Page) -> None:
    first, second = add_draft(app, "Primera notícia"), add_draft(app, "Segona notícia")
    sign_in(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "queue.png", full_page=True)

    page.goto(f"/drafts/{first.id}")
    text = page.get_by_label("Text de la publicació")
    text.fill("a" * 281)
    assert (page.locator("#counter").text_content(), _over(page)) == ("281 / 280", True)
    revised = "Text revisat https://example.cat/una-adreca-molt-llarga-de-tot i l·lusió €"
    text.fill(revised)
    expected = f"{weighted_length(revised)} / 280"  # the page's counter agrees with the server
    assert (page.locator("#counter").text_content(), _over(page)) == (expected, False)
    page.get_by_role("button", name="Desa el text", exact=True).click()
    page.get_by_role("button", name="Aprova", exact=True).click()
    assert page.get_by_role("status").text_content() == "Aprovat."

    page.goto(f"/drafts/{second.id}")
    page.get_by_label("Per què no es publica").fill("Ja s'ha publicat abans")
    page.get_by_role("button", name="Rebutja", exact=True).click()

    page.get_by_label("Llengua").select_option("en")
    page.get_by_role("button", name="Canvia").click()
    assert page.get_by_role("heading", level=1).text_content() == f"Draft #{second.id} rejected"

    stored = [app.store.get_draft(d.id or 0) for d in (first, second)]
    assert [(d.status, d.text, d.status_reason) for d in stored] == [
        (DraftStatus.APPROVED, revised, None),
        (DraftStatus.REJECTED, "Segona notícia", "Ja s'ha publicat abans"),
    ]  # fmt: skip


def _over(page: Page) -> bool:
    return "over" in (page.locator("#counter").get_attribute("class") or "")


def hostile_markup(corpus_dir: Path) -> list[str]:
    """Titles and descriptions of hostile corpus items as the feed has them, markup and all,
    as if the parser's cleaning had been bypassed: the page must hold on its own."""
    found = []
    for name in HOSTILE_FILES:
        parsed = feedparser.parse(corpus_dir / "feeds" / "hostile" / name, sanitize_html=False)
        entry = parsed.entries[0]
        found.append(f"{entry.get('title', '')} {entry.get('description', '')}".strip())
    return found


def test_a_hostile_feed_item_is_shown_as_text_and_no_dialog_opens(
    app: App, page: Page, corpus_dir: Path
) -> None:
    markup = [*hostile_markup(corpus_dir), EXTRA_ATTACKS]
    drafts = [
        add_draft(app, text, source_title=text, source_url="javascript:alert(3)") for text in markup
    ]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: _record(dialog, dialogs))
    sign_in(page)
    shown = page.locator("main").inner_text()
    for draft in drafts:
        page.goto(f"/drafts/{draft.id}")
        assert page.url.endswith(f"/drafts/{draft.id}")
    assert (dialogs, page.locator("main img[src='x']").count()) == ([], 0)
    assert all(text.split()[0] in shown for text in markup)


def _record(dialog: Dialog, dialogs: list[str]) -> None:
    dialogs.append(dialog.message)
    dialog.dismiss()
