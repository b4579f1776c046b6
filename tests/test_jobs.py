"""The durable job runner: claims, retries with backoff, leases, periodic jobs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.jobs.models import Job, JobStatus, PeriodicSchedule
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import PERIODIC, RetryLater, task
from socialdesk.jobs.runner import Runner, backoff

calls: list[str] = []


@task("test.record")
def record(value: str) -> None:
    calls.append(value)


@task("test.flaky", max_attempts=3)
def flaky(value: str) -> None:
    calls.append(value)
    raise RuntimeError("the network is down")


@task("test.later")
def later(value: str) -> None:
    from socialdesk.core import clock

    if value not in calls:
        calls.append(value)
        raise RetryLater(clock.now() + timedelta(minutes=10), "rate limited")
    calls.append(value + ":done")


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()


def _job(db: Database, job_id: str) -> Job:
    with db.read_sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_a_job_runs_once_when_due(database: Database, clock: ManualClock) -> None:
    with database.unit_of_work() as session:
        job_id = enqueue(session, "test.record", {"value": "a"}, run_at=clock.now() + timedelta(minutes=5)).id
    runner = Runner(database)
    runner.run_pending()
    assert calls == []
    clock.advance(timedelta(minutes=5))
    runner.run_pending()
    runner.run_pending()
    assert calls == ["a"]
    assert _job(database, job_id).status == JobStatus.DONE


def test_a_job_rolled_back_with_its_transaction_never_runs(database: Database, clock: ManualClock) -> None:
    with pytest.raises(RuntimeError), database.unit_of_work() as session:
        enqueue(session, "test.record", {"value": "ghost"})
        raise RuntimeError("the caller failed after enqueueing")
    Runner(database).run_pending()
    assert calls == []


def test_failures_back_off_then_give_up(database: Database, clock: ManualClock) -> None:
    with database.unit_of_work() as session:
        job_id = enqueue(session, "test.flaky", {"value": "x"}).id
    runner = Runner(database)
    runner.run_pending()
    job = _job(database, job_id)
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert job.run_at > clock.now() and "the network is down" in (job.last_error or "")
    for _ in range(5):
        clock.advance(timedelta(hours=2))
        runner.run_pending()
    job = _job(database, job_id)
    assert job.status == JobStatus.FAILED and job.attempts == 3
    assert calls == ["x", "x", "x"]


def test_retry_later_does_not_count_as_a_failure(database: Database, clock: ManualClock) -> None:
    with database.unit_of_work() as session:
        job_id = enqueue(session, "test.later", {"value": "y"}).id
    runner = Runner(database)
    runner.run_pending()
    assert _job(database, job_id).attempts == 0
    clock.advance(timedelta(minutes=10))
    runner.run_pending()
    assert calls == ["y", "y:done"]


def test_dedupe_key_keeps_one_queued_job(database: Database, clock: ManualClock) -> None:
    with database.unit_of_work() as session:
        assert enqueue(session, "test.record", {"value": "1"}, dedupe_key="k") is not None
        assert enqueue(session, "test.record", {"value": "2"}, dedupe_key="k") is None
    Runner(database).run_pending()
    with database.unit_of_work() as session:
        assert enqueue(session, "test.record", {"value": "3"}, dedupe_key="k") is not None


def test_a_job_whose_runner_died_runs_again_after_its_lease(database: Database, clock: ManualClock) -> None:
    with database.unit_of_work() as session:
        job_id = enqueue(session, "test.record", {"value": "z"}).id
    dead = Runner(database)
    claimed = dead.claim_next()
    assert claimed is not None and claimed.id == job_id
    # The first runner is killed before it finishes; another runner must not take the job early.
    survivor = Runner(database)
    survivor.run_pending()
    assert calls == []
    clock.advance(timedelta(minutes=11))
    survivor.run_pending()
    assert calls == ["z"]
    assert _job(database, job_id).status == JobStatus.DONE


def test_two_runners_never_claim_the_same_job(database: Database, clock: ManualClock) -> None:
    with database.unit_of_work() as session:
        for i in range(20):
            enqueue(session, "test.record", {"value": str(i)})
    first, second = Runner(database), Runner(database)
    claimed = []
    while True:
        a, b = first.claim_next(), second.claim_next()
        if a is None and b is None:
            break
        claimed += [j.id for j in (a, b) if j is not None]
    assert len(claimed) == len(set(claimed)) == 20


def test_periodic_jobs_are_enqueued_once_per_interval(database: Database, clock: ManualClock) -> None:
    runner_a, runner_b = Runner(database), Runner(database)
    runner_a.tick_schedules()
    runner_b.tick_schedules()
    with database.read_sessions() as session:
        names = [j.name for j in session.scalars(select(Job))]
        assert sorted(names) == sorted(PERIODIC)
        schedule = session.get(PeriodicSchedule, "publications.dispatch")
        assert schedule is not None and schedule.next_run_at == clock.now() + timedelta(seconds=15)


def test_backoff_grows_and_is_jittered() -> None:
    first = [backoff(1).total_seconds() for _ in range(50)]
    fifth = [backoff(5).total_seconds() for _ in range(50)]
    assert max(first) <= 10 and max(fifth) <= 160
    assert sum(fifth) / 50 > sum(first) / 50
    assert len(set(first)) > 1


def test_a_job_whose_message_waited_too_long_is_rescued_from_the_database(database: Database,
                                                                          clock: ManualClock) -> None:
    """A worker that stopped taking messages (a known Celery fault after a Redis restart) must not strand
    its jobs: a job due and sent a minute ago is claimed straight from the database; a fresh one is not."""
    with database.unit_of_work() as session:
        sent = enqueue(session, "test.record", {"value": "sent"})
        never_sent = enqueue(session, "test.record", {"value": "never sent"})
        sent.sent_at = clock.now()
        sent_id, never_sent_id = sent.id, never_sent.id
    rescuer = Runner(database, kind="worker")
    waited = timedelta(seconds=60)
    assert rescuer.claim_next(waiting_longer_than=waited) is None  # both are fresh: the broker's turn
    clock.advance(timedelta(seconds=61))
    first = rescuer.claim_next(waiting_longer_than=waited)
    second = rescuer.claim_next(waiting_longer_than=waited)
    assert first is not None and second is not None and {first.id, second.id} == {sent_id, never_sent_id}
    rescuer.execute(first)
    rescuer.execute(second)
    assert rescuer.claim_next(waiting_longer_than=waited) is None
    with database.read_sessions() as session:
        assert {j.status for j in session.scalars(select(Job))} == {JobStatus.DONE}


def test_a_job_sent_again_recently_waits_for_its_message(database: Database, clock: ManualClock) -> None:
    with database.unit_of_work() as session:
        job = enqueue(session, "test.record", {"value": "resent"})
    clock.advance(timedelta(seconds=150))
    with database.unit_of_work() as session:
        session.get(Job, job.id).sent_at = clock.now()  # the scheduler just sent it again
    assert Runner(database, kind="worker").claim_next(waiting_longer_than=timedelta(seconds=60)) is None


def test_a_job_whose_messages_keep_vanishing_is_rescued_all_the_same(database: Database, clock: ManualClock) -> None:
    """The scheduler sends a lost message again every 30 s, sooner than the rescue's minute: a job sent again
    and again (its messages taken by a worker that never runs them) was never old enough for the rescue.
    Due three rescue periods ago, it is run from the database whatever its messages."""
    with database.unit_of_work() as session:
        job = enqueue(session, "test.record", {"value": "resent again and again"})
    for _ in range(6):  # three minutes of re-sends every 30 s
        clock.advance(timedelta(seconds=30))
        with database.unit_of_work() as session:
            session.get(Job, job.id).sent_at = clock.now()
    rescued = Runner(database, kind="worker").claim_next(waiting_longer_than=timedelta(seconds=60))
    assert rescued is not None and rescued.id == job.id

