"""Accounts, for admins: who has access and with which role; add and remove people.
The same as `xmess-bot users`, for those who do not use the command line."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from bot.accounts import Role, User, check_name, hash_password
from bot.errors import AccountError
from bot.web.security import admin, checked_form
from bot.web.site import flash, render, site_of

router = APIRouter()
Admin = Annotated[User, Depends(admin)]
Form = Annotated[FormData, Depends(checked_form)]


@router.get("/users")
def users_page(request: Request, user: Admin) -> HTMLResponse:
    return _page(request, user)


def _page(request: Request, user: User, error: str = "") -> HTMLResponse:
    people = site_of(request).accounts.all()
    roles = [r.value for r in Role]
    code = 400 if error else 200
    return render(request, user, "users.html", code, people=people, roles=roles, error=error)


@router.post("/users", response_model=None)
def add_user(request: Request, user: Admin, form: Form) -> Response:
    site = site_of(request)
    try:
        role = Role(str(form.get("role", "")))
        site.accounts.add(
            User(
                name=check_name(str(form.get("name", ""))), role=role,
                password_hash=hash_password(str(form.get("password", ""))),
                created_at=site.app.clock.now(),
            )
        )  # fmt: skip
    except (AccountError, ValueError) as refused:
        return _page(request, user, str(refused))
    flash(request, "Usuari afegit.")
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{name}/remove", response_model=None)
def remove_user(request: Request, name: str, user: Admin, form: Form) -> Response:
    if name == user.name:
        return _page(request, user, "No et pots treure a tu mateix.")
    try:
        site_of(request).accounts.remove(name)
    except AccountError as refused:
        return _page(request, user, str(refused))
    flash(request, "Usuari eliminat.")
    return RedirectResponse("/users", status_code=303)
