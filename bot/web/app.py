"""The web application: `create_app` builds it over one `App`; `serve` runs it with uvicorn.

`run` serves the same application next to the scheduler and passes `scheduler_state`, so
`/healthz` can report on both the database and the scheduler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.service import App

SchedulerState = Callable[[], Mapping[str, Any]]


def create_app(app: App, *, scheduler_state: SchedulerState | None = None) -> FastAPI:
    web = FastAPI(title="xmess-bot", docs_url=None, redoc_url=None, openapi_url=None)

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


def _database_state(app: App) -> str:
    try:
        app.store.current_pause()
    except SQLAlchemyError:
        return "error"
    return "ok"


def serve(web: FastAPI, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM; uvicorn finishes the requests in progress first."""
    import uvicorn

    uvicorn.run(web, host=host, port=port, log_level="warning")
