"""The health page: each feed and calendar, the publisher's open problems, a pause or a
blackout, and the month's spending against the budget."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from bot import cost, publishing, service, slots
from bot.accounts import User
from bot.errors import XmessError
from bot.web.security import checked_form, editor, signed_in
from bot.web.site import flash, render, site_of

router = APIRouter()
Editor = Annotated[User, Depends(editor)]
Form = Annotated[FormData, Depends(checked_form)]


@router.post("/pause", response_model=None)
def pause(request: Request, user: Editor, form: Form) -> Response:
    """Stop all publishing at once (an emergency, official mourning); approvals are kept."""
    try:
        publishing.pause(site_of(request).app, user.name, str(form.get("reason", "")))
    except XmessError as refused:
        flash(request, str(refused), "error")
    else:
        flash(request, "Publicació aturada.")
    return RedirectResponse("/health", status_code=303)


@router.post("/resume", response_model=None)
def resume(request: Request, user: Editor, form: Form) -> Response:
    try:
        publishing.resume(site_of(request).app, user.name)
    except XmessError as refused:
        flash(request, str(refused), "error")
    else:
        flash(request, "La publicació continua.")
    return RedirectResponse("/health", status_code=303)


@router.get("/health")
def health_page(request: Request, user: Annotated[User, Depends(signed_in)]) -> HTMLResponse:
    app = site_of(request).app
    now = app.clock.now()
    prices = app.settings.cost.prices()
    spent = cost.priced(app.store.sent_posts(now - slots.CAP_WINDOW), prices)
    return render(
        request, user, "health.html", sources=service.source_health(app), now=now,
        problems=app.store.publisher_problems(), pause=app.store.current_pause(),
        holding=publishing.holding(app, now), blackouts=app.settings.blackouts,
        spent=cost.month_spent(now, spent, app.settings.zone),
        prices=prices,
    )  # fmt: skip
