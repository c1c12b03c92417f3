"""The web application: `create_app` builds it over one `App`; `serve` runs it with uvicorn.

`run` serves the same application next to the scheduler and passes `scheduler_state`, so
`/healthz` can report on both the database and the scheduler. Every route needs a session
except the sign-in page, `/healthz` and the static files (see `security.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from bot.service import App
from bot.store.accounts import accounts_for
from bot.store.queue_view import QueueView
from bot.web import compose, digest_page, health_page, queue, schedule, signin, users
from bot.web.i18n import load_catalogues
from bot.web.security import SignInRequired, add_security_headers
from bot.web.site import Site, page_environment, render

SchedulerState = Callable[[], Mapping[str, Any]]
STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "xmess_session"
SESSION_HOURS = 12
"""A session lasts a working day; then the person signs in again."""


def create_app(app: App, *, scheduler_state: SchedulerState | None = None) -> FastAPI:
    web = FastAPI(title="xmess-bot", docs_url=None, redoc_url=None, openapi_url=None)
    accounts = accounts_for(app.store)
    web.state.site = Site(
        app, accounts, QueueView(accounts.engine), page_environment(), load_catalogues()
    )
    web.middleware("http")(add_security_headers)
    web.add_middleware(
        SessionMiddleware,
        secret_key=_session_key(app),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=app.settings.web.https,
    )
    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (signin, queue, compose, schedule, health_page, users, digest_page):
        web.include_router(module.router)
    web.add_exception_handler(SignInRequired, _to_signin)
    web.add_exception_handler(HTTPException, _refused)

    @web.get("/healthz")
    def healthz() -> JSONResponse:
        """For container health checks and monitors: 200 when the database answers and the
        scheduler (if any) runs, 503 otherwise. Names no secret and no URL."""
        report: dict[str, Any] = {"database": _database_state(app)}
        if scheduler_state is not None:
            report["scheduler"] = dict(scheduler_state())
        healthy = report["database"] == "ok" and report.get("scheduler", {}).get("running", True)
        report["status"] = "ok" if healthy else "error"
        return JSONResponse(report, status_code=200 if healthy else 503)

    return web


def _session_key(app: App) -> str:
    configured = app.settings.web.secret_key
    return configured.get_secret_value() if configured else accounts_for(app.store).session_key()


async def _to_signin(request: Request, _: Exception) -> Response:
    """A page asked for without a session goes to the sign-in form, which comes back to it
    (a link from an e-mail lands on its draft); an action is refused."""
    if request.method == "GET":
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = "/signin" if wanted == "/" else f"/signin?{urlencode({'next': wanted})}"
        return RedirectResponse(target, status_code=303)
    return HTMLResponse("Cal iniciar la sessió.", status_code=401)


async def _refused(request: Request, error: Exception) -> Response:
    """A refusal (403, 404…) as a page, in the person's language when they are signed in."""
    assert isinstance(error, HTTPException)
    name = request.session.get("user")
    user = request.app.state.site.accounts.get(name) if isinstance(name, str) else None
    unnamed = error.detail == HTTPStatus(error.status_code).phrase  # e.g. an unknown route
    detail = "Aquesta pàgina no existeix." if unnamed and error.status_code == 404 else error.detail
    return render(request, user, "refused.html", status_code=error.status_code, error=str(detail))


def _database_state(app: App) -> str:
    try:
        app.store.current_pause()
    except SQLAlchemyError:
        return "error"
    return "ok"


def serve(web: FastAPI, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM; uvicorn finishes the requests in progress first. Our
    log handler, not uvicorn's log config, and no access log (`logs.py`)."""
    import uvicorn

    config = uvicorn.Config(
        web, host=host, port=port, log_config=None, log_level="warning", access_log=False
    )
    uvicorn.Server(config).run()
