"""Hostile inputs through the real poll: the whole shared corpus plus generated attacks (a
50 MB feed, deep nesting, entity expansion, a gzip bomb, an endless and a slow-drip answer, a
calendar whose one RRULE makes 100,000 occurrences), all served by a real loopback server
beside two good sources, and read by `xmess-bot poll` in its own process.

Every source must end handled: read, or with a short readable error recorded for it. The
generated attacks end in an error, but for those that are odd rather than harmful (deep
nesting, very long links and UIDs), which are read. The good sources are still read and
drafted, and the poll stays within a time and a memory bound. A wrong config is refused with
a message naming the key. The test prints the table: cases tried, handled, crashed (0).
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.loopback import LoopbackServer, Resource
from bot.models import FeedHealth
from bot.settings import load_settings
from bot.store import open_store

NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
FETCH_TIMEOUT_S = 3
POLL_TIME_LIMIT_S = 240.0
PEAK_RSS_LIMIT_MB = 400
READABLE_ERROR_MAX_CHARS = 400
CORPUS_SUFFIXES = {".xml", ".rss", ".atom", ".html", ".ics"}
GOOD_FEED = "/good/noticies.rss"
GOOD_CALENDAR = "/good/agenda.ics"


@dataclass(frozen=True)
class Case:
    """One source served to the poll; `attack` cases are generated, and end as `expected`."""

    route: str
    resource: Resource
    calendar: bool = False
    attack: bool = False
    expected: str = "error"


@dataclass(frozen=True)
class PollRun:
    exit_status: int
    output: str
    seconds: float
    peak_rss_mb: float


def rss(items: bytes) -> bytes:
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    return head + items + b"</channel></rss>"


def ics(*lines: str) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//xmess//hostile//CA", *lines]
    return ("\r\n".join([*body, "END:VCALENDAR", ""])).encode()


def vevent(uid: str, start: datetime, *extra: str) -> list[str]:
    stamp = start.strftime("%Y%m%dT%H%M%SZ")
    end = (start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    return ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}", f"DTSTART:{stamp}",
            f"DTEND:{end}", "SUMMARY:Jornada de cooperatives", *extra, "END:VEVENT"]  # fmt: skip


def attacks() -> list[Case]:
    """The generated cases of the issue, each a kind of answer a broken or hostile server gives."""
    item = b"<item><title>Cooperativa</title><link>https://x.cat/a</link></item>"
    laughs = [b'<!ENTITY l0 "ha">'] + [
        b'<!ENTITY l%d "%s">' % (n, b"&l%d;" % (n - 1) * 10) for n in range(1, 10)
    ]
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE rss ['
        + b"".join(laughs)
        + b"]>"
        + rss(b"<item><title>&l9;</title></item>")
    )
    long_link = b"https://x.cat/" + b"a" * 5000
    long_fields = b"<item><title>Cooperativa</title><guid>%s</guid><link>%s</link></item>" % (
        long_link,
        long_link,
    )
    nested = b"<item>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</item>"
    return [
        Case(
            "/attack/50-mb.rss", Resource(body=rss(item * (50 * 2**20 // len(item)))), attack=True
        ),
        # expat parses nesting without recursion: this one is read, and yields nothing.
        Case("/attack/nested.rss", Resource(body=rss(nested)), attack=True, expected="read"),
        Case("/attack/entities.rss", Resource(body=bomb), attack=True),
        Case(
            "/attack/gzip-bomb.rss",
            Resource(body=gzip.compress(b" " * 60 * 2**20), headers={"Content-Encoding": "gzip"}),
            attack=True,
        ),
        # A 5,000-character link and UID are odd but not wrong: read, the keys stored shortened.
        Case("/attack/long-fields.rss", Resource(rss(long_fields)), attack=True, expected="read"),
        Case(
            "/attack/long-uid.ics",
            Resource(ics(*vevent("u" * 5000, NOW + timedelta(days=3))), "text/calendar"),
            calendar=True,
            attack=True,
            expected="read",
        ),
        Case("/attack/endless.rss", Resource(endless=True), attack=True),
        Case("/attack/drip.rss", Resource(body=b"<", endless=True, drip_s=0.2), attack=True),
        Case(
            "/attack/rrule-100000.ics",
            Resource(
                body=ics(
                    *vevent(
                        "cada-segon@x.cat",
                        NOW + timedelta(days=1),
                        "RRULE:FREQ=SECONDLY;COUNT=100000",
                    )
                ),
                content_type="text/calendar",
            ),
            calendar=True,
            attack=True,
        ),
    ]


def good_sources() -> list[Case]:
    published = NOW.strftime("%a, %d %b %Y %H:%M:%S +0000")
    news = (
        b"<item><title>Nova cooperativa de consum</title><guid>https://bona.cat/n/1</guid>"
        b"<link>https://bona.cat/n/1</link><pubDate>" + published.encode() + b"</pubDate>"
        b"<description>Economia social a la vila.</description></item>"
    )
    agenda = ics(*vevent("fira@bona.cat", NOW + timedelta(days=10)))
    return [
        Case(GOOD_FEED, Resource(body=rss(news))),
        Case(GOOD_CALENDAR, Resource(body=agenda, content_type="text/calendar"), calendar=True),
    ]


def corpus_cases(corpus_dir: Path) -> list[Case]:
    return [
        Case(
            "/corpus/" + path.relative_to(corpus_dir).as_posix(),
            Resource(body=path.read_bytes(), content_type="application/xml"),
            calendar=path.suffix == ".ics",
        )
        for path in sorted(corpus_dir.rglob("*"))
        if path.is_file() and path.suffix in CORPUS_SUFFIXES
    ]


def write_config(folder: Path, server: LoopbackServer, cases: list[Case]) -> Path:
    lines = ["[relevance]", "keywords = []", "max_age_days = 100000", "",
             "[fetch]", f"timeout_seconds = {FETCH_TIMEOUT_S}", ""]  # fmt: skip
    for number, case in enumerate(cases):
        url = server.url(case.route)
        if case.calendar:
            lines += ["[[calendars]]", f'name = "Calendari {number}"', f'url = "{url}"', ""]
        else:
            lines += ["[[members]]", f'name = "Membre {number}"', f'feeds = ["{url}"]', ""]
    config = folder / "xmess.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def run_poll(config: Path) -> PollRun:
    """`xmess-bot poll` in its own process; its peak memory from the kernel (wait4), and a
    watchdog that kills it past the time bound."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "poll", "--now", NOW.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(POLL_TIME_LIMIT_S, process.kill)
    watchdog.start()
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    watchdog.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    return PollRun(
        process.returncode, output, time.perf_counter() - started, usage.ru_maxrss / 1024
    )


