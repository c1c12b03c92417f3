"""`xmess-bot run` as a real process, on a short schedule, against a loopback feed and the fake
X: it polls, drafts, publishes an approved post; killed with SIGKILL and started again, it
loses nothing and publishes nothing twice; SIGTERM lets the job in progress finish and exits 0.
Its log is one JSON object per line, without a secret."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.error import URLError

import pytest
from click.testing import CliRunner

from bot import service
from bot.app import build_app
from bot.cli import main
from bot.fake_x import FakeX
from bot.loopback import LoopbackServer, Resource
from bot.models import DraftStatus
from bot.service import App
from bot.settings import load_settings
from tests.processes import CREDENTIAL_ENV, CREDENTIALS, child_env, free_port

JOBS_TOML = """\
[poll_feeds]
every_seconds = 2
misfire_grace_seconds = 2
lease_seconds = 3

[publish_due]
every_seconds = 1
misfire_grace_seconds = 1
lease_seconds = 3

[sync_calendars]
every_seconds = 3600

[notify_editors]
every_seconds = 3600
enabled = false
"""
WAIT_S = 20
S = DraftStatus


class Feed:
    """An RSS feed whose items the test adds while the bot runs; `slow` makes each answer
    take a while, so a poll is surely in progress when a signal comes."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.slow = False
        self.answering = threading.Event()

    def add(self, title: str, slug: str) -> None:
        self.items.append((title, f"https://www.igualada.cat/noticies/{slug}"))

    def render(self) -> bytes:
        self.answering.set()
        if self.slow:
            time.sleep(1.5)
        date = format_datetime(datetime.now(UTC))
        entries = "".join(
            f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{date}</pubDate></item>"
            for title, link in self.items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Igualada</title><link>https://www.igualada.cat/</link>{entries}"
            "</channel></rss>"
        ).encode()


@pytest.fixture
def feed() -> Feed:
    return Feed()


@pytest.fixture
def feeds(feed: Feed) -> Iterator[LoopbackServer]:
    with LoopbackServer({"/rss.xml": Resource(body=feed.render)}) as server:
        yield server


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    with FakeX(CREDENTIALS) as server:
        yield server


@pytest.fixture
def config(tmp_path: Path, feeds: LoopbackServer, fake_x: FakeX) -> Path:
    (tmp_path / "jobs.toml").write_text(JOBS_TOML, encoding="utf-8")
    path = tmp_path / "xmess.toml"
    path.write_text(
        'database_url = "sqlite:///xmess.sqlite3"\n'
        'slots_file = ""\n'
        'jobs_file = "jobs.toml"\n\n'
        '[publisher]\nkind = "x"\n\n'
        f'[x]\napi_base_url = "{fake_x.base_url}"\ntimeout_seconds = 5\n\n'
        '[[members]]\nname = "Igualada"\nx_handle = "AjIgualada"\n'
        f'feeds = ["{feeds.url("/rss.xml")}"]\n',
        encoding="utf-8",
    )
    return path


class Bot:
    """One `xmess-bot run` process."""

    def __init__(self, config: Path) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "bot", "--config", str(config), "run"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            env=child_env(CREDENTIAL_ENV), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    def health(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                return dict(json.load(r))
        except (URLError, ConnectionError):
            return None

    def stop(self, signal_number: int) -> tuple[int, list[dict[str, Any]]]:
        self.process.send_signal(signal_number)
        _, err = self.process.communicate(timeout=WAIT_S)
        return self.process.returncode, [json.loads(line) for line in err.splitlines()]


@pytest.fixture
def start_bot(config: Path) -> Iterator[Callable[[], Bot]]:
    """Starts `xmess-bot run`; whatever still runs at the end of the test is killed."""
    started: list[Bot] = []

    def start() -> Bot:
        started.append(Bot(config))
        return started[-1]

    yield start
    for bot in started:
        if bot.process.poll() is None:
            bot.process.kill()
        bot.process.communicate()


def wait_for(what: str, condition: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + WAIT_S
    while not (found := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return found


def drafts_now(app: App) -> list[tuple[str, DraftStatus]]:
    return [(d.source_title or "", d.status) for d in app.store.list_drafts()]


def approve_when_drafted(app: App, title: str) -> int:
    draft = wait_for(
        f"a draft of «{title}»",
        lambda: next((d for d in app.store.list_drafts() if d.source_title == title), None),
    )
    service.approve(app, draft.id, "Marta")
    return int(draft.id)


def published(app: App, draft_id: int) -> bool:
    return app.store.get_draft(draft_id).status is S.PUBLISHED


def test_run_polls_publishes_survives_sigkill_and_stops_on_sigterm(
    config: Path, feed: Feed, fake_x: FakeX, start_bot: Callable[[], Bot]
) -> None:
    app = build_app(load_settings(config))
    first, second = "Nova cooperativa de consum a Igualada", "Fira d’economia social al Rec"
    feed.add(first, "cooperativa-consum")

    bot = start_bot()
    wait_for("the health check", lambda: (bot.health() or {}).get("status") == "ok")
    first_id = approve_when_drafted(app, first)
    wait_for("the first post", lambda: published(app, first_id))
    feed.add(second, "fira-economia-social")
    feed.answering.clear()
    feed.answering.wait(WAIT_S)  # killed while a poll is under way
    killed, _ = bot.stop(signal.SIGKILL)

    bot = start_bot()  # takes over once the dead process's leases lapse
    second_id = approve_when_drafted(app, second)
    wait_for("the second post", lambda: published(app, second_id))
    health = wait_for("a health report", bot.health)
    feed.slow, _ = True, feed.answering.clear()
    feed.answering.wait(WAIT_S)  # SIGTERM while a poll is waiting on the feed
    code, log = bot.stop(signal.SIGTERM)

    assert (killed, code) == (-signal.SIGKILL, 0)
    assert drafts_now(app) == [(first, S.PUBLISHED), (second, S.PUBLISHED)]
    posts = [(post.text, post.id) for post in fake_x.posts]
    assert posts == [(app.store.get_draft(i).text, app.store.get_draft(i).post_id) for i in (1, 2)]
    assert health["status"] == "ok" and health["scheduler"]["running"] is True
    assert sorted(health["scheduler"]["jobs"]) == ["poll_feeds", "publish_due", "sync_calendars"]
    events = [line.get("event") for line in log if line.get("event") != "job.skipped"]
    assert events[events.index("run.stopping") :] == ["run.stopping", "job.finished", "run.stopped"]
    assert [s for s in CREDENTIAL_ENV.values() if s in json.dumps(log)] == []


def test_a_wrong_schedule_stops_run_before_it_starts(tmp_path: Path) -> None:
    (tmp_path / "jobs.toml").write_text('[publish_due]\ncron = { hour = "2" }\n', "utf-8")
    config = tmp_path / "xmess.toml"
    config.write_text('jobs_file = "jobs.toml"\n', encoding="utf-8")
    done = CliRunner().invoke(main, ["--config", str(config), "run", "--port", "0"])
    assert (done.exit_code, done.output) == (
        1,
        f"Error: {tmp_path / 'jobs.toml'}: la configuració té 1 error(s):\n"
        "  clau «publish_due.cron»: no programeu res entre les 02:00 i les 03:00: els dies de "
        "canvi d'hora aquesta hora passa dues vegades o no passa\n",
    )
    assert not (tmp_path / "var").exists()  # nothing was opened or started
