"""The approval page with a big store: 10,000 drafts (a third pending, from 40 members, with
their history) in a real SQLite file. Times the queue page (first page, and a filtered later
page) and the draft page, server side, through the ASGI app in-process (no network), signed
in as an editor.

    python -m benchmarks.web_pages [--drafts 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from benchmarks.report import Check, Report, Row
from bot.accounts import Role, User, hash_password
from bot.app import build_app
from bot.clock import FixedClock
from bot.models import DraftKind, DraftStatus
from bot.settings import Settings
from bot.store.accounts import accounts_for
from bot.store.schema import drafts, history
from bot.web.app import create_app

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MEDIAN_TARGET_MS, P95_TARGET_MS = 30.0, 60.0
PASSWORD = "una contrasenya de prova"
STATUSES = [DraftStatus.PENDING, DraftStatus.APPROVED, DraftStatus.PUBLISHED]
KINDS = [DraftKind.NEWS, DraftKind.EVENT, DraftKind.MANUAL]
TEXT = "Nova cooperativa de consum a {member}: assemblea oberta dijous #EconomiaSocial {url}"


def fill(engine: Engine, total: int) -> None:
    """`total` drafts with a creation row each in the history, inserted in two statements."""
    rows = [
        {
            "id": number + 1, "kind": KINDS[number % 3].value,
            "status": STATUSES[number % 3].value, "network": "x",
            "text": TEXT.format(member=f"Municipi {number % 40}",
                                url=f"https://example.cat/noticia/{number}"),
            "member": f"Municipi {number % 40}", "source_url": f"https://example.cat/{number}",
            "source_title": f"Notícia {number}", "matched_keywords": '["cooperativa"]',
            "image_url": "https://example.cat/foto.jpg", "image_alt": None,
            "over_limit": False, "created_at": NOW - timedelta(minutes=number),
            "updated_at": NOW, "scheduled_at": NOW + timedelta(hours=number),
        }
        for number in range(total)
    ]  # fmt: skip
    created = [
        {"draft_id": row["id"], "actor": "xmess-bot", "action": "create", "at": NOW,
         "status_before": None, "status_after": row["status"], "text_before": None,
         "text_after": row["text"], "detail": ""}
        for row in rows
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(drafts), rows)
        connection.execute(insert(history), created)


def signed_in_client(folder: Path, total: int) -> TestClient:
    settings = Settings(config_dir=folder, slots_file="")
    app = build_app(settings, FixedClock(NOW))
    accounts = accounts_for(app.store)
    accounts.add(User("editor", Role.EDITOR, hash_password(PASSWORD), NOW))
    fill(accounts.engine, total)
    client = TestClient(create_app(app))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
    assert token is not None
    client.post("/signin", data={"name": "editor", "password": PASSWORD,
                                 "csrf_token": token.group(1)})  # fmt: skip
    return client


def timed(client: TestClient, paths: Sequence[str]) -> list[float]:
    """Milliseconds for each request, in order; every one must answer 200."""
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def p95(times: Sequence[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def run(total: int = 10_000, requests: int = 200) -> Report:
    with tempfile.TemporaryDirectory() as folder:
        client = signed_in_client(Path(folder), total)
        timed(client, ["/", "/drafts/1"] * 5)  # warm up: templates compiled, caches filled
        scenarios = {
            "queue page 1": ["/"] * requests,
            "queue, member + page 3": ["/?member=Municipi%207&page=3"] * requests,
            "draft page": [f"/drafts/{1 + (n * 7919) % total}" for n in range(requests)],
        }
        results = {name: timed(client, paths) for name, paths in scenarios.items()}
    rows, checks = [], []
    for name, times in results.items():
        median, high = statistics.median(times), p95(times)
        rows.append(Row(name, median / 1000, None, None, f"p95 {high:.1f} ms, {requests} requests"))
        checks += [
            Check(f"{name}: median < {MEDIAN_TARGET_MS:g} ms", f"{median:.1f} ms",
                  median < MEDIAN_TARGET_MS),
            Check(f"{name}: p95 < {P95_TARGET_MS:g} ms", f"{high:.1f} ms", high < P95_TARGET_MS),
        ]  # fmt: skip
    return Report(
        name="web_pages",
        summary=f"{total} drafts in SQLite: the queue and draft pages, server time in-process",
        rows=rows,
        checks=checks,
    )


def main(argv: Sequence[str] | None = None) -> None:
    from benchmarks.report import render

    parser = argparse.ArgumentParser(prog="python -m benchmarks.web_pages")
    parser.add_argument("--drafts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args(argv)
    print(render([run(options.drafts, options.requests)]))


if __name__ == "__main__":
    main()
