"""Wall time, CPU time and peak memory of this process and every process it starts (Linux).

How each figure is taken, so that short-lived pool workers are neither missed nor counted twice:

* **wall**: `time.perf_counter` around the block.
* **CPU**: user + system time of this process (`getrusage(RUSAGE_SELF)`), plus that of the
  children reaped during the block (`getrusage(RUSAGE_CHILDREN)`: a process pool shut down
  with `wait=True` has joined its workers), plus, for descendants still alive at the end,
  their own counters from `/proc/<pid>/stat` (minus what they had at the start). A child that
  was alive at the start and reaped during the block has its starting counters subtracted.
  The CPU of the sampling thread itself is measured and taken out.
* **peak memory**: the sum over processes of each one's peak resident set (`VmHWM` in
  `/proc/<pid>/status`). Peaks are reset at the start (writing 5 to `/proc/<pid>/clear_refs`)
  so a block measures itself, not what ran before; descendants are found through
  `/proc/<pid>/task/<tid>/children` every `SAMPLE_INTERVAL_S` while they live, so a worker's
  last 20 ms may be missed. A child seen before its exec (spawned processes start with
  vfork, sharing this process's memory) has that sample dropped when its command changes.
  A sum of peaks is an upper bound of the peak of the sum (and counts shared pages, such as
  libpython, once per process): the conservative side for a memory budget.
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

SAMPLE_INTERVAL_S = 0.02
MB = 1_000_000
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    """What a measured block cost. `peaks_mb`, `starts_mb` (resident at the start) and `cpus_s`
    are per process, labelled by role; a worker's CPU there is as last sampled, up to 20 ms
    before it ended."""

    wall_s: float
    cpu_s: float
    peak_mb: float
    peaks_mb: dict[str, float] = field(default_factory=dict)
    starts_mb: dict[str, float] = field(default_factory=dict)
    cpus_s: dict[str, float] = field(default_factory=dict)
    sampler_cpu_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Usage:
        return cls(**values)


class ProcessMeter:
    """Measures a `with` block; read `usage` after it. Linux only (it reads /proc)."""

    def __init__(self, interval_s: float = SAMPLE_INTERVAL_S) -> None:
        self._interval_s = interval_s
        self._me = os.getpid()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)
        self._peaks_kib: dict[int, int] = {}
        self._commands: dict[int, str] = {}
        self._cpu_now: dict[int, float] = {}
        self._cpu_start: dict[int, float] = {}
        self._start_kib: dict[int, int] = {}
        self._sampler_cpu_s = 0.0
        self._started = 0.0
        self._rusage_start = 0.0
        self.usage: Usage | None = None

    def __enter__(self) -> ProcessMeter:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Resets the peaks and takes the starting counters; sampling begins."""
        for pid in [self._me, *descendants(self._me)]:
            reset_peak(pid)
        self._sample()
        self._start_kib = dict(self._peaks_kib)  # just reset: the peak is the current size
        self._cpu_start = dict(self._cpu_now)
        self._rusage_start = _rusage_cpu()
        self._started = time.perf_counter()
        self._thread.start()

    def stop(self) -> Usage:
        """Stops sampling and returns the figures (also kept as `usage`)."""
        wall = time.perf_counter() - self._started
        rusage = _rusage_cpu() - self._rusage_start
        self._stop.set()
        self._thread.join()
        alive = self._sample()
        self.usage = Usage(
            wall_s=wall,
            cpu_s=rusage + self._descendants_cpu(alive) - self._sampler_cpu_s,
            peak_mb=sum(self._peaks_kib.values()) * 1024 / MB,
            peaks_mb=self._per_process({p: kib * 1024 / MB for p, kib in self._peaks_kib.items()}),
            starts_mb=self._per_process({p: kib * 1024 / MB for p, kib in self._start_kib.items()}),
            cpus_s=self._per_process(
                {p: cpu - self._cpu_start.get(p, 0.0) for p, cpu in self._cpu_now.items()}
            ),
            sampler_cpu_s=self._sampler_cpu_s,
        )
        return self.usage

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(self._interval_s):
            self._sample()
        self._sampler_cpu_s = time.thread_time()

    def _sample(self) -> set[int]:
        """Records the peak and CPU of every live descendant; returns their pids."""
        alive = set(descendants(self._me))
        for pid in [self._me, *alive]:
            command, peak, cpu = _command(pid), peak_kib(pid), cpu_seconds(pid)
            if peak is None or cpu is None:
                continue
            if self._commands.setdefault(pid, command) != command:
                # The child has just exec'd: before that (vfork) it shared our memory.
                self._commands[pid], self._peaks_kib[pid] = command, 0
            self._peaks_kib[pid] = max(peak, self._peaks_kib.get(pid, 0))
            self._cpu_now[pid] = cpu
        return alive

    def _descendants_cpu(self, alive: set[int]) -> float:
        """CPU of descendants not yet reaped, minus what all of them had at the start."""
        started = sum(cpu for pid, cpu in self._cpu_start.items() if pid != self._me)
        return sum(self._cpu_now[pid] for pid in alive if pid in self._cpu_now) - started

    def _per_process(self, values: dict[int, float]) -> dict[str, float]:
        return {
            f"{label(self._commands[pid], pid == self._me)} {pid}": value
            for pid, value in sorted(values.items())
        }


def descendants(pid: int) -> list[int]:
    """Every live descendant of `pid`, children first."""
    found: list[int] = []
    frontier = [pid]
    while frontier:
        children = [child for parent in frontier for child in _children(parent)]
        found += children
        frontier = children
    return found


def _children(pid: int) -> list[int]:
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    return [int(child) for task in tasks for child in _read(task / "children").split()]


def peak_kib(pid: int) -> int | None:
    """The process's peak resident set (VmHWM) in KiB; None when it is gone."""
    for line in _read(Path(f"/proc/{pid}/status")).splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of the process so far; None when it is gone."""
    stat = _read(Path(f"/proc/{pid}/stat"))
    if not stat:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def reset_peak(pid: int) -> None:
    """Sets the process's VmHWM back to its current resident set."""
    # A process gone already, or not ours to reset, keeps the peak of its whole life.
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def label(command: str, is_main: bool) -> str:
    """A short name for a process's role: this one, a spawned worker, a helper."""
    if is_main:
        return "main"
    if "resource_tracker" in command:
        return "resource tracker"
    if "spawn_main" in command:
        return "spawned worker"
    return "child"


def _command(pid: int) -> str:
    return _read(Path(f"/proc/{pid}/cmdline")).replace("\0", " ").strip()


def _rusage_cpu() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
