"""Reading many feeds over HTTP: fetch concurrently, parse in worker processes, and hand
each reading to the caller as soon as it is ready. Parsing rules live in `feed_parsing.py`."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from types import TracebackType

from bot.clock import SystemClock
from bot.models import FetchRequest, FetchResult
from bot.ports import Clock, FeedReading
from bot.sources.feed_parsing import (
    DEFAULT_PARSE_TIMEOUT_S,
    ParseJob,
    ParseOutcome,
    failed,
    parse_in_worker,
    parse_job,
)
from bot.sources.http import (
    DEFAULT_FETCH_LIMITS,
    DEFAULT_USER_AGENT,
    FetchLimits,
    fetch_as_completed,
)

DEFAULT_POOL_THRESHOLD = 8


@dataclass(frozen=True)
class ParseLimits:
    """How `HttpFeedReader` spends CPU: bodies are parsed in-process until `pool_threshold`
    of them have arrived in one poll, then in `max_workers` processes (None: one per core),
    each parse stopped after `timeout` seconds."""

    pool_threshold: int = DEFAULT_POOL_THRESHOLD
    timeout: float = DEFAULT_PARSE_TIMEOUT_S
    max_workers: int | None = None


DEFAULT_PARSE_LIMITS = ParseLimits()


class HttpFeedReader:
    """`ports.FeedReader` over HTTP: fetches every feed concurrently and parses each body as
    soon as it arrives, handing each reading to the caller as soon as it is ready, so storing
    and drafting the first feeds overlaps fetching and parsing the others.

    Fetching runs on a helper thread with its own event loop; big polls parse in worker
    processes (see `ParseLimits` and `_new_pool`). The parse timeout applies in the
    workers; the few bodies of a small poll are parsed on the helper thread, where the size
    limit and the entity guard keep each parse short."""

    def __init__(
        self,
        *,
        limits: FetchLimits = DEFAULT_FETCH_LIMITS,
        parse_limits: ParseLimits = DEFAULT_PARSE_LIMITS,
        user_agent: str = DEFAULT_USER_AGENT,
        clock: Clock | None = None,
    ) -> None:
        self._limits = limits
        self._parse_limits = parse_limits
        self._user_agent = user_agent
        self._clock = clock or SystemClock()

    def read_feeds(self, requests: Sequence[FetchRequest]) -> Iterator[FeedReading]:
        """One reading per request, in the order they are ready; never raises for a feed's
        failure (a bug in the reader itself is raised here, in the caller's thread)."""
        ready: queue.SimpleQueue[FeedReading | BaseException | None] = queue.SimpleQueue()
        helper = threading.Thread(
            target=self._read_all, args=(requests, ready.put), name="feeds", daemon=True
        )
        helper.start()
        try:
            while (reading := ready.get()) is not None:
                if isinstance(reading, BaseException):
                    raise reading
                yield reading
        finally:
            helper.join()

    def _read_all(self, requests: Sequence[FetchRequest], emit: _Emit) -> None:
        try:
            asyncio.run(self._read(requests, emit))
        except BaseException as exc:  # handed to the caller's thread, raised there
            emit(exc)
        finally:
            emit(None)

    async def _read(self, requests: Sequence[FetchRequest], emit: _Emit) -> None:
        now = self._clock.now()
        with _Parsing(self._parse_limits, emit) as parsing:
            async for _, fetch in fetch_as_completed(
                requests, limits=self._limits, user_agent=self._user_agent
            ):
                if fetch.body is None:
                    emit(FeedReading(fetch=fetch))
                else:
                    parsing.add(fetch, ParseJob.of(fetch, now, self._parse_limits.timeout))
            parsing.finish()


_Emit = Callable[["FeedReading | BaseException | None"], None]


def _reading(fetch: FetchResult, outcome: ParseOutcome) -> FeedReading:
    if outcome.parsed is None:
        return FeedReading(fetch=fetch, error=outcome.error)
    return FeedReading(fetch=fetch, items=outcome.parsed.items, warning=outcome.parsed.warning)


class _Parsing:
    """The parses of one poll, each reading emitted as soon as its parse ends. Bodies are held
    until `pool_threshold` have arrived, then sent to a process pool as they come; fewer are
    parsed here at the end, since starting processes costs more than a few parses (and a
    warm poll of 304s has no body at all)."""

    def __init__(self, limits: ParseLimits, emit: _Emit) -> None:
        self._limits = limits
        self._emit = emit
        self._held: list[tuple[FetchResult, ParseJob]] = []
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Parsing:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=exc is not None)

    def add(self, fetch: FetchResult, job: ParseJob) -> None:
        self._held.append((fetch, job))
        if self._pool is None and len(self._held) < self._limits.pool_threshold:
            return
        self._pool = self._pool or _new_pool(self._limits)
        for held in self._held:
            self._submit(self._pool, *held)
        self._held.clear()

    def finish(self) -> None:
        """Parse here what never reached the pool."""
        for fetch, job in self._held:
            self._emit(_reading(fetch, parse_job(job)))
        self._held.clear()

    def _submit(self, pool: ProcessPoolExecutor, fetch: FetchResult, job: ParseJob) -> None:
        try:
            future = pool.submit(parse_in_worker, job)
        except Exception as exc:  # BrokenProcessPool: reported like any other failed parse
            self._emit(_reading(fetch, failed(job, exc)))
            return
        future.add_done_callback(partial(self._done, fetch, job))

    def _done(self, fetch: FetchResult, job: ParseJob, future: Future[ParseOutcome]) -> None:
        """A worker's outcome; a dead worker (killed, out of memory) is that feed's error."""
        try:
            outcome = future.result()
        except (Exception, CancelledError) as exc:
            outcome = failed(job, exc)
        self._emit(_reading(fetch, outcome))


def _new_pool(limits: ParseLimits) -> ProcessPoolExecutor:
    """Spawned, not forked: the poller runs beside threads (scheduler, web, the fetch thread),
    and forking a threaded process can deadlock the child. A spawned worker re-imports the
    main module, which is why `xmess-bot` starts from the tiny `bot.__main__`, and why a script
    of your own that polls must keep its work under `if __name__ == "__main__":`."""
    return ProcessPoolExecutor(
        max_workers=limits.max_workers or os.cpu_count() or 1,
        mp_context=multiprocessing.get_context("spawn"),
    )
