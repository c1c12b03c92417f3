"""The queue page and the draft page, with every action on a draft.

Each action calls one use case of `bot.service` / `bot.publishing` with the signed-in person's
name, so it lands in the draft's history. A refused action (the queue's rules, a text over the
limit, a time in the past) shows the draft page again with the reason and what the person
typed, so nothing is lost.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from bot import publishing, service
from bot.accounts import User
from bot.errors import DraftError, UnknownDraft, XmessError
from bot.models import Draft, DraftKind, DraftStatus
from bot.store.queue_view import QueueFilter
from bot.web.security import checked_form, editor, signed_in
from bot.web.site import flash, render, site_of

router = APIRouter()
Form = Annotated[FormData, Depends(checked_form)]
Reader = Annotated[User, Depends(signed_in)]
Editor = Annotated[User, Depends(editor)]
PAGE_SIZE = 20
APPROVE_NOW_DELAY = timedelta(minutes=1)
""""Approve now" means the first `publish-due` run a minute from now: time to take it back."""
S = DraftStatus
WAITING = (S.PENDING, S.APPROVED)
"""Drafts the page warns about when a pause, a blackout or a cap would hold them."""
QUEUE_VIEWS: dict[str, tuple[DraftStatus, ...]] = {
    "": (S.PENDING, S.APPROVED),
    "pending": (S.PENDING,),
    "approved": (S.APPROVED,),
    "published": (S.PUBLISHED, S.RETRACTED),
    "problems": (S.FAILED, S.NEEDS_CHECK, S.PUBLISHING),
    "closed": (S.REJECTED, S.EXPIRED, S.WITHDRAWN),
}
"""The queue's tabs: waiting (pending first), and each group of outcomes."""


@router.get("/")
def queue_page(
    request: Request, user: Reader, view: str = "", kind: str = "", member: str = "", page: int = 1
) -> HTMLResponse:
    site = site_of(request)
    wanted = QueueFilter(QUEUE_VIEWS.get(view, QUEUE_VIEWS[""]), kind, member)
    page = max(page, 1)
    found = site.queue.page(wanted, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render(
        request, user, "queue.html", drafts=found.drafts, total=found.total, page=page,
        pages=max(1, math.ceil(found.total / PAGE_SIZE)), view=view, kind=kind, member=member,
        kinds=[k.value for k in DraftKind], members=[m.name for m in site.app.settings.members],
    )  # fmt: skip


@router.post("/approve-many")
def approve_many(request: Request, user: Editor, form: Form) -> RedirectResponse:
    """The ticked drafts of the queue, each at the next free slot, members in turn."""
    ids = [int(value) for value in map(str, form.getlist("ids")) if value.isdigit()]
    try:
        service.approve_many(site_of(request).app, ids, user.name)
    except XmessError as refused:
        flash(request, str(refused), "error")
    else:
        flash(request, "Esborranys marcats aprovats.")
    return RedirectResponse("/", status_code=303)


@router.get("/drafts/{draft_id}")
def draft_page(request: Request, draft_id: int, user: Reader) -> HTMLResponse:
    return _draft_page(request, user, draft_id)


def _draft_page(
    request: Request, user: User, draft_id: int, error: str = "", typed: str | None = None
) -> HTMLResponse:
    app = site_of(request).app
    try:
        draft = app.store.get_draft(draft_id)
    except UnknownDraft as missing:
        return render(request, user, "missing.html", status_code=404, error=str(missing))
    return render(
        request, user, "draft.html", status_code=400 if error else 200, draft=draft,
        history=app.store.history(draft_id), error=error,
        text=draft.text if typed is None else typed, limit=app.drafter.limit,
        min_at=_local_input(app.clock.now(), request),
        hold=publishing.hold_warning(app, draft) if draft.status in WAITING else None,
    )  # fmt: skip


def _local_input(moment: datetime, request: Request) -> str:
    return moment.astimezone(site_of(request).app.settings.zone).strftime("%Y-%m-%dT%H:%M")


def _act(
    request: Request,
    user: User,
    draft_id: int,
    action: Callable[[], Draft | None],
    done: str,
    typed: str | None = None,
) -> Response:
    """Run one use case; on success back to the draft with `done`, else the page with why."""
    try:
        action()
    except XmessError as refused:
        return _draft_page(request, user, draft_id, str(refused), typed)
    flash(request, done)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id}/approve", response_model=None)
