"""The composition root: builds an `App` from settings, choosing the adapters."""

from __future__ import annotations

from pathlib import Path

from bot.clock import SystemClock
from bot.drafting import Drafter
from bot.errors import ConfigError
from bot.ports import Clock, Mailer, Publisher
from bot.publishers.dry_run import DryRunPublisher
from bot.publishers.x import XPublisher
from bot.service import App
from bot.settings import Settings, load_slots
from bot.smtp_mailer import SmtpMailer
from bot.sources.calendars import HttpCalendarReader
from bot.sources.feeds import HttpFeedReader
from bot.sources.http import FetchLimits
from bot.store import open_store

TEMPLATE_SUFFIX = ".j2"


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    limits = FetchLimits(
        timeout=settings.fetch.timeout_seconds,
        max_concurrency=settings.fetch.max_concurrency,
        max_body_bytes=int(settings.fetch.max_body_mib * 1024 * 1024),
    )
    clock = clock or SystemClock()
    return App(
        settings=settings,
        store=open_store(settings.resolved_database_url),
        clock=clock,
        feeds=HttpFeedReader(limits=limits, clock=clock),
        calendars=HttpCalendarReader(settings.zone, fetch_limits=limits),
        drafter=build_drafter(settings),
        publisher=build_publisher(settings),
        slots=load_slots(settings),
    )


def build_publisher(settings: Settings) -> Publisher:
    if settings.publisher.kind == "x":
        return XPublisher(settings.x)
    return DryRunPublisher(settings.resolve(settings.publisher.outbox))


def build_mailer(settings: Settings) -> Mailer | None:
    """The mail server for notices, or None when no one is to be notified."""
    if not settings.notify_to:
        return None
    return SmtpMailer(settings.smtp)


def build_drafter(settings: Settings) -> Drafter:
    return Drafter(
        load_templates(settings.resolve(settings.templates_dir)),
        timezone=settings.zone,
        apostrophe=settings.apostrophe_char,
        hashtags=settings.hashtags,
    )


def load_templates(folder: Path) -> dict[str, str]:
    """Template files by name; drafting itself never touches the disk."""
    if not folder.is_dir():
        raise ConfigError(f"templates_dir: no existeix la carpeta de plantilles {folder}")
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(folder.iterdir())
        if path.name.endswith(TEMPLATE_SUFFIX)
    }
