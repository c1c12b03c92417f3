"""`schedules/jobs.toml`: when each periodic job runs, read and checked like the config.

Each table names a job of `bot.jobs.JOBS` and gives either `every_seconds` (an interval,
which no clock change disturbs) or a `cron` table (`day_of_week`, `hour`, `minute` in the
configured time zone). Every problem is one `ConfigError` naming the file and the key. Two
traps of APScheduler 3.x are refused here: weekdays written as numbers (its 0 is Monday, cron's
is Sunday) and cron hours between 02:00 and 03:00 (on the DST change days they run twice or
not at all).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.errors import ConfigError
from bot.settings import describe_errors, read_toml

DEFAULT_LEASE_SECONDS = 120
"""Renewed while the job runs, so it only bounds how long a dead replica's job stays taken."""
DEFAULT_CRON_GRACE_SECONDS = 3600
SKIPPED_HOUR = 2  # 02:00–03:00 local happens twice or never on the DST change days
_WEEKDAY_NUMBER = re.compile(r"(^|[,\-/])\d")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CronSpec(_Strict):
    day_of_week: str = "*"
    hour: int | str
    minute: int | str = 0

    @field_validator("day_of_week")
    @classmethod
    def _named_days(cls, value: str) -> str:
        if _WEEKDAY_NUMBER.search(value.replace(" ", "")):
            raise ValueError(
                f"«{value}»: escriviu els dies amb nom (p. ex. mon-fri): a APScheduler 3.x el 0 "
                "és dilluns, no diumenge com al cron"
            )
        return value

    def trigger(self, zone: ZoneInfo) -> CronTrigger:
        return CronTrigger(
            day_of_week=self.day_of_week, hour=self.hour, minute=self.minute, timezone=zone
        )

    @model_validator(mode="after")
    def _valid_and_clear_of_the_dst_hour(self) -> CronSpec:
        try:
            self.trigger(ZoneInfo("UTC"))
        except ValueError as error:
            raise ValueError(f"expressió cron no vàlida: {error}") from None
        if SKIPPED_HOUR in _hours(self.hour):
            raise ValueError(
                "no programeu res entre les 02:00 i les 03:00: els dies de canvi d'hora "
                "aquesta hora passa dues vegades o no passa"
            )
        return self


class JobSpec(_Strict):
    """One job's timing. `misfire_grace_seconds`: how late a run may still start (by default
    one interval, or an hour for cron jobs). `lease_seconds`: how long a replica that died
    keeps the job from the others. `exclusive = false` lets every replica run the job at
    once, for a job whose every step is claimed in the database (`publish_due`)."""

    every_seconds: int | None = Field(default=None, ge=1)
    cron: CronSpec | None = None
    misfire_grace_seconds: int | None = Field(default=None, ge=1)
    lease_seconds: int = Field(default=DEFAULT_LEASE_SECONDS, ge=1)
    exclusive: bool = True
    enabled: bool = True

    @model_validator(mode="after")
    def _one_trigger(self) -> JobSpec:
        if (self.every_seconds is None) == (self.cron is None):
            raise ValueError("cal o bé every_seconds o bé una taula cron (i només una)")
        return self

    @property
    def is_interval(self) -> bool:
        return self.every_seconds is not None

    @property
    def misfire_grace(self) -> timedelta:
        default = self.every_seconds or DEFAULT_CRON_GRACE_SECONDS
        return timedelta(seconds=self.misfire_grace_seconds or default)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    def trigger(self, zone: ZoneInfo) -> BaseTrigger:
        if self.cron is not None:
            return self.cron.trigger(zone)
        return IntervalTrigger(seconds=self.every_seconds, timezone=zone)


def load_job_specs(path: Path, known: Collection[str]) -> dict[str, JobSpec]:
    """The enabled jobs of the schedule file, by name; every name must be a known job."""
    data = read_toml(path, "les tasques s'indiquen amb jobs_file o XMESS_JOBS_FILE")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(
            f"{path}: clau «{unknown[0]}»: no hi ha cap tasca amb aquest nom "
            f"(tasques: {', '.join(sorted(known))})"
        )
    try:
        specs = _SPECS.validate_python(data)
    except ValidationError as error:
        raise ConfigError(describe_errors(error, path)) from None
    return {name: spec for name, spec in specs.items() if spec.enabled}


_SPECS = TypeAdapter(dict[str, JobSpec])


def _hours(hour: int | str) -> set[int]:
    """The hours of the day a cron `hour` field matches (read through APScheduler, in UTC
    so no clock change hides one)."""
    trigger = CronTrigger(hour=hour, timezone=UTC)
    day = datetime(2026, 1, 5, tzinfo=UTC)
    hours, moment = set(), trigger.get_next_fire_time(None, day)
    while moment is not None and moment < day + timedelta(days=1):
        hours.add(moment.hour)
        moment = trigger.get_next_fire_time(moment, moment + timedelta(minutes=1))
    return hours


def min_gap(trigger: BaseTrigger, now: datetime) -> timedelta:
    """Half the shortest time between two of the trigger's next runs: a replica does not run a
    job that any replica started more recently than this (the same run, fired a moment apart)."""
    times = [trigger.get_next_fire_time(None, now)]
    for _ in range(8):
        previous = times[-1]
        if previous is None:
            break
        times.append(trigger.get_next_fire_time(previous, previous))
    gaps = [b - a for a, b in pairwise(times) if a and b]
    return min(gaps, default=timedelta(hours=1)) / 2
