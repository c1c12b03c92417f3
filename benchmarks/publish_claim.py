"""`publish-due`'s first step with a big queue: 10,000 approved drafts of which 20 are due,
in a real SQLite file. Times finding the due drafts and claiming each (approved → publishing,
one compare-and-set transaction with its history row), as `publishing.publish_due` does.

    python -m benchmarks.publish_claim [--drafts 10000] [--due 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from benchmarks.report import Check, Report, Row
from bot import publishing
from bot.models import DraftKind, DraftStatus
from bot.store import SqlStore, open_store
from bot.store.schema import drafts

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TARGET_MS = 20.0


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


def measure(total: int, due: int, repeat: int) -> list[tuple[float, int]]:
    """Each repetition on a fresh database file, so every one claims the same 20."""
    results = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(f"sqlite:///{Path(folder) / 'xmess.sqlite3'}")
            fill(store, total, due)
            results.append(find_and_claim(store))
            store.close()
    return results


def run(total: int = 10_000, due: int = 20, repeat: int = 5) -> Report:
    results = measure(total, due, repeat)
    times = sorted(ms for ms, _ in results)
    median = statistics.median(times)
    claimed = {count for _, count in results}
    return Report(
        name="publish_claim",
        summary=f"{total} approved drafts in SQLite, {due} due: find and claim them",
        rows=[
            Row(
                "find + claim (median)",
                median / 1000,
                None,
                None,
                f"{repeat} runs, {min(times):.1f}–{max(times):.1f} ms, claimed {claimed}",
            ),
        ],
        checks=[Check(f"find + claim < {TARGET_MS:g} ms", f"{median:.1f} ms", median < TARGET_MS)],
        details=[f"publish_claim: per run (ms) {', '.join(f'{t:.1f}' for t in times)}"],
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
