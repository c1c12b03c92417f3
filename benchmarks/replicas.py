"""Replica throughput: 1,000 approved due drafts published through the fake X by 1 and then
3 `xmess-bot run` processes on one database (each a real process with the scheduler and the
web page; `publish_due` every second on every replica). Prints posts per second and checks
that no text went out twice.

Always on a SQLite file; also on PostgreSQL when `XMESS_TEST_POSTGRES_URL` names a server
(`bash scripts/test-postgres.sh python -m benchmarks replicas` starts a throwaway one).

    python -m benchmarks.replicas [--drafts 1000] [--replicas 1 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from benchmarks.publish_claim import POSTGRES_ENV, fresh_database
from benchmarks.report import Check, Report, Row
from bot.fake_x import RATE_LIMITS, FakeCredentials, FakeX
from bot.models import DraftKind, DraftStatus
from bot.store import open_store
from bot.store.schema import drafts

CREDENTIALS = FakeCredentials()
JOBS = "[publish_due]\nevery_seconds = 1\nmisfire_grace_seconds = 1\nexclusive = false\n"
TIMEOUT_S = 600


def queue_due(url: str, total: int) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "kind": DraftKind.MANUAL.value, "status": DraftStatus.APPROVED.value,
            "network": "x", "text": f"Jornada {number} de l'economia social",
            "matched_keywords": "[]", "over_limit": False, "created_at": now,
            "updated_at": now, "scheduled_at": now - timedelta(seconds=1),
        }
        for number in range(total)
    ]  # fmt: skip
    store = open_store(url)
    with store.engine.begin() as connection:
        connection.execute(insert(drafts), rows)
    store.close()


def write_config(folder: Path, url: str, fake_x: FakeX) -> Path:
    (folder / "jobs.toml").write_text(JOBS, encoding="utf-8")
    config = folder / "xmess.toml"
    config.write_text(
        f'database_url = "{url}"\nslots_file = ""\njobs_file = "jobs.toml"\n\n'
        f'[publisher]\nkind = "x"\n\n[x]\napi_base_url = "{fake_x.base_url}"\n',
        encoding="utf-8",
    )
    return config


def start(config: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XMESS_")} | {
        f"XMESS_X__{name.upper()}": getattr(CREDENTIALS, name)
        for name in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
    }
    command = [sys.executable, "-m", "bot", "--config", str(config), "run"]
    return subprocess.Popen(
        [*command, "--port", str(_free_port())],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def publish_with(server_url: str | None, replicas: int, total: int) -> tuple[float, int, int]:
    """Seconds from the replicas' start until every draft is on X, posts, and texts twice."""
    roomy = {route: (1_000_000, 15 * 60) for route in RATE_LIMITS}
    with (
        fresh_database(server_url) as url,
        tempfile.TemporaryDirectory() as folder,
        FakeX(CREDENTIALS, posts_per_day=1_000_000, rate_limits=roomy) as fake_x,
    ):
        queue_due(url, total)
        config = write_config(Path(folder), url, fake_x)
        started = time.monotonic()
        processes = [start(config) for _ in range(replicas)]
        try:
            while len(fake_x.posts) < total and time.monotonic() - started < TIMEOUT_S:
                time.sleep(0.05)
            seconds = time.monotonic() - started
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=60)
        sent = Counter(post.text for post in fake_x.posts)
    return seconds, len(fake_x.posts), sum(times > 1 for times in sent.values())


def backend_rows(
    server_url: str | None, counts: Sequence[int], total: int
) -> list[tuple[Row, int, int]]:
    """A row per replica count, with its posts and its texts sent twice."""
    backend = "SQLite" if server_url is None else "PostgreSQL"
    rows = []
    for replicas in counts:
        seconds, posts, twice = publish_with(server_url, replicas, total)
        notes = f"{posts} of {total} posted, {posts / seconds:.0f} posts/s (start-up included)"
        scenario = f"{replicas} replica{'s' if replicas > 1 else ''}, {backend}"
        rows.append((Row(scenario, seconds, None, None, f"{notes}, {twice} twice"), posts, twice))
    return rows


def run(total: int = 1_000, counts: Sequence[int] = (1, 3)) -> Report:
    server = os.environ.get(POSTGRES_ENV)
    results = backend_rows(None, counts, total)
    if server:
        results += backend_rows(server, counts, total)
    complete = sum(posts == total for _, posts, _ in results)
    twice = sum(twice for _, _, twice in results)
    return Report(
        name="replicas",
        summary=f"{total} approved due drafts published by {', '.join(map(str, counts))} "
        "`run` processes on one database, through the fake X"
        + ("" if server else f" (PostgreSQL too when {POSTGRES_ENV} is set)"),
        rows=[row for row, _, _ in results],
        checks=[
            Check(
                "every draft posted, none twice",
                f"{complete} of {len(results)} runs complete, {twice} texts twice",
                complete == len(results) and twice == 0,
            )
        ],
    )


def main(argv: Sequence[str] | None = None) -> None:
    from benchmarks.report import render

    parser = argparse.ArgumentParser(prog="python -m benchmarks.replicas")
    parser.add_argument("--drafts", type=int, default=1_000)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 3])
    options = parser.parse_args(argv)
    print(render([run(options.drafts, options.replicas)]))


if __name__ == "__main__":
    main()
