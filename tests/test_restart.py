"""Publications scheduled before a restart are published once after it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.jobs.models import Job
from socialdesk.jobs.runner import Runner
from socialdesk.publishing import service as publishing
from tests.helpers import make_world, sandbox_post_count


def _schedule(db: Database, channel_id: str, world_ctx, n: int, at) -> list[str]:  # type: ignore[no-untyped-def]
    ids = []
    with db.unit_of_work() as session:
        ctx = world_ctx(session)
        for i in range(n):
            post = content.compose(ctx, PostIn(text=f"Post {i} #coffee", channel_ids=[channel_id],
                                               scheduled_at=at, intent=Intent.SCHEDULE)).post
            ids.append(post.id)
    return ids


def test_a_crash_between_sending_and_recording_does_not_post_twice(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    _schedule(database, world.channels["x"], world.ctx, 1, clock.now() + timedelta(minutes=5))
    clock.advance(timedelta(minutes=5))
    publishing.dispatch_due(database)
    with database.read_sessions() as session:
        job_id = session.scalars(select(Job.id).where(Job.name == "publication.publish")).one()
    job = Runner(database).claim(job_id)
    assert job is not None
    # The worker gets as far as the network call, then dies before it can record the result.
    attempt = publishing._start_attempt(database, job.payload["publication_id"])
    assert attempt is not None
    with database.read_sessions() as session:
        channel = session.get(Channel, world.channels["x"])
        assert channel is not None
        channels.adapter(channel).publish(attempt.outgoing)
    # A new process starts; once the dead worker's lease ends, the job runs again.
    clock.advance(timedelta(minutes=6))
    Runner(database).run_pending()
    with database.read_sessions() as session:
        publication = session.scalars(select(Publication)).one()
        assert publication.status == PublicationStatus.PUBLISHED
        assert publication.attempts == 2
        assert sandbox_post_count() == 1


@pytest.mark.slow
def test_worker_process_killed_and_restarted_publishes_everything_once(database: Database, tmp_path: Path) -> None:
    """A real worker process, SIGKILLed before the posts are due, then started again."""
    real = clock_module.get_clock()
    assert not isinstance(real, ManualClock)
    world = make_world(database, profiles=("x", "mastodon"))
    due = real.now() + timedelta(seconds=4)
    ids = _schedule(database, world.channels["x"], world.ctx, 6, due)
    ids += _schedule(database, world.channels["mastodon"], world.ctx, 6, due)
    env = {**os.environ, "SOCIALDESK_DATABASE_URL": database.url, "SOCIALDESK_RUNNER_POLL_SECONDS": "0.2",
           "SOCIALDESK_LOG_LEVEL": "WARNING"}
    command = [str(Path(sys.executable).parent / "socialdesk"), "worker"]

    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.0)  # running, heartbeating, nothing due yet
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    with database.read_sessions() as session:
        assert sandbox_post_count() == 0

    second = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 45
        while time.time() < deadline:
            with database.read_sessions() as session:
                statuses = list(session.scalars(select(Publication.status)))
            if statuses and all(s == PublicationStatus.PUBLISHED for s in statuses):
                break
            time.sleep(0.3)
    finally:
        second.terminate()
        second.wait(10)
    with database.read_sessions() as session:
        statuses = list(session.scalars(select(Publication.status)))
        assert statuses.count(PublicationStatus.PUBLISHED) == 12, statuses
        assert sandbox_post_count() == 12
    assert len(ids) == 12
