"""The weekly digest's public page, `/digest/2026-W48`: the network's newsletter and website
link to it, and in `[digest] mode = "link"` the digest's post does too. Open without signing
in, like `/healthz`; a week that has not ended yet is not shown."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from bot import digesting
from bot.web.site import site_of

router = APIRouter()


@router.get("/digest/{week}")
def digest_page(request: Request, week: str) -> HTMLResponse:
    app = site_of(request).app
    try:
        chosen = digesting.digest_for_week(app, week)
    except ValueError:
        raise HTTPException(404, "No hi ha cap resum amb aquest nom (p. ex. 2026-W48).") from None
    if chosen.end > app.clock.now():
        raise HTTPException(404, "El resum d'aquesta setmana encara no s'ha fet.")
    return HTMLResponse(digesting.render_html(app, chosen))
