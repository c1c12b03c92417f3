"""Writing a post: it becomes a `manual` draft and goes through the same approval, slots and
history as the drafts from feeds. Starting from a pasted link puts the link at the end of the
text (X shows it as 23 characters), unless the text already has it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from bot import service
from bot.accounts import User
from bot.errors import XmessError
from bot.web.security import checked_form, editor
from bot.web.site import flash, render, site_of

router = APIRouter()


@router.get("/write")
def write_page(request: Request, user: Annotated[User, Depends(editor)]) -> HTMLResponse:
    limit = site_of(request).app.drafter.limit
    return render(request, user, "write.html", text="", url="", error="", limit=limit)


@router.post("/write", response_model=None)
def write(
    request: Request,
    user: Annotated[User, Depends(editor)],
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    text, url = str(form.get("text", "")), str(form.get("url", "")).strip()
    app = site_of(request).app
    try:
        draft = service.add_manual(app, user.name, text, url or None)
    except XmessError as refused:
        return render(
            request, user, "write.html", status_code=400, text=text, url=url,
            error=str(refused), limit=app.drafter.limit,
        )  # fmt: skip
    flash(request, "Esborrany creat: ara cal aprovar-lo.")
    return RedirectResponse(f"/drafts/{draft.id}", status_code=303)
