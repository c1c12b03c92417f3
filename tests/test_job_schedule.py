"""`schedules/jobs.toml`: read and checked like the config, one error naming file and key;
and when a job first runs after a start, derived from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ConfigError
from bot.job_schedule import CronSpec, JobSpec, load_job_specs, min_gap
from bot.jobs import JOBS
from bot.models import JobRun
from bot.scheduler import first_run_at
from bot.settings import BUNDLED_JOBS

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jobs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_file_schedules_every_job_at_its_documented_pace() -> None:
    specs = load_job_specs(BUNDLED_JOBS, JOBS)
    paces = {name: spec.every_seconds for name, spec in specs.items()}
    assert paces == {
        "poll_feeds": 20 * 60,
        "sync_calendars": 60 * 60,
        "draft_reminders": 15 * 60,
        "draft_digest": 15 * 60,
        "publish_due": 60,
        "notify_editors": 5 * 60,
    }


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[poll_feed]\nevery_seconds = 60\n",
            "clau «poll_feed»: no hi ha cap tasca amb aquest nom (tasques: draft_digest, "
            "draft_reminders, notify_editors, poll_feeds, publish_due, sync_calendars)",
        ),
        (
            "[poll_feeds]\nevery_seconds = 60\ncron = { hour = 9 }\n",
            "clau «poll_feeds»: cal o bé every_seconds o bé una taula cron (i només una)",
        ),
        (
            "[poll_feeds]\nevery_second = 60\n",
            "clau «poll_feeds.every_second»: clau desconeguda (mira la taula de claus del README)",
        ),
        (
            "[poll_feeds]\nevery_seconds = 0\n",
            "clau «poll_feeds.every_seconds»: Input should be greater than or equal to 1",
        ),
        (
            '[poll_feeds]\ncron = { day_of_week = "1-5", hour = 9 }\n',
            "clau «poll_feeds.cron.day_of_week»: «1-5»: escriviu els dies amb nom (p. ex. "
            "mon-fri): a APScheduler 3.x el 0 és dilluns, no diumenge com al cron",
        ),
        (
            '[poll_feeds]\ncron = { hour = "1-3" }\n',
            "clau «poll_feeds.cron»: no programeu res entre les 02:00 i les 03:00: els dies de "
            "canvi d'hora aquesta hora passa dues vegades o no passa",
        ),
        (
            '[poll_feeds]\ncron = { hour = "*/2" }\n',
            "clau «poll_feeds.cron»: no programeu res entre les 02:00 i les 03:00: els dies de "
            "canvi d'hora aquesta hora passa dues vegades o no passa",
        ),
        (
            '[poll_feeds]\ncron = { day_of_week = "monday", hour = 9 }\n',
            'clau «poll_feeds.cron»: expressió cron no vàlida: Invalid weekday name "monday"',
        ),
    ],
)
def test_a_wrong_schedule_names_the_file_and_the_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError) as raised:
        load_job_specs(path, JOBS)
    last_line = str(raised.value).splitlines()[-1].strip()
    assert last_line.removeprefix(f"{path}: ") == message
    assert str(raised.value).startswith(f"{path}: ")


def test_a_disabled_job_is_left_out(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[poll_feeds]\nevery_seconds = 60\nenabled = false\n\n[publish_due]\nevery_seconds = 5\n",
    )
    assert list(load_job_specs(path, JOBS)) == ["publish_due"]


def test_cron_weekdays_by_name_run_monday_to_friday_in_local_time() -> None:
    trigger = CronSpec(day_of_week="mon-fri", hour=9).trigger(MADRID)
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=MADRID)
    after_friday = trigger.get_next_fire_time(None, friday)
    assert after_friday == datetime(2026, 11, 30, 9, 0, tzinfo=MADRID)


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [  # 9:00 local on the day after each change: the offset moves, the local time does not
        (datetime(2026, 3, 29, 0, 0, tzinfo=MADRID), datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 0, 0, tzinfo=MADRID), datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),
    ],
)
def test_a_cron_job_keeps_its_local_time_on_the_dst_change_days(
    day: datetime, expected_utc: datetime
) -> None:
    trigger = CronSpec(hour=9).trigger(MADRID)
    assert trigger.get_next_fire_time(None, day) == expected_utc


INTERVAL = JobSpec(every_seconds=1200)
MONDAY_9 = JobSpec(cron=CronSpec(day_of_week="mon", hour=9), misfire_grace_seconds=3600)


def ran(at: datetime | None) -> JobRun:
    return JobRun("job", "another-replica", at or NOW, last_started_at=at)


@pytest.mark.parametrize(
    ("spec", "known", "now", "expected"),
    [
        # never run: an interval job starts at once, a cron job waits for its time
        (INTERVAL, None, NOW, NOW),
        (MONDAY_9, None, NOW, None),
        # ran 5 minutes ago: the next poll keeps the cadence, 15 minutes from now
        (INTERVAL, ran(NOW - timedelta(minutes=5)), NOW, NOW + timedelta(minutes=15)),
        # down for 3 hours: the nine missed polls become one, now
        (INTERVAL, ran(NOW - timedelta(hours=3)), NOW, NOW),
        # Monday 9:00 missed by 30 minutes (within the grace): it runs now
        (
            MONDAY_9,
            ran(datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
            datetime(2026, 11, 30, 8, 30, tzinfo=UTC),
            datetime(2026, 11, 30, 8, 30, tzinfo=UTC),
        ),
        # missed by more than the grace: skipped, the trigger decides (next Monday)
        (
            MONDAY_9,
            ran(datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
            datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
            None,
        ),
    ],
)
def test_the_first_run_after_a_start_comes_from_the_database(
    spec: JobSpec, known: JobRun | None, now: datetime, expected: datetime | None
) -> None:
    assert first_run_at(spec, spec.trigger(MADRID), known, now) == expected


def test_replicas_keep_apart_for_half_the_shortest_gap_between_runs() -> None:
    weekdays = CronSpec(day_of_week="mon-fri", hour=9).trigger(MADRID)
    assert min_gap(weekdays, NOW) == timedelta(hours=12)
    assert min_gap(INTERVAL.trigger(MADRID), NOW) == timedelta(minutes=10)
