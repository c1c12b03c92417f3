"""Exactly once, under fire: `publish-due` runs as a real process against the fake X and is
killed with SIGKILL at random moments (while it starts, while it calls X, after X stored a post
but before the bot wrote that down), then started again, many times over a queue of approved
drafts, some of them threads. At the end every draft is on X once and recorded so (a thread as
one unbroken reply chain), or waits for a person as `needs-check`; none is lost and none went
out twice.

Only the moments of the kills are random (a seeded `random.Random`); the assertions are not.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from bot import service
from bot.app import build_app
from bot.clock import FixedClock
from bot.fake_x import FakePost, FakeX
from bot.models import Draft, DraftKind, DraftStatus
from bot.ports import Store
from bot.settings import load_settings
from tests.processes import CREDENTIAL_ENV, CREDENTIALS, child_env

SEED = 20261127
DRAFTS = 60
THREAD_EVERY = 6
MIN_KILLS = 50
MAX_ROUNDS = 200  # a bound for a loaded machine, where kills come late; ~60 rounds do
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
STAGGER = timedelta(seconds=90)  # two drafts come due per round, so every run has work
ROUND_STEP = timedelta(minutes=3)  # > PUBLISH_LEASE: each run reconciles the last one's claims
TIMEOUT_S = 2.0
SHORT_HANG_S = 1.5  # under the timeout: a call long enough for a kill to land inside it
LONG_HANG_S = 3.0  # past the timeout: the run itself meets an uncertain answer
KILL_SPREAD = 1.3  # kills land up to this many times an idle run's duration after the start
SETTLE_RUNS = 5
RUN_TIMEOUT_S = 60
S = DraftStatus


@dataclass
class RunClock:
    """The fake's clock follows the runs' `--now`: post dates and rate-limit windows move with
    the simulated time, not with the few real seconds the test takes."""

    moment: datetime

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class Tally:
    runs: int = 0
    kills: int = 0
    kills_with_claim_open: int = 0
    kills_after_store: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    exits: list[str] = field(default_factory=list)  # runs that ended on their own, not with 0


@pytest.fixture
def clock() -> RunClock:
    return RunClock(START)


@pytest.fixture
def fake_x(clock: RunClock) -> Iterator[FakeX]:
    # Far above what 60 drafts need: a spent daily limit would defer posts, not test crashes.
    with FakeX(CREDENTIALS, clock=clock, posts_per_day=10_000) as server:
        yield server


@pytest.fixture
def config(tmp_path: Path, fake_x: FakeX, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in CREDENTIAL_ENV.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "xmess.toml"
    path.write_text(
        'database_url = "sqlite:///xmess.sqlite3"\n'
        'slots_file = ""\n\n'  # no caps: 60 posts go out in one day
        '[publisher]\nkind = "x"\n\n'
        f'[x]\napi_base_url = "{fake_x.base_url}"\ntimeout_seconds = {TIMEOUT_S}\n',
        encoding="utf-8",
    )
    return path


def queue_approved_drafts(config: Path) -> Store:
    """DRAFTS drafts with distinct texts (half with a link, which X shortens; one in
    THREAD_EVERY a thread of three posts), approved for times STAGGER apart from just after
    START. Returns the store, to watch them."""
    app = build_app(load_settings(config), FixedClock(START))
    for i in range(DRAFTS):
        text = f"Jornada {i} de la XMESS: cooperatives i economia social a l’Ateneu. Us hi esperem!"
        if i % THREAD_EVERY == THREAD_EVERY - 1:
            draft = app.store.add_draft(thread(i, text), "xmess-bot")
        else:
            url = f"https://www.xmess.cat/agenda/jornada-{i}" if i % 2 else None
            draft = service.add_manual(app, "Marta", text, url)
        at = START + timedelta(seconds=30) + i * STAGGER
        service.approve(app, (draft and draft.id) or 0, "Jordi", at=at)
    return app.store


def thread(i: int, text: str) -> Draft:
    follow_ups = (f"2/3 El programa de la jornada {i}.", f"3/3 Inscripcions a la jornada {i}.")
    return Draft(DraftKind.DIGEST, f"1/3 {text}", START, follow_ups=follow_ups)


def publish_due(config: Path, moment: datetime) -> subprocess.Popen[str]:
    env = child_env(CREDENTIAL_ENV)
    command = [sys.executable, "-m", "bot", "--config", str(config), "publish-due"]
    return subprocess.Popen(
        [*command, "--now", moment.isoformat()],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def run_to_completion(config: Path, moment: datetime) -> float:
    """One whole run; its duration in seconds."""
    started = time.monotonic()
    with publish_due(config, moment) as process:
        out, err = process.communicate(timeout=RUN_TIMEOUT_S)
    assert process.returncode == 0, f"publish-due --now {moment.isoformat()}:\n{out}{err}"
    return time.monotonic() - started


def run_and_kill(config: Path, moment: datetime, delay: float, tally: Tally) -> bool:
    """Start a run and SIGKILL it after `delay` seconds unless it ended; True if it was killed."""
    with publish_due(config, moment) as process:
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
        out, err = process.communicate(timeout=RUN_TIMEOUT_S)
    tally.runs += 1
    if process.returncode not in (0, -signal.SIGKILL):
        tally.exits.append(f"--now {moment.isoformat()} exit {process.returncode}:\n{out}{err}")
    return process.returncode == -signal.SIGKILL


def add_fault(fake_x: FakeX, rng: random.Random, tally: Tally) -> None:
    """Sometimes make the run's next request slow, or carried out and never answered."""
    if fake_x.faults_waiting:
        return
    roll = rng.random()
    if roll < 0.25:
        fake_x.hang_next(1, SHORT_HANG_S)
        tally.faults["short hang"] += 1
    elif roll < 0.35:
        fake_x.hang_next(1, LONG_HANG_S)
        tally.faults["long hang"] += 1
    elif roll < 0.55:
        fake_x.drop_after_store_next(1)
        tally.faults["drop after store"] += 1


