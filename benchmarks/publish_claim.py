"""`publish-due`'s first step with a big queue: 10,000 approved drafts of which 20 are due.
Times finding the due drafts and claiming each (approved → publishing, one transaction with
its history row), as `publishing.publish_due` does; then 3 claimers racing over 1,000 due
drafts, as replicas of `run` do, counting claims per second and drafts claimed twice (0).

Always on a SQLite file; also on PostgreSQL when `XMESS_TEST_POSTGRES_URL` names a server
(`bash scripts/test-postgres.sh python -m benchmarks publish_claim` starts a throwaway one).

    python -m benchmarks.publish_claim [--drafts 10000] [--due 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, create_engine, insert, text
from sqlalchemy.engine import URL, make_url

from benchmarks.report import Check, Report, Row
from bot import publishing
from bot.models import DraftKind, DraftStatus
from bot.store import SqlStore, open_store
from bot.store.schema import drafts

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TARGET_MS = 20.0
RACERS = 3
RACE_DRAFTS = 1_000
POSTGRES_ENV = "XMESS_TEST_POSTGRES_URL"
_numbers = itertools.count()


def fill(store: SqlStore, total: int, due: int) -> None:
    """`due` drafts whose time has come, the rest spread over the next weeks."""
    rows = [
        {
            "kind": DraftKind.MANUAL.value, "status": DraftStatus.APPROVED.value,
            "network": "x", "text": f"Publicació {number}", "matched_keywords": "[]",
            "over_limit": False, "created_at": NOW, "updated_at": NOW,
            "scheduled_at": NOW - timedelta(minutes=number) if number < due
            else NOW + timedelta(minutes=number),
        }
        for number in range(total)
    ]  # fmt: skip
    with store.engine.begin() as connection:
        connection.execute(insert(drafts), rows)


def find_and_claim(store: SqlStore) -> tuple[float, int]:
    """Milliseconds to find the due drafts and claim every one, and how many were claimed."""
    started = time.perf_counter()
    claimed = [publishing.claim_draft(store, draft, NOW) for draft in store.due_drafts(NOW)]
    return (time.perf_counter() - started) * 1000, sum(c is not None for c in claimed)


def race(url: str, due: int) -> tuple[float, list[int]]:
    """RACERS claimers, each with its own store, claim every one of `due` due drafts; the
    seconds it took, and how many claimers got each draft (1 each when claims are exact)."""
    fill(open_store(url), due, due)
    ids = list(range(1, due + 1))

    def claim_all(racer: int) -> list[int]:
        store = open_store(url)
        won = [i for i in ids if store.claim_draft(i, actor=f"replica-{racer}", at=NOW)]
        store.close()
        return won

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        winners = [i for won in pool.map(claim_all, range(RACERS)) for i in won]
    return time.perf_counter() - started, [winners.count(i) for i in ids]


@contextmanager
def fresh_database(server_url: str | None) -> Iterator[str]:
    """A new, empty database: a SQLite file in a temporary folder, or one on the server."""
    if server_url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'xmess.sqlite3'}"
        return
    server = make_url(server_url)
    name = f"xmess_bench_{next(_numbers)}"
    with _admin(server) as admin:
        admin.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.execute(text(f"CREATE DATABASE {name}"))
        yield server.set(database=name).render_as_string(hide_password=False)
        admin.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))


@contextmanager
def _admin(server: URL) -> Iterator[Connection]:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def measure(server_url: str | None, total: int, due: int, repeat: int) -> list[tuple[float, int]]:
    """Each repetition on a fresh database, so every one claims the same 20."""
    results = []
    for _ in range(repeat):
        with fresh_database(server_url) as url:
            store = open_store(url)
            fill(store, total, due)
            results.append(find_and_claim(store))
            store.close()
    return results


def backend_rows(server_url: str | None, total: int, due: int, repeat: int) -> list[Row]:
    backend = "SQLite" if server_url is None else "PostgreSQL"
    results = measure(server_url, total, due, repeat)
    times = sorted(ms for ms, _ in results)
    claimed = {count for _, count in results}
    with fresh_database(server_url) as url:
        seconds, counts = race(url, RACE_DRAFTS)
    twice = sum(count > 1 for count in counts)
    return [
        Row(
            f"find + claim, {backend} (median)",
            statistics.median(times) / 1000,
            None,
            None,
            f"{statistics.median(times):.1f} ms; {repeat} runs, {times[0]:.1f}–{times[-1]:.1f} ms"
            f", claimed {claimed}",
        ),
        Row(
            f"{RACERS} claimers racing, {backend}",
            seconds,
            None,
            None,
            f"{RACE_DRAFTS} due: {RACE_DRAFTS / seconds:.0f} claims/s, "
            f"{sum(counts)} claimed, {twice} twice",
        ),
    ]


def run(total: int = 10_000, due: int = 20, repeat: int = 5) -> Report:
    server = os.environ.get(POSTGRES_ENV)
    rows = backend_rows(None, total, due, repeat)
    if server:
        rows += backend_rows(server, total, due, repeat)
    median_ms = (rows[0].wall_s or 0) * 1000
    races = [row for row in rows if "racing" in row.scenario]
    return Report(
        name="publish_claim",
        summary=f"{total} approved drafts, {due} due: find and claim them; "
        f"{RACERS} claimers racing over {RACE_DRAFTS} due drafts"
        + ("" if server else f" (PostgreSQL too when {POSTGRES_ENV} is set)"),
        rows=rows,
        checks=[
            Check(
                f"find + claim < {TARGET_MS:g} ms (SQLite)",
                f"{median_ms:.1f} ms",
                median_ms < TARGET_MS,
            ),
            Check(
                "no draft claimed twice",
                ", ".join(r.notes.split(": ")[1] for r in races),
                all(r.notes.endswith(" 0 twice") for r in races),
            ),
        ],
    )


def main(argv: Sequence[str] | None = None) -> None:
    from benchmarks.report import render

    parser = argparse.ArgumentParser(prog="python -m benchmarks.publish_claim")
    parser.add_argument("--drafts", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args(argv)
    print(render([run(options.drafts, options.due, options.repeat)]))


if __name__ == "__main__":
    main()
