"""The page's guards: who is signed in, what their role allows, the CSRF token every form
carries, and the headers that keep a hostile feed's text inert in the browser.

A request without a session is sent to the sign-in page (GET) or refused with 401 (any other
method); a viewer's action is refused with 403; a form without the session's CSRF token is
refused with 403. Nothing is changed in any of these cases.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from starlette.datastructures import FormData

from bot.accounts import User

CSRF_FIELD = "csrf_token"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'"
)
"""No inline script, no plug-ins, no framing; feed images may come from any web server."""
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class SignInRequired(Exception):
    """No valid session: the page answers with the sign-in form or 401."""


async def add_security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    if request.url.path.startswith(("/static/", "/healthz")):
        return response
    response.headers["Cache-Control"] = "no-store"
    return response


def csrf_token(request: Request) -> str:
    """The session's token, made on first use; a new session (sign-in) gets a new one."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(token)


async def checked_form(request: Request) -> FormData:
    """The posted form, only if it carries this session's CSRF token."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "El formulari ha caducat o no és d'aquesta pàgina: torna-hi.")
    return form


def signed_in(request: Request) -> User:
    name = request.session.get("user")
    user = request.app.state.site.accounts.get(name) if isinstance(name, str) else None
    if user is None:
        request.session.pop("user", None)
        raise SignInRequired
    assert isinstance(user, User)
    return user


def editor(user: Annotated[User, Depends(signed_in)]) -> User:
    if not user.role.can_act:
        raise HTTPException(403, "El teu rol (lector) només permet llegir.")
    return user


def admin(user: Annotated[User, Depends(signed_in)]) -> User:
    if not user.role.can_manage_users:
        raise HTTPException(403, "Només una persona administradora gestiona els usuaris.")
    return user
