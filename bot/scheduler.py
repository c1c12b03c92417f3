"""APScheduler (3.x, `BackgroundScheduler`) triggers the jobs of `schedules/jobs.toml`; the
database holds the truth.

- The scheduler keeps nothing: its job store is in memory. On start, each job's first run is
  derived from the database (when any replica last started it): an interval job that missed
  runs while nobody was up runs once at start, a cron job only if its missed time is within
  its misfire grace; otherwise each keeps its cadence.
- Each run first takes the job's lease in the database (`job_leases`, a conditional UPDATE or
  INSERT), renews it while it works and releases it at the end, so replicas on one database run
  each job once at a time, and a dead replica's lease lapses after `lease_seconds`. A job
  marked `exclusive = false` (`publish_due`) runs on every replica at once, without a lease:
  each due draft is claimed by one of them (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL),
  so the replicas share the work and a dead one holds nothing back.
- Every job is `coalesce=True` (runs missed while the process was busy or asleep become one:
  each run derives all its work from the store) and `max_instances=1` (a second copy would only
  find the lease taken). The misfire grace is the file's, per job: APScheduler's default of
  one second would drop a run that starts a little late.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import XmessError
from bot.job_schedule import JobSpec, min_gap
from bot.jobs import JOBS, Job, summarise
from bot.models import JobRun
from bot.ports import Clock, Store
from bot.service import App

LOG = logging.getLogger("xmess.scheduler")
OK = "ok"


@dataclass(frozen=True)
class LeasedJob:
    """What APScheduler calls: one run of a job under its lease (unless the job is not
    exclusive), logged, never raising."""

    app: App
    name: str
    action: Job
    spec: JobSpec
    holder: str
    min_gap: timedelta

    def __call__(self) -> None:
        try:
            if self.spec.exclusive:
                self._leased_run()
            else:
                self._run()
        except SQLAlchemyError:
            LOG.exception(
                "la base de dades no respon: la tasca no s'ha fet",
                extra={"event": "job.database_error", "job": self.name},
            )

    def _leased_run(self) -> None:
        store, now = self.app.store, self.app.clock.now()
        lease_end, started_before = now + self.spec.lease, now - self.min_gap
        if not store.take_lease(self.name, self.holder, now, lease_end, started_before):
            LOG.info(
                "tasca saltada: una altra rèplica la fa o l'acaba de fer",
                extra={"event": "job.skipped", "job": self.name},
            )
            return
        with _renewing(store, self.name, self.holder, self.spec.lease, self.app.clock):
            result = self._run()
        store.end_lease(self.name, self.holder, self.app.clock.now(), result)

    def _run(self) -> str:
        started = time.monotonic()
        fields: dict[str, Any] = {"job": self.name}
        try:
            outcome = self.action(self.app)
        except XmessError as error:
            LOG.error(str(error), extra=fields | {"event": "job.failed"})
            return f"error: {error}"
        except Exception as error:  # a bug must not stop the other jobs
            LOG.exception("error inesperat", extra=fields | {"event": "job.crashed"})
            return f"error inesperat ({type(error).__name__}): vegeu el registre"
        seconds = round(time.monotonic() - started, 3)
        LOG.info(summarise(outcome), extra=fields | {"event": "job.finished", "seconds": seconds})
        return OK


@contextmanager
def _renewing(
    store: Store, job: str, holder: str, lease: timedelta, clock: Clock
) -> Iterator[None]:
    """Renew the lease every third of its length while the job runs, so a long run keeps it
    and a short lease still frees the job soon after a replica dies."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease.total_seconds() / 3):
            try:
                if not store.renew_lease(job, holder, clock.now() + lease):
                    LOG.warning("s'ha perdut la reserva de la tasca", extra={"job": job})
                    return
            except SQLAlchemyError:
                LOG.exception("no s'ha pogut renovar la reserva", extra={"job": job})

    thread = threading.Thread(target=renew, name=f"lease-{job}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def first_run_at(
    spec: JobSpec, trigger: BaseTrigger, known: JobRun | None, now: datetime
) -> datetime | None:
    """When a job should first run in this process, from when any replica last started it;
    None leaves it to the trigger."""
    last = known.last_started_at if known else None
    if last is None:
        return now if spec.is_interval else None
    missed = trigger.get_next_fire_time(last, now)
    if missed is None or missed > now:
        return missed
    if spec.is_interval or now - missed <= spec.misfire_grace:
        return now
    return None


class JobScheduler:
    def __init__(
        self, app: App, specs: Mapping[str, JobSpec], jobs: Mapping[str, Job] = JOBS
    ) -> None:
        self.app, self.specs, self.jobs = app, specs, jobs
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.scheduler = BackgroundScheduler(timezone=app.settings.zone)

    def start(self) -> None:
        now, known = self.app.clock.now(), self.app.store.job_runs()
        for name, spec in self.specs.items():
            self._add(name, spec, known.get(name), now)
        for name in sorted(set(self.jobs) - set(self.specs)):
            LOG.warning(
                f"la tasca {name} no té horari al fitxer de tasques: no s'executa",
                extra={"event": "job.unscheduled", "job": name},
            )
        self.scheduler.start()
        LOG.info("planificador en marxa", extra={"event": "scheduler.started"} | self.state())

    def _add(self, name: str, spec: JobSpec, known: JobRun | None, now: datetime) -> None:
        trigger = spec.trigger(self.app.settings.zone)
        job = LeasedJob(self.app, name, self.jobs[name], spec, self.holder, min_gap(trigger, now))
        first = first_run_at(spec, trigger, known, now)
        self.scheduler.add_job(
            job, trigger, id=name, name=name, coalesce=True, max_instances=1,
            misfire_grace_time=int(spec.misfire_grace.total_seconds()),
            **({"next_run_time": first} if first else {}),
        )  # fmt: skip

    def stop(self) -> None:
        """Start nothing more and wait for the jobs in progress to finish."""
        self.scheduler.shutdown(wait=True)

    def state(self) -> dict[str, Any]:
        """For `/healthz`: whether it runs, and each job's next run and last result ("ok" or
        "error"; the details are in the log, since the health check is public)."""
        known = self._known_runs()
        zone = self.app.settings.zone
        jobs = {}
        for job in self.scheduler.get_jobs():
            run = known.get(job.id)
            jobs[job.id] = {
                "next_run": _local(job.next_run_time, zone),
                "last_run": _local(run.last_finished_at if run else None, zone),
                "last_result": _short(run.last_result if run else None),
            }
        return {"running": bool(self.scheduler.running), "jobs": jobs}

    def _known_runs(self) -> dict[str, JobRun]:
        try:
            return self.app.store.job_runs()
        except SQLAlchemyError:
            return {}


def _local(moment: datetime | None, zone: Any) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def _short(result: str | None) -> str | None:
    return None if result is None else (OK if result == OK else "error")