def verdict(health: FeedHealth | None) -> str:
    """read, error (recorded and readable), or crashed."""
    if health is None:
        return "crashed"
    if health.last_error is not None:
        error = health.last_error
        readable = 0 < len(error) <= READABLE_ERROR_MAX_CHARS and "Traceback" not in error
        return "error" if readable else "crashed"
    return "read" if health.last_success_at is not None else "crashed"


def print_table(outcomes: dict[str, str], run: PollRun) -> None:
    kinds = {"corpus": "/corpus/", "attacks": "/attack/", "good sources": "/good/"}
    print(f"\nhostile inputs: one poll, {run.seconds:.1f} s, peak {run.peak_rss_mb:.0f} MB")
    print(f"{'cases':<14}{'tried':>7}{'handled':>9}{'read':>6}{'error':>7}{'crashed':>9}")
    for label, prefix in kinds.items():
        mine = [v for route, v in outcomes.items() if route.startswith(prefix)]
        handled = sum(v != "crashed" for v in mine)
        print(
            f"{label:<14}{len(mine):>7}{handled:>9}{mine.count('read'):>6}"
            f"{mine.count('error'):>7}{mine.count('crashed'):>9}"
        )
    for route, value in sorted(outcomes.items()):
        if route.startswith("/attack/") or value == "crashed":
            print(f"  {value:<8} {route}")


@pytest.mark.slow
def test_hostile_sources_end_in_readable_errors_while_the_others_are_read(
    corpus_dir: Path, loopback: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = corpus_cases(corpus_dir) + attacks() + good_sources()
    loopback.resources.update({case.route: case.resource for case in cases})
    config = write_config(tmp_path, loopback, cases)

    run = run_poll(config)

    store = open_store(load_settings(config).resolved_database_url)
    health = {h.url: h for h in store.all_feed_health()}
    outcomes = {case.route: verdict(health.get(loopback.url(case.route))) for case in cases}
    with capsys.disabled():
        print_table(outcomes, run)
    assert (run.exit_status, run.seconds < POLL_TIME_LIMIT_S) == (0, True), run.output
    assert run.peak_rss_mb < PEAK_RSS_LIMIT_MB
    assert [route for route, value in outcomes.items() if value == "crashed"] == []
    assert {c.route: outcomes[c.route] for c in cases if c.attack} == {
        c.route: c.expected for c in cases if c.attack
    }
    assert (outcomes[GOOD_FEED], outcomes[GOOD_CALENDAR]) == ("read", "read")
    assert {d.source_url for d in store.list_drafts()} >= {"https://bona.cat/n/1"}


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[fetch]\ntimeout_seconds = "quinze"\n', "fetch.timeout_seconds"),
        (
            '[[calendars]]\nname = "A"\nurl = "https://a.cat/a.ics"\nlookahead_days = [60]\n',
            "calendars.0.lookahead_days",
        ),
        ("members = 3\n", "members"),
        ('apostrophe = "curly"\n', "apostrophe"),
    ],
)
def test_a_config_with_wrong_types_is_refused_naming_the_key(
    tmp_path: Path, toml: str, key: str
) -> None:
    config = tmp_path / "xmess.toml"
    config.write_text(toml, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "poll"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (done.returncode, f"clau «{key}»" in done.stderr, "Traceback" in done.stderr) == (
        1,
        True,
        False,
    ), done.stderr
