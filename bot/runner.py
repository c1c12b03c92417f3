"""`xmess-bot run`: the scheduler and the web page in one long-running process.

SIGTERM (or Ctrl-C) stops the web server, lets the job in progress finish, and returns, so
the command exits with status 0. The database is the truth: a process killed harder than that
loses nothing, and the next one takes over from the store.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from bot.app import build_app
from bot.job_schedule import load_job_specs
from bot.jobs import JOBS
from bot.logs import configure_logging
from bot.scheduler import JobScheduler
from bot.settings import Settings
from bot.web.app import create_app, serve

LOG = logging.getLogger("xmess.run")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run(settings: Settings, host: str, port: int) -> None:
    """Run until SIGTERM or SIGINT; a bad schedule file stops it before anything starts."""
    specs = load_job_specs(settings.resolve(settings.jobs_file), JOBS)
    configure_logging(settings)
    stopping = _stop_on_signals()
    app = build_app(settings)
    scheduler = JobScheduler(app, specs)
    scheduler.start()
    try:
        if not stopping.is_set():
            LOG.info(
                f"pàgina web a http://{host}:{port}/",
                extra={"event": "web.started", "host": host, "port": port},
            )
            serve(create_app(app, scheduler_state=scheduler.state), host, port)
    finally:
        LOG.info("aturant: s'acaben les tasques en curs", extra={"event": "run.stopping"})
        scheduler.stop()
        LOG.info("aturat", extra={"event": "run.stopped"})


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT. uvicorn puts its own handlers in place while it
    serves and, once stopped, raises the signal again: it then lands here, not in Python's
    default handler, which would end the process with the signal instead of status 0."""
    stopping = threading.Event()

    def note(_signal: int, _frame: FrameType | None) -> None:
        stopping.set()

    for number in STOP_SIGNALS:
        signal.signal(number, note)
    return stopping
