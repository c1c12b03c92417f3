"""The whole shared corpus, real and hostile, through one real poll: every feed and calendar
served over loopback HTTP, read, stored and drafted by the service as in production. The poll
finishes, every source ends up either read or with a readable error, and nothing unsafe is
drafted."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from bot import service
from bot.app import build_app
from bot.clock import FixedClock
from bot.loopback import LoopbackServer, Resource
from bot.settings import load_settings

NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
UNSAFE = re.compile(r"<script|<iframe|onerror|javascript:", re.IGNORECASE)


def serve_corpus(corpus_dir: Path, server: LoopbackServer) -> tuple[list[str], list[str]]:
    feeds, calendars = [], []
    for path in sorted(corpus_dir.rglob("*")):
        if path.is_file() and path.suffix in {".xml", ".rss", ".atom", ".html", ".ics"}:
            route = "/" + path.relative_to(corpus_dir).as_posix()
            server.resources[route] = Resource(
                body=path.read_bytes(), content_type="application/xml"
            )
            (calendars if path.suffix == ".ics" else feeds).append(server.url(route))
    return feeds, calendars


def write_config(tmp_path: Path, feeds: list[str], calendars: list[str]) -> Path:
    lines = ["[relevance]", "keywords = []", "max_age_days = 100000", ""]
    for number, url in enumerate(feeds):
        lines += ["[[members]]", f'name = "Membre {number}"', f'feeds = ["{url}"]', ""]
    for number, url in enumerate(calendars):
        lines += ["[[calendars]]", f'name = "Calendari {number}"', f'url = "{url}"', ""]
    config = tmp_path / "xmess.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def test_one_poll_over_the_whole_corpus_keeps_going(
    corpus_dir: Path, loopback: LoopbackServer, tmp_path: Path
) -> None:
    feeds, calendars = serve_corpus(corpus_dir, loopback)
    app = build_app(load_settings(write_config(tmp_path, feeds, calendars)), FixedClock(NOW))

    report = service.poll(app)

    health = app.store.all_feed_health()
    assert len(health) == len(feeds) + len(calendars)
    assert [h.url for h in health if h.last_success_at is None and not h.last_error] == []
    assert report.feeds_ok + report.calendars_ok + len(report.failures) == len(health)
    drafts = app.store.list_drafts()
    assert report.new_drafts == len(drafts) > 100
    assert [d.id for d in drafts if UNSAFE.search(d.text)] == []