def approve(request: Request, draft_id: int, user: Editor, form: Form) -> Response:
    app = site_of(request).app

    def approve_as_asked() -> Draft:
        when = str(form.get("when", "slot"))
        at = None
        if when == "now":
            at = app.clock.now() + APPROVE_NOW_DELAY
        elif when == "at":
            at = parse_local(str(form.get("at", "")), request)
        return service.approve(app, draft_id, user.name, at)

    try:
        draft = approve_as_asked()
    except XmessError as refused:
        return _draft_page(request, user, draft_id, str(refused))
    if draft.status is S.PENDING:  # the four-eyes rule: one approval of two
        flash(request, "Primera aprovació desada: cal la d'una altra persona.")
    else:
        flash(request, "Aprovat.")
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


def parse_local(text: str, request: Request) -> datetime:
    """A `datetime-local` field: a time in the configured zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DraftError(f"«{text}» no és una data i hora (dia/mes/any hores:minuts)") from None
    return moment.replace(tzinfo=site_of(request).app.settings.zone)


@router.post("/drafts/{draft_id}/edit", response_model=None)
def edit(request: Request, draft_id: int, user: Editor, form: Form) -> Response:
    text = str(form.get("text", "")).replace("\r\n", "\n")
    app = site_of(request).app
    return _act(
        request, user, draft_id, lambda: service.edit(app, draft_id, user.name, text),
        "Text desat.", typed=text,
    )  # fmt: skip


@router.post("/drafts/{draft_id}/reject", response_model=None)
def reject(request: Request, draft_id: int, user: Editor, form: Form) -> Response:
    reason, app = str(form.get("reason", "")), site_of(request).app
    return _act(
        request, user, draft_id, lambda: service.reject(app, draft_id, user.name, reason),
        "Rebutjat.",
    )  # fmt: skip


@router.post("/drafts/{draft_id}/reschedule", response_model=None)
def reschedule(request: Request, draft_id: int, user: Editor, form: Form) -> Response:
    app = site_of(request).app
    back = "/schedule" if form.get("back") == "schedule" else None

    def move() -> Draft:
        return service.reschedule(
            app, draft_id, user.name, parse_local(str(form.get("at")), request)
        )

    response = _act(request, user, draft_id, move, "Hora canviada.")
    if back and isinstance(response, RedirectResponse):
        return RedirectResponse(back, status_code=303)
    return response


@router.post("/drafts/{draft_id}/note", response_model=None)
def note(request: Request, draft_id: int, user: Editor, form: Form) -> Response:
    text, app = str(form.get("text", "")), site_of(request).app
    return _act(
        request, user, draft_id, lambda: service.add_note(app, draft_id, user.name, text),
        "Nota afegida.",
    )  # fmt: skip


@router.post("/drafts/{draft_id}/alt", response_model=None)
def image_alt(request: Request, draft_id: int, user: Editor, form: Form) -> Response:
    alt, app = str(form.get("alt", "")), site_of(request).app
    return _act(
        request, user, draft_id, lambda: service.edit_alt_text(app, draft_id, user.name, alt),
        "Descripció de la imatge desada.",
    )  # fmt: skip


@router.post("/drafts/{draft_id}/requeue", response_model=None)
def requeue(request: Request, draft_id: int, user: Editor, form: Form) -> Response:
    app = site_of(request).app
    return _act(
        request, user, draft_id, lambda: service.requeue(app, draft_id, user.name),
        "Tornat a la cua.",
    )  # fmt: skip


@router.post("/drafts/{draft_id}/found", response_model=None)
def found_on_x(request: Request, draft_id: int, user: Editor, form: Form) -> Response:
    url, app = str(form.get("post_url", "")), site_of(request).app
    return _act(
        request, user, draft_id, lambda: publishing.record_found(app, draft_id, user.name, url),
        "Publicació registrada.",
    )  # fmt: skip
