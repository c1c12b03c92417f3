"""The periodic jobs `xmess-bot run` knows, by the name `schedules/jobs.toml` gives them.

Each job is a use case called with the `App`; it reads the time from `app.clock` and derives
its work from the database, so running it late, twice or after a crash does no harm. Adding a
job is one line in `JOBS` and one table in the schedule file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot import digesting, notifications, publishing, reminding, service
from bot.app import build_mailer
from bot.service import App, PollReport

Job = Callable[[App], object]


def poll_feeds(app: App) -> PollReport:
    report = service.PollReport()
    service.poll_feeds(app, app.clock.now(), report, lambda _: None)
    return report


def sync_calendars(app: App) -> PollReport:
    """Also expires announcements of events that have started."""
    now, report = app.clock.now(), service.PollReport()
    service.sync_calendars(app, now, report)
    service.expire_passed(app, now)
    return report


def draft_reminders(app: App) -> str:
    return reminding.draft_reminders(app).describe()


def draft_digest(app: App) -> str:
    """Checks often and drafts once: the digest's own day and time are in `[digest]`, and a
    digest missed while the bot was down is still drafted until the next one is due."""
    draft = digesting.draft_weekly_digest(app)
    return f"resum setmanal: esborrany #{draft.id}" if draft else "cap resum nou"


def notify_editors(app: App) -> str:
    return notifications.notify_pending(app, build_mailer(app.settings))


JOBS: Mapping[str, Job] = {
    "poll_feeds": poll_feeds,
    "sync_calendars": sync_calendars,
    "draft_reminders": draft_reminders,
    "draft_digest": draft_digest,
    "publish_due": publishing.publish_due,
    "notify_editors": notify_editors,
}


def summarise(result: object) -> str:
    """One line about what a job did, for the log."""
    if isinstance(result, PollReport):
        return (
            f"{result.new_items} elements nous, {result.new_drafts} esborranys nous, "
            f"{len(result.failures)} fonts amb error"
        )
    if isinstance(result, list):
        return f"{len(result)} esborranys tractats"
    return "" if result is None else str(result)
