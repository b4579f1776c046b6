"""What every job runner does, wherever it runs: claim a job, run it, record the outcome.

The embedded runner (threads in the web process), Celery workers and the scheduler all use this.
Claiming is a conditional UPDATE (status still 'queued') whose row count says whether this runner won,
so any number of runners — threads or processes on any machine — share one queue without running a
job twice. A job whose runner died is queued again when its lease ends or, sooner, when the runner's
heartbeat goes stale.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, Table, bindparam, case, event, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql.dml import ReturningUpdate

from socialdesk.core import clock
from socialdesk.core.db import Database, UTCDateTime
from socialdesk.core.ids import new_id
from socialdesk.jobs import broker
from socialdesk.jobs.health import alive_since
from socialdesk.jobs.models import Heartbeat, Job, JobStatus, PeriodicSchedule
from socialdesk.jobs.registry import (
    DEFAULT_LEASE_SECONDS,
    PERIODIC,
    RetryLater,
    get_task,
    load_task_modules,
    other_leases,
)

log = logging.getLogger("socialdesk.jobs")
_JOBS: Table = Job.__table__  # type: ignore[assignment]
FINISH_RETRY_PAUSES = (0.5, 1, 2, 4, 8, 15)  # about half a minute: a database restart takes seconds
REQUEUE_EVERY = timedelta(seconds=1)
# The runner executing the job on this thread (None outside a job: tests, the CLI).
current_runner: ContextVar[str | None] = ContextVar("socialdesk_current_runner", default=None)


def backoff(attempts: int, base: float = 10.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff with full jitter, from the stored attempt count."""
    return timedelta(seconds=random.uniform(base / 2, min(cap, base * 2 ** max(0, attempts - 1))))


