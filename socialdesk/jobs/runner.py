"""The embedded job runner: threads inside the web process that run due jobs from the database.

Claiming is a conditional UPDATE (status still 'queued') whose row count tells whether this runner won,
so any number of runners — threads or processes — can share one queue without running a job twice.
A job whose runner died stays 'running' until its lease expires; then it is queued again.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import traceback
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.core.ids import new_id
from socialdesk.jobs.models import Heartbeat, Job, JobStatus, PeriodicSchedule
from socialdesk.jobs.registry import PERIODIC, RetryLater, get_task, load_task_modules

log = logging.getLogger("socialdesk.jobs")


def backoff(attempts: int, base: float = 10.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff with full jitter, from the stored attempt count."""
    return timedelta(seconds=random.uniform(base / 2, min(cap, base * 2 ** max(0, attempts - 1))))


class Runner:
    def __init__(self, database: Database, *, kind: str = "embedded", threads: int = 2,
                 poll_seconds: float = 1.0) -> None:
        load_task_modules()
        self.db = database
        self.kind = kind
        self.runner_id = f"{socket.gethostname()}:{os.getpid()}:{new_id()[-6:]}"
        self.threads = threads
        self.poll_seconds = poll_seconds
        self.started_at = clock.now()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    # One step at a time (tests, the demo's history replay, and the threads below) ----------------

    def run_pending(self, limit: int = 10_000) -> int:
        """Run every job that is due now, including jobs those jobs enqueue for now; returns the count."""
        ran = 0
        self.tick_schedules()
        while ran < limit:
            job = self.claim_next()
            if job is None:
                return ran
            self.execute(job)
            ran += 1
        return ran

    def tick_schedules(self) -> None:
        """Enqueue periodic jobs that are due. Advancing next_run_at conditionally elects one runner."""
        from socialdesk.jobs.queue import enqueue

        now = clock.now()
        with self.db.unit_of_work() as session:
            known = {s.name: s for s in session.scalars(select(PeriodicSchedule))}
            for name, interval in PERIODIC.items():
                if name not in known:
                    session.add(PeriodicSchedule(name=name, interval_seconds=interval, next_run_at=now))
            session.flush()
            due = session.scalars(select(PeriodicSchedule).where(PeriodicSchedule.next_run_at <= now)).all()
            for schedule in due:
                if schedule.name not in PERIODIC:
                    continue
                won = session.execute(
                    update(PeriodicSchedule)
                    .where(PeriodicSchedule.name == schedule.name,
                           PeriodicSchedule.next_run_at == schedule.next_run_at)
                    .values(next_run_at=now + timedelta(seconds=PERIODIC[schedule.name]), last_run_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if won:
                    enqueue(session, schedule.name, {}, dedupe_key=f"periodic:{schedule.name}")

    def claim_next(self) -> Job | None:
        now = clock.now()
        with self.db.unit_of_work() as session:
            self._requeue_expired(session, now)
            query = (select(Job.id).where(Job.status == JobStatus.QUEUED, Job.run_at <= now)
                     .order_by(Job.run_at).limit(20))
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for job_id in session.scalars(query).all():
                job = session.get(Job, job_id)
                assert job is not None
                lease = timedelta(seconds=get_task(job.name).lease_seconds)
                won = session.execute(
                    update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
                    .values(status=JobStatus.RUNNING, locked_by=self.runner_id, locked_until=now + lease,
                            attempts=Job.attempts + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if won:
                    session.refresh(job)
                    return job
        return None

    def _requeue_expired(self, session: Session, now: datetime) -> None:
        session.execute(
            update(Job).where(Job.status == JobStatus.RUNNING, Job.locked_until < now)
            .values(status=JobStatus.QUEUED, locked_by=None, locked_until=None,
                    last_error="The runner running this job stopped before finishing it; running it again.")
            .execution_options(synchronize_session=False))

    def execute(self, job: Job) -> None:
        spec = get_task(job.name)
        try:
            spec.function(**job.payload)
        except RetryLater as later:
            self._finish(job, JobStatus.QUEUED, run_at=later.at, error=later.reason or None, refund=True)
        except Exception as exc:
            log.exception("job %s (%s) failed on attempt %s", job.name, job.id, job.attempts)
            error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
            if job.attempts >= job.max_attempts:
                self._finish(job, JobStatus.FAILED, error=error)
            else:
                self._finish(job, JobStatus.QUEUED, run_at=clock.now() + backoff(job.attempts), error=error)
        else:
            self._finish(job, JobStatus.DONE)

    def _finish(self, job: Job, status: JobStatus, *, run_at: datetime | None = None, error: str | None = None,
                refund: bool = False) -> None:
        values: dict[str, object] = {"status": status, "locked_by": None, "locked_until": None}
        if status in (JobStatus.DONE, JobStatus.FAILED):
            values["finished_at"] = clock.now()
        if run_at is not None:
            values["run_at"] = run_at
        if error is not None:
            values["last_error"] = error
        if refund:
            values["attempts"] = Job.attempts - 1
        with self.db.unit_of_work() as session:
            # Only the runner holding the lease may finish the job (another may have taken it over).
            session.execute(update(Job).where(Job.id == job.id, Job.locked_by == self.runner_id).values(**values)
                            .execution_options(synchronize_session=False))

    def beat(self) -> None:
        now = clock.now()
        with self.db.unit_of_work() as session:
            beat = session.get(Heartbeat, self.runner_id)
            if beat is None:
                session.add(Heartbeat(runner_id=self.runner_id, kind=self.kind, hostname=socket.gethostname(),
                                      pid=os.getpid(), started_at=self.started_at, seen_at=now))
            else:
                beat.seen_at = now

    # Background threads --------------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        for index in range(self.threads):
            thread = threading.Thread(target=self._loop, args=(index,), name=f"socialdesk-runner-{index}",
                                      daemon=True)
            thread.start()
            self._workers.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._workers:
            thread.join(timeout)
        self._workers.clear()

    def _loop(self, index: int) -> None:
        while not self._stop.is_set():
            try:
                if index == 0:
                    self.beat()
                    self.tick_schedules()
                job = self.claim_next()
                if job is not None:
                    self.execute(job)
                    continue
            except Exception:
                log.exception("job runner loop error; continuing")
            self._stop.wait(self.poll_seconds)
