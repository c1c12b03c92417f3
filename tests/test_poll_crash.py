"""A poll killed half way (as `xmess-bot run` may be, by SIGKILL) loses no draft and drafts
nothing twice: it drafts before it writes down what it has seen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest

from bot import service
from bot.app import build_drafter
from bot.clock import FixedClock
from bot.models import DraftStatus
from bot.ports import Store
from bot.publishers.dry_run import DryRunPublisher
from bot.settings import Settings
from bot.store import open_store
from tests.dying_store import DyingStore, Killed
from tests.test_service import IGUALADA, NOW, FakeCalendars, FakeFeeds, news


@pytest.fixture
def app(tmp_path: Path) -> service.App:
    settings = Settings(  # type: ignore[call-arg]
        config_dir=tmp_path,
        slots_file="",
        members=[{"name": "Igualada", "feeds": [IGUALADA]}],
    )
    feeds = FakeFeeds()
    feeds.items[IGUALADA] = (news("coop", "Nova cooperativa de consum a Igualada"),)
    return service.App(
        settings=settings,
        store=open_store(settings.resolved_database_url),
        clock=FixedClock(NOW),
        feeds=feeds,
        calendars=FakeCalendars(),
        drafter=build_drafter(settings),
        publisher=DryRunPublisher(tmp_path / "outbox.jsonl"),
    )


@pytest.mark.parametrize("dies_in", ["add_draft", "record_items"])
def test_a_poll_killed_half_way_loses_no_draft_and_drafts_nothing_twice(
    app: service.App, dies_in: str
) -> None:
    dying = replace(app, store=cast(Store, DyingStore(app.store, dies_in)))
    with pytest.raises(Killed):
        service.poll(dying)
    service.poll(app)
    service.poll(app)
    drafts = [(d.source_title, d.status) for d in app.store.list_drafts()]
    assert drafts == [("Nova cooperativa de consum a Igualada", DraftStatus.PENDING)]
