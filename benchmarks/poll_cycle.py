"""One poll cycle over many council feeds behind a slow network, cold and warm, against the floor
and against the naive loop most feed bots run.

    python -m benchmarks.poll_cycle [--feeds 500] [--items 30] [--latency 0.2] [--naive-feeds N]

Three processes besides this one, each started fresh (see `benchmarks.worker`):

* the **server**: `bot.loopback.LoopbackServer` with the generated feeds
  (`benchmarks.council_feeds`), every response (200 or 304) delayed by `--latency`;
* the **bot**: `build_app(load_settings(config))` on a fresh temporary folder, then
  `service.poll(app)` twice: **cold** (every feed new) and **warm** (every feed answers 304);
* the **naive loop**: `feedparser.parse(url)` for one feed after another, nothing stored.

Each is measured in its own process with `benchmarks.process_meter` (wall, CPU of the process
and of the processes it starts, the sum of their peak memory), so the server's work never
lands in the bot's figures. The **floor** is one latency plus the CPU that
`bot.sources.feeds.parse_feed` needs for every body (measured here, in-process, once) spread
over the cores: no poll of these feeds can be faster.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import feedparser

from benchmarks.council_feeds import (
    CONTENT_TYPE,
    DEFAULT_SEED,
    KEYWORDS,
    CouncilFeed,
    council_feeds,
    handle_of,
    town_name,
)
from benchmarks.process_meter import ProcessMeter, Usage
from benchmarks.report import Check, Report, Row, render
from benchmarks.stopwatch import Stopwatch
from benchmarks.worker import Worker

if TYPE_CHECKING:
    from bot.service import PollReport

COLD_TARGET_RATIO = 1.5
WARM_TARGET_S = 1.5
PEAK_TARGET_MB = 200.0
MAX_AGE_DAYS = 7


@dataclass(frozen=True)
class Options:
    feeds: int = 500
    items: int = 30
    latency: float = 0.2
    naive_feeds: int | None = None  # None: all of them
    seed: int = DEFAULT_SEED


# --- the roles, each in its own process ------------------------------------------------------
# The bot's modules are imported inside the roles that use them, so the naive loop's process
# carries feedparser and nothing of the bot's weight (SQLAlchemy, Jinja, httpx, ...).


class LoopbackRole:
    """The council feeds on a loopback server; `begin`/`end` measure the server over a phase."""

    def __init__(self, feeds: int, items: int, latency: float, now: str, seed: int) -> None:
        from bot.loopback import LoopbackServer, Resource

        corpus = council_feeds(feeds, items, datetime.fromisoformat(now), seed)
        resources = {
            feed.path: Resource(
                body=feed.body, content_type=CONTENT_TYPE, etag=feed.etag, delay_s=latency
            )
            for feed in corpus
        }
        self._server = LoopbackServer(resources).start()
        self._meter = ProcessMeter()
        self._served_before = 0

    def base_url(self) -> str:
        return self._server.url("")

    def begin(self) -> None:
        self._served_before = len(self._server.served)
        self._meter = ProcessMeter()
        self._meter.start()

    def end(self) -> dict[str, Any]:
        usage = self._meter.stop()
        served = self._server.served[self._served_before :]
        statuses = Counter(str(request.status) for request in served)
        return {"usage": usage.as_dict(), "statuses": dict(statuses)}

    def close(self) -> None:
        self._server.stop()


class BotRole:
    """The bot on a fresh folder; each `poll` is one measured `service.poll`, with its feed
    reader, store and drafter wrapped in a `Stopwatch` for the breakdown."""

    def __init__(self, config: str) -> None:
        from bot.app import build_app
        from bot.settings import load_settings

        self._app = build_app(load_settings(Path(config)))

    def poll(self) -> dict[str, Any]:
        from bot import service

        watch = Stopwatch()
        app = replace(
            self._app,
            feeds=watch.wrap(self._app.feeds, "feeds"),
            store=watch.wrap(self._app.store, "store"),
            drafter=watch.wrap(self._app.drafter, "drafter"),
        )
        with ProcessMeter() as meter:
            report = service.poll(app)
        return {
            "usage": _usage(meter).as_dict(),
            "laps": {
                name: [lap.calls, lap.seconds, lap.cpu_s] for name, lap in watch.totals.items()
            },
            "report": _summary(report),
        }


class NaiveRole:
    """What most feed bots do: `feedparser.parse(url)` for one feed after another."""

    def run(self, urls: list[str]) -> dict[str, Any]:
        statuses: Counter[str] = Counter()
        entries = 0
        with ProcessMeter() as meter:
            for url in urls:
                parsed = feedparser.parse(url)
                statuses[str(parsed.get("status", "error"))] += 1
                entries += len(parsed.entries)
        return {"usage": _usage(meter).as_dict(), "statuses": dict(statuses), "entries": entries}


def _summary(report: PollReport) -> dict[str, Any]:
    """The figures of a `service.PollReport` the benchmark prints."""
    return {
        "ok": report.feeds_ok,
        "unchanged": report.feeds_unchanged,
        "failures": [reason for _, reason in report.failures],
        "new_items": report.new_items,
        "new_drafts": report.new_drafts,
    }


def _usage(meter: ProcessMeter) -> Usage:
    assert meter.usage is not None, "read after the measured block"
    return meter.usage


# --- the run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """One measured scenario: the role's answer and the server's figures over the same time."""

    result: dict[str, Any]
    server: dict[str, Any]

    @property
    def usage(self) -> Usage:
        return Usage.from_dict(self.result["usage"])

    @property
    def server_usage(self) -> Usage:
        return Usage.from_dict(self.server["usage"])


@dataclass(frozen=True)
class Floor:
    parse_cpu_s: float
    cores: int
    latency: float
    items: int
    expected_drafts: int

    @property
    def seconds(self) -> float:
        return self.latency + self.parse_cpu_s / self.cores


def run(options: Options = Options()) -> Report:
    """Measures cold, warm and naive against one server, then the floor; returns the report."""
    now = datetime.now(UTC).replace(microsecond=0)
    with (
        tempfile.TemporaryDirectory(prefix="xmess-bench-") as folder,
        _server(options, now) as server,
    ):
        base = server.call("base_url").rstrip("/")
        config = write_config(Path(folder), base, options.feeds)
        with Worker("benchmarks.poll_cycle:BotRole", config=str(config)) as bot:
            cold = _phase(server, lambda: bot.call("poll"))
            warm = _phase(server, lambda: bot.call("poll"))
        urls = [f"{base}/feeds/{index:04d}.xml" for index in range(_naive_count(options))]
        with Worker("benchmarks.poll_cycle:NaiveRole") as naive:
            naive_phase = _phase(server, lambda: naive.call("run", urls=urls))
    floor = measure_floor(
        council_feeds(options.feeds, options.items, now, options.seed), now, options.latency
    )
    return build_report(options, cold, warm, naive_phase, floor)


def _server(options: Options, now: datetime) -> Worker:
    return Worker(
        "benchmarks.poll_cycle:LoopbackRole",
        feeds=options.feeds,
        items=options.items,
        latency=options.latency,
        now=now.isoformat(),
        seed=options.seed,
    )


def _phase(server: Worker, work: Callable[[], dict[str, Any]]) -> Phase:
    server.call("begin")
    result = work()
    return Phase(result, server.call("end"))


def _naive_count(options: Options) -> int:
    return min(options.naive_feeds or options.feeds, options.feeds)


def write_config(folder: Path, base: str, feeds: int) -> Path:
    """One member per feed; `[fetch]` left at its defaults, as a council network would."""
    lines = [
        'timezone = "Europe/Madrid"',
        'database_url = "sqlite:///var/xmess.sqlite3"',
        "",
        "[publisher]",
        'kind = "dry-run"',
        'outbox = "var/outbox.jsonl"',
        "",
        "[relevance]",
        f"keywords = {json.dumps(list(KEYWORDS), ensure_ascii=False)}",
        f"max_age_days = {MAX_AGE_DAYS}",
    ]
    for index in range(feeds):
        lines += [
            "",
            "[[members]]",
            f"name = {json.dumps(town_name(index), ensure_ascii=False)}",
            f'x_handle = "{handle_of(index)}"',
            f'feeds = ["{base}/feeds/{index:04d}.xml"]',
        ]
    config = folder / "xmess.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def measure_floor(feeds: Sequence[CouncilFeed], now: datetime, latency: float) -> Floor:
    """Parses every body once in this process, summing the process time of the parses."""
    from bot import news
    from bot.sources.feed_parsing import parse_feed

    started = time.process_time()
    parsed = [
        parse_feed(
            feed.body, content_type=CONTENT_TYPE, url=f"http://127.0.0.1{feed.path}", now=now
        )
        for feed in feeds
    ]
    parse_cpu = time.process_time() - started
    items = [item for feed in parsed for item in feed.items]
    expected = sum(
        1
        for item in items
        if news.relevance(item, list(KEYWORDS)) is not None
        and news.is_fresh(item.published_at or now, now, MAX_AGE_DAYS)
    )
    return Floor(parse_cpu, len(os.sched_getaffinity(0)), latency, len(items), expected)


# --- the report ---------------------------------------------------------------------------------


def build_report(options: Options, cold: Phase, warm: Phase, naive: Phase, floor: Floor) -> Report:
    naive_row, naive_wall = _naive_row(options, naive)
    rows = [
        _bot_row("cold cycle (bot)", cold, "200"),
        _bot_row("warm cycle (bot)", warm, "304"),
        naive_row,
        Row(
            "floor",
            floor.seconds,
            floor.parse_cpu_s,
            None,
            f"{options.latency:g} s + {floor.parse_cpu_s:.2f} s parse CPU / {floor.cores} cores",
        ),
        *(
            _server_row(name, phase)
            for name, phase in (("cold", cold), ("warm", warm), ("naive", naive))
        ),
    ]
    return Report(
        name="poll_cycle",
        summary=(
            f"{options.feeds} feeds × {options.items} items ({floor.items} items), "
            f"{options.latency * 1000:g} ms added to every response"
        ),
        rows=rows,
        checks=_checks(cold, warm, floor),
        details=_details(cold, warm, naive_wall, floor),
    )


def _bot_row(scenario: str, phase: Phase, status: str) -> Row:
    report, usage = phase.result["report"], phase.usage
    served = phase.server["statuses"].get(status, 0)
    notes = (
        f"{served}×{status}, {report['new_items']} new items, {report['new_drafts']} drafts, "
        f"{len(usage.peaks_mb)} processes"
    )
    if report["failures"]:
        notes += f"; {len(report['failures'])} FAILED: {report['failures'][0]}"
    return Row(scenario, usage.wall_s, usage.cpu_s, usage.peak_mb, notes)


def _naive_row(options: Options, naive: Phase) -> tuple[Row, float]:
    usage, ran = naive.usage, _naive_count(options)
    served = _statuses(naive.result["statuses"])
    notes = f"feedparser.parse(url) × {ran}, one after another: {served}"
    if ran == options.feeds:
        return Row("naive loop", usage.wall_s, usage.cpu_s, usage.peak_mb, notes), usage.wall_s
    factor = options.feeds / ran
    notes = f"EXTRAPOLATED ×{factor:.1f} from {ran} of {options.feeds} feeds; " + notes
    wall = usage.wall_s * factor
    return Row("naive loop (extrapolated)", wall, usage.cpu_s * factor, usage.peak_mb, notes), wall


def _server_row(name: str, phase: Phase) -> Row:
    usage, served = phase.server_usage, _statuses(phase.server["statuses"])
    notes = f"served {served}; not in the bot's figures"
    return Row(f"server during {name}", None, usage.cpu_s, usage.peak_mb, notes)


def _statuses(counts: dict[str, int]) -> str:
    return ", ".join(f"{count}×{status}" for status, count in sorted(counts.items()))


def _checks(cold: Phase, warm: Phase, floor: Floor) -> list[Check]:
    ratio = cold.usage.wall_s / floor.seconds
    peak = max(cold.usage.peak_mb, warm.usage.peak_mb)
    return [
        Check(
            f"cold ≤ {COLD_TARGET_RATIO:g} × floor",
            f"{cold.usage.wall_s:.2f} s = {ratio:.2f} × floor {floor.seconds:.2f} s",
            ratio <= COLD_TARGET_RATIO,
        ),
        Check(
            f"warm < {WARM_TARGET_S:g} s",
            f"{warm.usage.wall_s:.2f} s",
            warm.usage.wall_s < WARM_TARGET_S,
        ),
        Check(
            f"peak < {PEAK_TARGET_MB:g} MB, bot's processes summed",
            f"cold {cold.usage.peak_mb:.0f} MB, warm {warm.usage.peak_mb:.0f} MB",
            peak < PEAK_TARGET_MB,
        ),
    ]


def _details(cold: Phase, warm: Phase, naive_wall: float, floor: Floor) -> list[str]:
    lines = [
        f"Floor: parse_feed over {floor.items} items took {floor.parse_cpu_s:.2f} s CPU in one "
        f"process ({floor.parse_cpu_s / max(floor.items, 1) * 1000:.2f} ms per item); "
        f"{floor.expected_drafts} items are fresh and relevant; the cold cycle drafted "
        f"{cold.result['report']['new_drafts']}.",
        f"Cold cycle vs naive loop: {naive_wall / cold.usage.wall_s:.1f}× faster.",
    ]
    for name, phase in (("Cold", cold), ("Warm", warm)):
        lines += ["", f"{name} cycle, where the time goes (wall in the main process):"]
        lines += breakdown(phase.result["laps"], phase.usage.wall_s)
        lines += _processes(phase.usage)
    return lines


def breakdown(laps: dict[str, list[float]], wall_s: float) -> list[str]:
    """Fetch + parse, storing and drafting, with the store's calls one by one."""
    groups = [("fetch + parse", "feeds."), ("storing", "store."), ("drafting", "drafter.")]
    lines: list[str] = []
    for title, prefix in groups:
        members = {name: lap for name, lap in laps.items() if name.startswith(prefix)}
        seconds = sum(lap[1] for lap in members.values())
        cpu = sum(lap[2] for lap in members.values())
        share = _share(seconds, wall_s)
        lines.append(f"  {title:<14} {seconds:7.2f} s {share}  main-process CPU {cpu:6.2f} s")
        lines += [_lap_line(name, *lap) for name, lap in sorted(members.items())]
    rest = wall_s - sum(lap[1] for lap in laps.values())
    share = _share(rest, wall_s)
    lines.append(f"  {'the rest':<14} {rest:7.2f} s {share}  (relevance, keys, calendars, expiry)")
    return lines


