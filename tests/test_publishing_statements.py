"""How many SQL statements one publication costs the publishing pipeline (issue 19: at most 8; 19 before),
counted with an SQLAlchemy `before_cursor_execute` listener on socialdesk's own database, never timed.

A publish job's claim and the try's record share one transaction (the limits are conditions of the try's
UPDATE), and the outcome's transaction also ends the job: 5 statements in 2 transactions for a post, through
the embedded runner and through a Celery message alike (6 where the workspace has webhooks: the outcome's
UPDATE returns whether it has any). The sandbox network's own database is not counted:
a real network is not ours either."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.jobs.models import Job, JobStatus
from socialdesk.jobs.runner import Runner
from socialdesk.jobs.worker import JobWorker
from socialdesk.publishing import service as publishing
from tests.helpers import World, make_world, sandbox_post_count

LIMIT = 8
S = PublicationStatus


@contextmanager
def counted(database: Database) -> Iterator[list[str]]:
    """The statements sent to the database (both its engines), transaction control left out."""
    statements: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
            statements.append(" ".join(statement.split())[:160])

    engines = {id(engine): engine for engine in (database.engine, database.read_engine)}.values()  # one on PG
    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)


def _posts_due_now(database: Database, world: World, count: int, text: str = "Hello number {n} #coffee") -> None:
    with database.unit_of_work() as session:
        for n in range(count):
            content.compose(world.ctx(session), PostIn(text=text.format(n=n), channel_ids=[world.channels["x"]],
                                                       intent=Intent.PUBLISH_NOW))


def _publish_jobs(database: Database) -> list[str]:
    with database.read_sessions() as session:
        return list(session.scalars(select(Job.id).where(Job.name == "publication.publish",
                                                         Job.status == JobStatus.QUEUED).order_by(Job.run_at)))


def _all_published(database: Database, count: int) -> None:
    with database.read_sessions() as session:
        statuses = list(session.scalars(select(Publication.status)))
        open_jobs = session.scalar(select(Job.id).where(Job.name == "publication.publish",
                                                        Job.status != JobStatus.DONE).limit(1))
    assert statuses == [S.PUBLISHED] * count
    assert open_jobs is None  # every publish job ended, in the publication's own transaction
    assert sandbox_post_count() == count


def test_a_publication_costs_at_most_8_statements_through_the_embedded_runner(database: Database,
                                                                               clock: ManualClock) -> None:
    # "x" has a posting limit (100 per 15 minutes): the limit's count is part of the try's UPDATE.
    world = make_world(database, profiles=("x",))
    _posts_due_now(database, world, 6)
    publishing.dispatch_due(database)
    runner = Runner(database)
    # Warm: the dispatch pass composing asked for (it finds them dispatched already) runs first, and the
    # look for dead runners' jobs (once a second) is done.
    assert runner.run_next() is not None
    for _ in range(6):
        with counted(database) as statements:
            job = runner.run_next()
        assert job is not None and job.name == "publication.publish"
        assert len(statements) <= LIMIT, statements
    _all_published(database, 6)


def test_a_publication_costs_at_most_8_statements_through_a_celery_message(database: Database,
                                                                            clock: ManualClock) -> None:
    """What a Celery worker does with a message naming a job (celery_worker.run_job_by_id)."""
    world = make_world(database, profiles=("x",))
    _posts_due_now(database, world, 5)
    publishing.dispatch_due(database)
    worker = JobWorker(database, kind="worker")
    for job_id in _publish_jobs(database):
        with counted(database) as statements:
            assert worker.run(job_id)
        assert len(statements) <= LIMIT, statements
        # No webhooks in the workspace: the outcome's UPDATE said so, emit's look-up is not needed.
        assert not [s for s in statements if s.startswith("SELECT") and "outgoing_webhooks" in s], statements
        assert not worker.run(job_id)  # a repeated message does nothing
    _all_published(database, 5)


def test_dispatch_shared_out_keeps_the_average_under_8(database: Database, clock: ManualClock) -> None:
    """The whole pipeline for 20 posts due now — the dispatch pass (its job, the claim of every due
    publication, their jobs) and the 20 publish jobs — over 20 (6.45 when written)."""
    world = make_world(database, profiles=("x",))
    runner = Runner(database)
    runner.run_pending()  # the periodic jobs' first runs, not counted (the clock stands still: no more)
    _posts_due_now(database, world, 20, text="Read https://example.com/{n} today")
    with counted(database) as statements:
        ran = runner.run_pending()
    assert ran == 21  # the dispatch pass and 20 publications
    assert len(statements) / 20 <= LIMIT, statements
    _all_published(database, 20)


def test_a_busy_channel_still_waits_and_the_job_keeps_its_claim(database: Database, clock: ManualClock,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The limits folded into the try's UPDATE still hold: with one call allowed per channel and one try
    in flight, the next publication's try is not counted and its job waits (not failed, not spinning)."""
    monkeypatch.setenv("SOCIALDESK_CHANNEL_CONCURRENCY", "1")
    reset_settings_cache()
    world = make_world(database, profiles=("x",))
    _posts_due_now(database, world, 2)
    publishing.dispatch_due(database)
    first, second = _publish_jobs(database)
    worker = JobWorker(database, kind="worker")
    with database.read_sessions() as session:
        payload = session.get(Job, first)
        assert payload is not None
        publication_id = payload.payload["publication_id"]
    assert worker.claim(first) is not None
    assert publishing._start_attempt(database, publication_id) is not None  # a try in flight, not answered
    assert worker.run(second)
    with database.read_sessions() as session:
        job = session.get(Job, second)
        assert job is not None
        waiting = session.scalars(select(Publication).where(Publication.id == job.payload["publication_id"])).one()
    assert job.status == JobStatus.QUEUED and job.run_at > clock.now() and job.attempts == 0
    assert "rate limit" in (job.last_error or "")
    assert waiting.status == S.PUBLISHING and waiting.attempts == 0 and waiting.attempt_started_at is None
    assert sandbox_post_count() == 0


def test_a_first_transaction_that_fails_takes_the_claim_back_and_backs_off(database: Database, clock: ManualClock,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim rolls back with the try's transaction; the worker takes the job again and records the
    failure with a back-off, so the job neither spins nor stays claimed by no one."""
    world = make_world(database, profiles=("x",))
    _posts_due_now(database, world, 1)
    publishing.dispatch_due(database)
    (job_id,) = _publish_jobs(database)

    def broken(*args: object) -> None:
        raise RuntimeError("the read broke")

    monkeypatch.setattr(publishing, "_read_for_attempt", broken)
    assert JobWorker(database, kind="worker").run(job_id)
    with database.read_sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        publication = session.scalars(select(Publication)).one()
    assert job.status == JobStatus.QUEUED and job.attempts == 1 and job.run_at > clock.now()
    assert job.locked_by is None and "the read broke" in (job.last_error or "")
    assert publication.status == S.PUBLISHING and publication.attempts == 0
    assert sandbox_post_count() == 0
