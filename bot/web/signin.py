"""Sign-in, sign-out and the language switch.

A wrong name and a wrong password get the same answer, so the form does not tell which names
exist. Signing in starts a new session (new CSRF token), so a session planted before sign-in
is worth nothing after it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from bot.accounts import User, after_failed_signin, check_language, password_matches
from bot.errors import AccountError
from bot.web.security import checked_form, signed_in
from bot.web.site import flash, render, site_of

router = APIRouter()
Form = Annotated[FormData, Depends(checked_form)]


@router.get("/signin")
def signin_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, None, "signin.html", error="", name="", next=local_path(next))


@router.post("/signin", response_model=None)
def signin(request: Request, form: Form) -> Response:
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    wanted = local_path(str(form.get("next", "/")))
    accounts, now = site_of(request).accounts, site_of(request).app.clock.now()
    user = accounts.get(name)
    if user is not None and user.locked(now):
        return _refused(
            request, name, wanted, "Massa intents fallits: el compte està bloquejat uns minuts."
        )
    if not password_matches(user, password) or user is None:
        if user is not None:
            accounts.save(after_failed_signin(user, now))
        return _refused(request, name, wanted, "El nom o la contrasenya no són correctes.")
    accounts.save(replace(user, failed_signins=0, locked_until=None))
    request.session.clear()
    request.session["user"] = user.name
    return RedirectResponse(wanted, status_code=303)


def _refused(request: Request, name: str, wanted: str, message: str) -> HTMLResponse:
    return render(
        request, None, "signin.html", status_code=401, error=message, name=name, next=wanted
    )


def local_path(target: str) -> str:
    """`target` if it is a path on this site, else "/": a link can never send a person who
    just signed in (or switched language) to another site."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


@router.post("/signout")
def signout(request: Request, form: Form) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/signin", status_code=303)


@router.post("/language")
def switch_language(
    request: Request, form: Form, user: Annotated[User, Depends(signed_in)]
) -> RedirectResponse:
    """Kept on the person's account, so it follows them to any device."""
    try:
        language = check_language(str(form.get("language", "")))
    except AccountError as error:
        flash(request, str(error), "error")
    else:
        site_of(request).accounts.save(replace(user, language=language))
    return RedirectResponse(local_path(str(form.get("back", "/"))), status_code=303)
