"""What every route shares: the `App`, the accounts, the queue's reads, the templates and the
catalogues, kept on the FastAPI application's state; and `render`, which fills in what every
page needs (the person, their language, the CSRF token, messages from the last action)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.accounts import LANGUAGES, User
from bot.review import STATUS_LABELS_CA
from bot.service import App
from bot.store.accounts import Accounts
from bot.store.queue_view import QueueView
from bot.web import security
from bot.web.i18n import Gettext
from bot.web.labels import label_ca
from bot.web.post_text import pieces
from bot.weighted_length import weighted_length

TEMPLATES = Path(__file__).parent / "templates"
LOCAL_FORMAT = "%d/%m/%Y %H:%M"


@dataclass(frozen=True)
class Site:
    app: App
    accounts: Accounts
    queue: QueueView
    pages: Environment
    catalogues: Mapping[str, Gettext]


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def page_environment() -> Environment:
    """Autoescape everywhere: feed text reaches the page only as escaped text."""
    pages = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    pages.globals.update(pieces=pieces, weighted_length=weighted_length, languages=LANGUAGES)
    return pages


def render(
    request: Request, user: User | None, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    site = site_of(request)
    language = user.language if user else request.session.get("language", "ca")
    gettext = site.catalogues.get(language, site.catalogues["ca"])
    zone = site.app.settings.zone

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime(LOCAL_FORMAT) if moment else ""

    def status_label(status: Any) -> str:
        return gettext(STATUS_LABELS_CA[status])

    def label(value: str) -> str:
        return gettext(label_ca(value))

    html = site.pages.get_template(template).render(
        _=gettext, user=user, lang=language, csrf_token=security.csrf_token(request),
        local=local, status_label=status_label, label=label,
        flashes=request.session.pop("flashes", []), path=request.url.path, **context,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status_code)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message for the next page the person sees (after the redirect of a form)."""
    request.session.setdefault("flashes", []).append({"kind": kind, "text": message})