def note_kill(store: Store, fake_x: FakeX, tally: Tally) -> None:
    """Where the kill landed, as far as the database and the server tell right after it."""
    claimed = store.list_drafts((S.PUBLISHING,))
    on_x = {post.text for post in fake_x.posts if not post.deleted}
    tally.kills += 1
    tally.kills_with_claim_open += bool(claimed)
    tally.kills_after_store += any(text in on_x for draft in claimed for text in draft.posts)


def outcome(store: Store) -> dict[int, tuple[DraftStatus, str | None]]:
    return {draft.id or 0: (draft.status, draft.post_id) for draft in store.list_drafts()}


def settle(config: Path, store: Store, clock: RunClock, tally: Tally) -> None:
    """Complete runs, the simulated time moving on, until a run changes nothing."""
    time.sleep(LONG_HANG_S)  # the hung requests of killed runs reach the fake's store first
    before = outcome(store)
    for _ in range(SETTLE_RUNS):
        clock.moment += ROUND_STEP
        run_to_completion(config, clock.moment)
        tally.runs += 1
        after = outcome(store)
        if after == before:
            return
        before = after
    pytest.fail(f"still changing after {SETTLE_RUNS} complete runs: {before}")


def problems(drafts: list[Draft], posts: list[FakePost]) -> list[str]:
    """Everything that breaks "published exactly once, or needs-check, none lost"."""
    on_x = _live_ids_by_text(posts)
    texts = {text for draft in drafts for text in draft.posts}
    found = [f"{ids} on X are no draft's: {t!r}" for t, ids in on_x.items() if t not in texts]
    for draft in drafts:
        ids = [on_x.get(text, []) for text in draft.posts]
        if any(len(post_ids) > 1 for post_ids in ids):
            found.append(f"#{draft.id} went out more than once: {ids}")
        elif draft.status is S.PUBLISHED and ids != [[i] for i in recorded(draft)]:
            found.append(f"#{draft.id} recorded as posts {recorded(draft)}, X has {ids}")
        elif draft.status not in (S.PUBLISHED, S.NEEDS_CHECK):
            found.append(f"#{draft.id} ended {draft.status}: {draft.status_reason}")
    return found + broken_chains(drafts, posts)


def recorded(draft: Draft) -> list[str]:
    return list(draft.thread_post_ids) if draft.follow_ups else [draft.post_id or ""]


def broken_chains(drafts: list[Draft], posts: list[FakePost]) -> list[str]:
    """Each later post of a published thread must answer the post before it."""
    replies = {post.id: post.reply_to for post in posts}
    found = []
    for draft in drafts:
        ids = draft.thread_post_ids
        for before, after in pairwise(ids):
            if replies.get(after) != before:
                found.append(f"#{draft.id}: {after} answers {replies.get(after)}, not {before}")
    return found


def _live_ids_by_text(posts: list[FakePost]) -> dict[str, list[str]]:
    ids: defaultdict[str, list[str]] = defaultdict(list)
    for post in posts:
        if not post.deleted:
            ids[post.text].append(post.id)
    return dict(ids)


def test_killed_runs_publish_each_approved_draft_once_or_leave_it_for_a_person(
    config: Path, fake_x: FakeX, clock: RunClock, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    store = queue_approved_drafts(config)
    idle_run_s = run_to_completion(config, START)  # nothing due yet: the cost of starting
    rng, tally = random.Random(SEED), Tally(runs=1)
    rounds = 0
    while tally.kills < MIN_KILLS and rounds < MAX_ROUNDS:
        rounds += 1
        clock.moment = START + rounds * ROUND_STEP
        add_fault(fake_x, rng, tally)
        if run_and_kill(config, clock.moment, rng.uniform(0, KILL_SPREAD * idle_run_s), tally):
            note_kill(store, fake_x, tally)
    settle(config, store, clock, tally)

    drafts, posts = store.list_drafts(), fake_x.posts
    statuses = Counter(draft.status for draft in drafts)
    duplicates = sum(len(ids) > 1 for ids in _live_ids_by_text(posts).values())
    with capsys.disabled():
        print(
            f"\npublish-due under SIGKILL: {tally.kills} kills ({tally.kills_with_claim_open} "
            f"with a claim open, {tally.kills_after_store} after X stored the post), "
            f"{tally.runs} runs, {statuses[S.PUBLISHED]} published, "
            f"{statuses[S.NEEDS_CHECK]} needs-check, {duplicates} duplicates, "
            f"faults {dict(tally.faults)}, idle run {idle_run_s:.2f} s, "
            f"{time.monotonic() - started:.1f} s"
        )
        for draft in drafts:
            if draft.status is S.NEEDS_CHECK:
                print(f"  needs-check #{draft.id}: {draft.status_reason}")
    assert (tally.exits, problems(drafts, posts)) == ([], [])
    assert (len(drafts), duplicates, tally.kills >= MIN_KILLS) == (DRAFTS, 0, True)
    assert statuses[S.PUBLISHED] + statuses[S.NEEDS_CHECK] == DRAFTS