class JobWorker:
    def __init__(self, database: Database, *, kind: str) -> None:
        load_task_modules()
        self.db = database
        self.kind = kind
        self.runner_id = f"{socket.gethostname()}:{os.getpid()}:{new_id()[-6:]}"
        self.started_at = clock.now()
        self._requeued_at: datetime | None = None
        self._other_leases = other_leases()
        # The claim's UPDATE for each way of picking a job (see _take), built once per runner: on every
        # job's path, building it cost more of the worker's CPU than the database took to run it.
        self._claims = {which: self._build_claim(which) for which in ("id", "oldest", "oldest waiting")}

    # Claiming ------------------------------------------------------------------------------------

    def claim_next(self, *, waiting_longer_than: timedelta | None = None) -> Job | None:
        """The oldest due job, now marked as ours; None when nothing is due. With `waiting_longer_than`,
        only a job due that long ago whose message (if any) went out that long ago, or one due three times
        that long ago whatever its messages: the scheduler sends a lost message again every
        `resend_after_seconds` (30 s), sooner than the rescue's minute, so while its messages kept vanishing (a
        worker taking them without running them) the rescue would never find the job old enough."""
        with self.db.unit_of_work() as session:
            return self._take_next(session, clock.now(), waiting_longer_than)

    def claim(self, job_id: str) -> Job | None:
        """This job, if it is queued and due (a Celery message names the jobs to run)."""
        now = clock.now()
        with self.db.unit_of_work() as session:
            return self._take(session, "id", now, job_id=job_id)

    def run_next(self, *, waiting_longer_than: timedelta | None = None) -> Job | None:
        """Claim the oldest due job and run it (claim_next + execute, the claim's transaction shared with
        the task's first one where the task says so); returns the job run, None when nothing was due."""
        return self._claim_and_execute(lambda session, now: self._take_next(session, now, waiting_longer_than))

    def run(self, job_id: str) -> bool:
        """Claim this job and run it (claim + execute, as run_next); False when it was not ours to run."""
        return self._claim_and_execute(lambda session, now: self._take(session, "id", now, job_id=job_id)) is not None

    def _claim_and_execute(self, take: Callable[[Session, datetime], Job | None]) -> Job | None:
        now = clock.now()
        claim = ExitStack()
        session = claim.enter_context(self.db.unit_of_work())
        with ExitStack() as on_error:
            on_error.push(claim)  # a failed claim rolls back and propagates
            job = take(session, now)
            on_error.pop_all()
        if job is None or not get_task(job.name).joins_claim:
            claim.close()  # commit: the task opens its own transactions
            if job is not None:
                self.execute(job)
            return job
        self.execute(job, claim=_OpenClaim(claim, session))
        return job

    def _take_next(self, session: Session, now: datetime, waiting_longer_than: timedelta | None) -> Job | None:
        """The oldest due job in one statement: an UPDATE of the row a sub-select picks (on PostgreSQL with
        SKIP LOCKED, so runners never wait for each other's pick)."""
        self._requeue_dead_now_and_then(session, now)
        if waiting_longer_than is None:
            return self._take(session, "oldest", now)
        return self._take(session, "oldest waiting", now, cutoff=now - waiting_longer_than,
                          long_ago=now - 3 * waiting_longer_than)

    def _take(self, session: Session, which: str, now: datetime, *, job_id: str | None = None,
              cutoff: datetime | None = None, long_ago: datetime | None = None) -> Job | None:
        """One conditional UPDATE: whoever changes the row owns the job (it returns the row, so no
        read before or after). `which`: "id" (the job `job_id`), "oldest" or "oldest waiting" (due
        before `cutoff`, its message too)."""
        params: dict[str, object] = {"job_id": job_id, "now": now, "cutoff": cutoff, "long_ago": long_ago,
                                     "default_lease": now + timedelta(seconds=DEFAULT_LEASE_SECONDS)}
        params.update({f"lease_{i}": now + timedelta(seconds=seconds)
                       for i, seconds in enumerate(self._other_leases.values())})
        row = session.execute(self._claims[which], params).one_or_none()
        if row is None:
            return None
        # Not in the session: the job keeps its values if the task's first transaction rolls back.
        job = Job(**row._mapping)
        make_transient_to_detached(job)
        return job

    def _build_claim(self, which: str) -> ReturningUpdate[Any]:
        """On the table, returning its columns: the ORM's UPDATE returning a Job cost 0.16 ms more a claim
        than the row plus a Job built of it."""
        jobs = _JOBS
        now = bindparam("now", type_=UTCDateTime())
        job_id: ColumnElement[str] = bindparam("job_id", type_=String())
        if which != "id":
            oldest = (select(jobs.c.id).where(jobs.c.status == JobStatus.QUEUED, jobs.c.run_at <= now)
                      .order_by(jobs.c.run_at).limit(1))
            if which == "oldest waiting":
                cutoff = bindparam("cutoff", type_=UTCDateTime())
                long_ago = bindparam("long_ago", type_=UTCDateTime())
                oldest = oldest.where(jobs.c.run_at <= cutoff, or_(jobs.c.sent_at.is_(None), jobs.c.sent_at <= cutoff,
                                                                   jobs.c.run_at <= long_ago))
            if self.db.dialect == "postgresql":
                oldest = oldest.with_for_update(skip_locked=True)
            job_id = oldest.scalar_subquery()
        default_lease = bindparam("default_lease", type_=UTCDateTime())
        leases = {name: bindparam(f"lease_{i}", type_=UTCDateTime()) for i, name in enumerate(self._other_leases)}
        locked_until = case(leases, value=jobs.c.name, else_=default_lease) if leases else default_lease
        return (update(jobs).where(jobs.c.id == job_id, jobs.c.status == JobStatus.QUEUED, jobs.c.run_at <= now)
                .values(status=JobStatus.RUNNING, locked_by=self.runner_id, locked_until=locked_until,
                        attempts=jobs.c.attempts + 1)
                .returning(*jobs.c))

    def _requeue_dead_now_and_then(self, session: Session, now: datetime) -> None:
        """requeue_dead, at most once a second per runner: each claim need not look for the dead."""
        if self._requeued_at is None or not timedelta(0) <= now - self._requeued_at < REQUEUE_EVERY:
            self.requeue_dead(session, now)
            self._requeued_at = now

    def requeue_dead(self, session: Session, now: datetime) -> int:
        """Queue again the jobs of runners that died: lease over, or heartbeat silent for too long."""
        silent = select(Heartbeat.runner_id).where(Heartbeat.seen_at < alive_since(now))
        return session.execute(
            update(Job).where(Job.status == JobStatus.RUNNING,
                              or_(Job.locked_until < now, Job.locked_by.in_(silent)))
            .values(status=JobStatus.QUEUED, locked_by=None, locked_until=None, sent_at=None,
                    last_error="The runner running this job stopped before finishing it; running it again.")
            .execution_options(synchronize_session=False)).rowcount

    # Running -------------------------------------------------------------------------------------

    def execute(self, job: Job, *, claim: _OpenClaim | None = None) -> None:
        """Run a claimed job and record how it ended. With `claim`, the claim's transaction is still open
        for the task's first_transaction(); whatever the task leaves of it is committed before the end
        is recorded."""
        spec = get_task(job.name)
        token = current_runner.set(self.runner_id)
        running = _Running(job.id, job.name, self.runner_id, claim)
        running_token = _running.set(running)
        try:
            try:
                spec.function(**job.payload)
            finally:
                _running.reset(running_token)
                running.settle_claim()
        except RetryLater as later:
            if self._still_ours(running):
                self._finish(job, JobStatus.QUEUED, run_at=later.at, error=later.reason or None, refund=True)
        except Exception as exc:
            if self._still_ours(running):
                log.exception("job %s (%s) failed on attempt %s", job.name, job.id, job.attempts)
                error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
                if job.attempts >= job.max_attempts:
                    self._finish(job, JobStatus.FAILED, error=error)
                else:
                    self._finish(job, JobStatus.QUEUED, run_at=clock.now() + backoff(job.attempts), error=error)
        else:
            if self._still_ours(running) and not running.ended:
                self._finish(job, JobStatus.DONE)
        finally:
            current_runner.reset(token)

    def _still_ours(self, running: _Running) -> bool:
        """Whether this runner holds the job to record its end: a claim rolled back with the task's first
        transaction left it queued, so it is taken again (None: another runner has it now)."""
        if not running.claim_lost:
            return True
        for pause in FINISH_RETRY_PAUSES:  # the rollback may have been the database restarting
            try:
                return self.claim(running.job_id) is not None
            except OperationalError as exc:
                log.warning("could not take job %s back (%s); retrying in %s s", running.job_id, exc, pause)
                time.sleep(pause)
        return self.claim(running.job_id) is not None

    def _finish(self, job: Job, status: JobStatus, *, run_at: datetime | None = None, error: str | None = None,
                refund: bool = False) -> None:
        values: dict[str, object] = {"status": status, "locked_by": None, "locked_until": None}
        if status in (JobStatus.DONE, JobStatus.FAILED):
            values["finished_at"] = clock.now()
        if status == JobStatus.QUEUED:
            values["sent_at"] = None  # a broker message must be sent again when it is due
        if run_at is not None:
            values["run_at"] = run_at
        if error is not None:
            values["last_error"] = error
        if refund:
            values["attempts"] = Job.attempts - 1
        # The database may be restarting right now: keep trying for a while, or the job would sit in
        # 'running' until its lease ends although its runner is alive.
        for pause in FINISH_RETRY_PAUSES:
            try:
                self._record(job, status, values, run_at)
                return
            except OperationalError as exc:
                log.warning("could not record the end of job %s (%s); retrying in %s s", job.id, exc, pause)
                time.sleep(pause)
        self._record(job, status, values, run_at)

    def _record(self, job: Job, status: JobStatus, values: dict[str, object], run_at: datetime | None) -> None:
        with self.db.unit_of_work() as session:
            # Only the runner holding the lease may finish the job (another may have taken it over).
            session.execute(update(Job).where(Job.id == job.id, Job.locked_by == self.runner_id).values(**values)
                            .execution_options(synchronize_session=False))
            if status == JobStatus.QUEUED and run_at is not None and run_at <= clock.now():
                broker.send_after_commit(session, [job.id])

    # Periodic jobs and liveness ------------------------------------------------------------------

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

    def beat(self) -> None:
        now = clock.now()
        with self.db.unit_of_work() as session:
            beat = session.get(Heartbeat, self.runner_id)
            if beat is None:
                session.add(Heartbeat(runner_id=self.runner_id, kind=self.kind, hostname=socket.gethostname(),
                                      pid=os.getpid(), started_at=self.started_at, seen_at=now))
            else:
                beat.seen_at = now