def _lap_line(name: str, calls: float, seconds: float, cpu: float) -> str:
    per_call = seconds / calls * 1000 if calls else 0.0
    timing = f"{seconds:7.2f} s  {per_call:6.2f} ms/call  CPU {cpu:6.2f} s"
    return f"    {name:<26} {int(calls):6d} calls {timing}"


def _share(part: float, whole: float) -> str:
    return f"({part / whole * 100:5.1f}%)" if whole else ""


def _processes(usage: Usage) -> list[str]:
    title = "  processes (a worker's CPU as last sampled; the sampler's own CPU is taken out):"
    return [title, *(_process_line(usage, name) for name in usage.peaks_mb)]


def _process_line(usage: Usage, name: str) -> str:
    start = usage.starts_mb.get(name)
    at_start = f"{start:6.1f} MB at start," if start is not None else " " * 19
    peak, cpu = usage.peaks_mb[name], usage.cpus_s.get(name, 0.0)
    return f"    {name:<26} {at_start} peak {peak:6.1f} MB, CPU {cpu:6.2f} s"


# --- the command line -----------------------------------------------------------------------------


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.poll_cycle", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--feeds", type=int, default=Options.feeds, help="feeds polled (default 500)"
    )
    parser.add_argument(
        "--items", type=int, default=Options.items, help="items per feed (default 30)"
    )
    parser.add_argument(
        "--latency", type=float, default=Options.latency, help="seconds added to every response"
    )
    parser.add_argument(
        "--naive-feeds",
        type=int,
        default=None,
        help="run the naive loop over only this many feeds and extrapolate (default: all)",
    )
    args = parser.parse_args(argv)
    return Options(args.feeds, args.items, args.latency, args.naive_feeds)


def main(argv: Sequence[str] | None = None) -> None:
    print(render([run(parse_options(argv))]))


if __name__ == "__main__":
    main()
