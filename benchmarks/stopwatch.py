"""Where a use case spends its time: wrap its collaborators and sum the wall time per method.

    watch = Stopwatch()
    app = replace(app, store=watch.wrap(app.store, "store"))
    service.poll(app)
    watch.totals  # {"store.record_item": Lap(calls=15000, seconds=9.1), ...}

The wrapper adds about a microsecond per call, negligible beside the calls it times.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

T = TypeVar("T")


@dataclass
class Lap:
    """Calls of one method, their wall time, and this process's CPU time meanwhile."""

    calls: int = 0
    seconds: float = 0.0
    cpu_s: float = 0.0


class Stopwatch:
    """Sums, per "label.method", the calls and times of the objects it wraps. Calls are
    assumed not to nest (a wrapped method calling another would be counted twice)."""

    def __init__(self) -> None:
        self.totals: dict[str, Lap] = {}

    def wrap(self, target: T, label: str) -> T:
        """`target` with every method call timed; attributes that are not callables pass."""
        return cast(T, _Timed(target, label, self))

    def timed(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        lap = self.totals.setdefault(name, Lap())

        def call(*args: Any, **kwargs: Any) -> Any:
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                lap.calls += 1
                lap.seconds += time.perf_counter() - started
                lap.cpu_s += time.process_time() - cpu_started

        return call


class _Timed:
    def __init__(self, target: object, label: str, watch: Stopwatch) -> None:
        self._target = target
        self._label = label
        self._watch = watch

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value
        return self._watch.timed(f"{self._label}.{name}", value)
