"""Replicas: three `xmess-bot run` processes on one database publish 1,000 approved due drafts
through the fake X while one of them is killed with SIGKILL half way. Every draft ends
published exactly once (or `needs-check` for a person); none goes out twice.

In the PostgreSQL pass the replicas share the test's PostgreSQL database, and due drafts are
claimed with `SELECT … FOR UPDATE SKIP LOCKED`; in the SQLite pass they share one SQLite file.
Caps, gaps and quiet hours are off (`slots_file = ""`), and `publish_due` runs every second on
every replica (`exclusive = false`). What the killed replica left claimed is settled by one
`publish-due` run with the clock moved past the claim lease, as a replica would do later.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import publishing, service
from bot.app import build_app
from bot.clock import FixedClock
from bot.fake_x import RATE_LIMITS, FakeX
from bot.models import DraftStatus
from bot.ports import Store
from bot.settings import load_settings
from tests.processes import CREDENTIAL_ENV, CREDENTIALS, child_env, free_port

DRAFTS = 1_000
REPLICAS = 3
KILL_AT = DRAFTS * 2 // 5  # posts on X when one replica is killed
WAIT_S = 120
JOBS_TOML = """\
[publish_due]
every_seconds = 1
misfire_grace_seconds = 1
exclusive = false
"""
S = DraftStatus


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    """Limits far above 1,000 posts: this test is about replicas, not rate limits."""
    roomy = {route: (100_000, 15 * 60) for route in RATE_LIMITS}
    with FakeX(CREDENTIALS, posts_per_day=100_000, rate_limits=roomy) as server:
        yield server


@pytest.fixture
def config(tmp_path: Path, fake_x: FakeX, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in CREDENTIAL_ENV.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "jobs.toml").write_text(JOBS_TOML, encoding="utf-8")
    path = tmp_path / "xmess.toml"
    path.write_text(
        'slots_file = ""\njobs_file = "jobs.toml"\n\n'
        '[publisher]\nkind = "x"\n\n'
        f'[x]\napi_base_url = "{fake_x.base_url}"\ntimeout_seconds = 5\n',
        encoding="utf-8",
    )
    return path


def queue_due_drafts(config: Path) -> Store:
    """DRAFTS approved drafts, all due within seconds of now (real time: the replicas use it)."""
    start = datetime.now(UTC)
    app = build_app(load_settings(config), FixedClock(start - timedelta(minutes=1)))
    for number in range(DRAFTS):
        draft = service.add_manual(app, "Marta", f"Jornada {number} de l'economia social")
        service.approve(app, draft.id or 0, "Jordi", at=start - timedelta(seconds=30))
    return app.store


def start_replica(config: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "bot", "--config", str(config), "run"]
    return subprocess.Popen(
        [*command, "--port", str(free_port())],
        env=child_env(CREDENTIAL_ENV), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_until(what: str, condition: Callable[[], object]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def settle(config: Path) -> None:
    """One run after the claim lease, as a replica would do later: it reconciles what the
    killed replica had claimed and publishes what is left."""
    later = datetime.now(UTC) + publishing.PUBLISH_LEASE + timedelta(minutes=1)
    app = build_app(load_settings(config), FixedClock(later))
    publishing.publish_due(app)


def test_replicas_publish_every_draft_once_when_one_is_killed(
    config: Path, fake_x: FakeX, capsys: pytest.CaptureFixture[str]
) -> None:
    store = queue_due_drafts(config)
    started = time.monotonic()
    replicas = [start_replica(config) for _ in range(REPLICAS)]
    try:
        wait_until(f"{KILL_AT} posts", lambda: len(fake_x.posts) >= KILL_AT)
        replicas[0].send_signal(signal.SIGKILL)
        killed_at = len(fake_x.posts)
        wait_until("no approved draft left", lambda: not store.due_drafts(datetime.now(UTC)))
        elapsed = time.monotonic() - started
        for replica in replicas[1:]:
            replica.send_signal(signal.SIGTERM)
        exits = [replica.wait(timeout=WAIT_S) for replica in replicas]
    finally:
        for replica in replicas:
            if replica.poll() is None:
                replica.kill()
            replica.communicate()
    left_claimed = len(store.list_drafts((S.PUBLISHING,)))
    settle(config)

    drafts = store.list_drafts()
    statuses = Counter(draft.status for draft in drafts)
    sent = Counter(post.text for post in fake_x.posts)
    twice = [text for text, times in sent.items() if times > 1]
    wrong = [d.id for d in drafts if d.status is S.PUBLISHED and sent[d.text] != 1]
    with capsys.disabled():
        print(
            f"\n{REPLICAS} replicas, {DRAFTS} due drafts, one killed at {killed_at} posts "
            f"({left_claimed} left claimed): {statuses[S.PUBLISHED]} published, "
            f"{statuses[S.NEEDS_CHECK]} needs-check, {len(twice)} published twice, "
            f"{elapsed:.1f} s ({DRAFTS / elapsed:.0f} posts/s)"
        )
    assert exits == [-signal.SIGKILL, 0, 0]
    assert (twice, wrong) == ([], [])
    assert statuses[S.PUBLISHED] + statuses[S.NEEDS_CHECK] == DRAFTS
