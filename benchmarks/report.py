"""What a benchmark hands back, and the one table `python -m benchmarks` prints for all of them."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Row:
    """One measured scenario; None where a figure does not apply."""

    scenario: str
    wall_s: float | None
    cpu_s: float | None
    peak_mb: float | None
    notes: str = ""


@dataclass(frozen=True)
class Check:
    """A target from the issue and whether this run met it."""

    target: str
    measured: str
    passed: bool


@dataclass(frozen=True)
class Report:
    """One benchmark's outcome: its rows of the table, its targets, and lines of detail."""

    name: str
    summary: str
    rows: list[Row]
    checks: list[Check] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def render(reports: Sequence[Report]) -> str:
    """The machine, one table of every scenario, the targets, then each benchmark's details."""
    parts = [machine(), "", *(f"{r.name}: {r.summary}" for r in reports), ""]
    parts += _table(
        ["benchmark", "scenario", "wall s", "CPU s", "peak MB (sum)", "notes"],
        [[r.name, *_cells(row)] for r in reports for row in r.rows],
    )
    checks = [
        [r.name, c.target, c.measured, "PASS" if c.passed else "MISS"]
        for r in reports
        for c in r.checks
    ]
    if checks:
        parts += ["", *_table(["benchmark", "target", "measured", "result"], checks)]
    for report in reports:
        if report.details:
            parts += ["", f"{report.name}, details:", *report.details]
    return "\n".join(parts)


def machine() -> str:
    return (
        f"Machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown CPU"
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return models[0] if models else "unknown CPU"


def _cells(row: Row) -> list[str]:
    return [
        row.scenario,
        _number(row.wall_s),
        _number(row.cpu_s),
        _number(row.peak_mb, 0),
        row.notes,
    ]


def _number(value: float | None, decimals: int = 2) -> str:
    return "" if value is None else f"{value:.{decimals}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table, columns padded so it also reads well in a terminal."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [header, ["-" * width for width in widths], *rows]
    return ["| " + " | ".join(_padded(cells, widths)) + " |" for cells in lines]


def _padded(cells: list[str], widths: list[int]) -> list[str]:
    return [cell.ljust(width) for cell, width in zip(cells, widths, strict=True)]