# A task's share of its job's transactions ----------------------------------------------------------------


@dataclass
class _OpenClaim:
    """A claim's transaction, not committed yet: the task's first transaction continues it."""

    transaction: ExitStack
    session: Session


@dataclass
class _Running:
    job_id: str
    name: str
    runner_id: str
    claim: _OpenClaim | None
    claim_lost: bool = False  # the task's first transaction rolled back, and the claim with it
    ended: bool = False  # the task recorded the job's end in one of its own transactions (end_job)

    def settle_claim(self) -> None:
        """Commit the claim if the task did not take it over (it may have returned before its first
        transaction); the job's end is recorded after this, in another transaction."""
        if self.claim is not None:
            claim, self.claim = self.claim, None
            claim.transaction.close()


_running: ContextVar[_Running | None] = ContextVar("socialdesk_running_job", default=None)


@contextmanager
def first_transaction(db: Database) -> Iterator[Session]:
    """The task's first unit of work: inside a job whose task `joins_claim`, the claim's own transaction
    (claim and first step commit together, or roll back together); elsewhere a new one."""
    running = _running.get()
    claim = running.claim if running is not None else None
    if running is None or claim is None:
        with db.unit_of_work() as session:
            yield session
        return
    running.claim = None
    try:
        with claim.transaction:
            yield claim.session
    except BaseException:
        running.claim_lost = True  # the job is queued again as if never claimed; execute() takes it back
        raise


# Built once, on the table: a job's end is on every job's path, and building an UPDATE (and the ORM's
# handling of it) costs more CPU than running it.
_END_JOB = (update(_JOBS).where(_JOBS.c.id == bindparam("job_id"), _JOBS.c.locked_by == bindparam("runner_id"))
            .values(status=JobStatus.DONE, locked_by=None, locked_until=None,
                    finished_at=bindparam("now", type_=UTCDateTime())))


def end_job(session: Session, name: str) -> None:
    """Record the end of the running job (if it is a `name` job) in the task's own last transaction, which
    saves the worker a transaction of its own. Only the runner holding the job may end it, as in _finish;
    if the transaction rolls back, the job is not ended and the worker records its end as usual."""
    running = _running.get()
    if running is None or running.name != name or running.ended:
        return
    session.execute(_END_JOB, {"job_id": running.job_id, "runner_id": running.runner_id, "now": clock.now()})

    def ended(_session: Session) -> None:
        running.ended = True

    event.listen(session, "after_commit", ended, once=True)
