"""The only place that reads the wall clock; everything else is handed a Clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that says what it is told: for tests and the CLI's `--now`."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment.astimezone(UTC)
