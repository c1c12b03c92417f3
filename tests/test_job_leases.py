"""Job leases in a real SQLite file: replicas on one database run each periodic job once at a
time, a dead replica's lease lapses, and the scheduler reports each job's state."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_app
from bot.clock import FixedClock
from bot.errors import SourceError
from bot.job_schedule import JobSpec
from bot.jobs import Job
from bot.models import JobRun
from bot.scheduler import JobScheduler, LeasedJob
from bot.service import App
from bot.settings import Settings
from bot.store import SqlStore

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
GAP = timedelta(seconds=30)


def take(store: SqlStore, holder: str, at: datetime) -> bool:
    return store.take_lease("publish_due", holder, at, at + LEASE, at - GAP)


def test_a_held_lease_is_refused_to_another_replica_until_it_lapses(store: SqlStore) -> None:
    taken = [
        take(store, "a", NOW),
        take(store, "b", NOW + timedelta(seconds=30)),
        take(store, "b", NOW + LEASE),
    ]
    assert taken == [True, False, True]
    assert store.job_runs()["publish_due"] == JobRun(
        "publish_due", "b", NOW + 2 * LEASE, last_started_at=NOW + LEASE
    )


def test_a_run_just_finished_elsewhere_is_not_run_again(store: SqlStore) -> None:
    """Two replicas' triggers fire a moment apart: the second finds the job done, not free."""
    take(store, "a", NOW)
    store.end_lease("publish_due", "a", NOW + timedelta(seconds=1), "ok")
    taken = [take(store, "b", NOW + timedelta(seconds=2)), take(store, "b", NOW + GAP)]
    assert taken == [False, True]


def test_a_renewal_fails_once_another_replica_took_the_lapsed_lease(store: SqlStore) -> None:
    take(store, "a", NOW)
    kept = store.renew_lease("publish_due", "a", NOW + 2 * LEASE)
    take(store, "b", NOW + 2 * LEASE)
    lost = store.renew_lease("publish_due", "a", NOW + 3 * LEASE)
    assert (kept, lost) == (True, False)


def test_the_end_of_a_run_frees_the_job_and_records_how_it_went(store: SqlStore) -> None:
    take(store, "a", NOW)
    store.end_lease("publish_due", "a", NOW + timedelta(seconds=5), "error: X no respon")
    assert store.job_runs() == {
        "publish_due": JobRun(
            "publish_due",
            "a",
            NOW + timedelta(seconds=5),
            last_started_at=NOW,
            last_finished_at=NOW + timedelta(seconds=5),
            last_result="error: X no respon",
        )
    }


def make_app(tmp_path: Path, clock: FixedClock | None = None) -> App:
    settings = Settings(config_dir=tmp_path, slots_file="")  # type: ignore[call-arg]
    return build_app(settings, clock)


def test_two_replicas_fired_together_run_the_job_once(tmp_path: Path) -> None:
    runs: Counter[str] = Counter()
    start = threading.Barrier(2)

    def slow_job(app: App) -> None:
        runs["publish_due"] += 1
        time.sleep(0.3)

    spec = JobSpec(every_seconds=60)
    replicas = [
        LeasedJob(make_app(tmp_path), "publish_due", slow_job, spec, holder, GAP)
        for holder in ("replica-1", "replica-2")
    ]

    def fire(job: LeasedJob) -> None:
        start.wait()
        job()

    threads = [threading.Thread(target=fire, args=(job,)) for job in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert runs == {"publish_due": 1}


def failing(error: Exception) -> Job:
    def job(app: App) -> None:
        raise error

    return job


@pytest.mark.parametrize(
    ("error", "result"),
    [
        (SourceError("https://igualada.cat/rss: 404"), "error: https://igualada.cat/rss: 404"),
        (KeyError("bug"), "error inesperat (KeyError): vegeu el registre"),
    ],
)
def test_a_failing_job_is_recorded_and_does_not_stop_the_scheduler(
    tmp_path: Path, error: Exception, result: str
) -> None:
    app = make_app(tmp_path, FixedClock(NOW))
    job = LeasedJob(app, "poll_feeds", failing(error), JobSpec(every_seconds=60), "a", GAP)
    job()
    assert app.store.job_runs()["poll_feeds"].last_result == result


def test_health_reports_each_jobs_next_run_and_last_result(tmp_path: Path) -> None:
    app = make_app(tmp_path)  # the system clock: APScheduler runs on real time
    done = threading.Event()
    specs = {"poll_feeds": JobSpec(every_seconds=3600), "publish_due": JobSpec(every_seconds=60)}
    jobs: dict[str, Job] = {
        "poll_feeds": lambda app: done.set(),
        "publish_due": failing(SourceError("no")),
    }
    scheduler = JobScheduler(app, specs, jobs)
    scheduler.start()
    try:
        assert done.wait(10)
        wait_until(lambda: both_finished(app))
        state = scheduler.state()
    finally:
        scheduler.stop()
    results = {name: job["last_result"] for name, job in state["jobs"].items()}
    assert (state["running"], results) == (True, {"poll_feeds": "ok", "publish_due": "error"})
    assert scheduler.state()["running"] is False


def both_finished(app: App) -> bool:
    runs = app.store.job_runs().values()
    return len(runs) == 2 and all(run.last_finished_at for run in runs)


def wait_until(condition: Callable[[], bool], timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
