"""`socialdesk scheduler`: with a broker, one or more of these enqueue periodic jobs, send messages for
jobs that become due (or whose message was lost), and queue again the jobs of dead workers.

Two schedulers are safe: each periodic run is elected by a conditional UPDATE, and a message sent twice
costs one failed claim."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import or_, select, update

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.db import Database
from socialdesk.jobs import broker
from socialdesk.jobs.models import Job, JobStatus
from socialdesk.jobs.worker import JobWorker

log = logging.getLogger("socialdesk.jobs")
SEND_BATCH = 1000


class Scheduler(JobWorker):
    def __init__(self, database: Database, poll_seconds: float = 0.5) -> None:
        super().__init__(database, kind="scheduler")
        self.poll_seconds = poll_seconds

    def send_due(self) -> int:
        """Send a message for each due job that has none; returns how many were sent.

        A job whose message went out a while ago gets another only when the broker's queue is empty:
        then its message was lost (broker restart) or died with a worker. While the queue still holds
        messages the workers are merely busy, and re-sending would flood the queue with repeats.
        """
        now = clock.now()
        resend = now - timedelta(seconds=get_settings().resend_after_seconds)
        waiting = broker.queue_length()
        lost = or_(Job.sent_at.is_(None), Job.sent_at < resend) if waiting == 0 else Job.sent_at.is_(None)
        with self.db.unit_of_work() as session:
            self.requeue_dead(session, now)
            ids = list(session.scalars(
                select(Job.id).where(Job.status == JobStatus.QUEUED, Job.run_at <= now, lost)
                .order_by(Job.run_at).limit(SEND_BATCH)))
            if ids:
                session.execute(update(Job).where(Job.id.in_(ids)).values(sent_at=now)
                                .execution_options(synchronize_session=False))
        broker.send(ids)
        return len(ids)

    def step(self) -> int:
        self.beat()
        self.tick_schedules()
        return self.send_due()

    def run_forever(self, stop: threading.Event) -> None:
        log.info("scheduler %s running", self.runner_id)
        while not stop.is_set():
            try:
                sent = self.step()
            except Exception:
                # The database or the broker may be restarting: keep going, nothing is lost.
                log.exception("scheduler step failed; trying again")
                sent = 0
            if not sent:
                stop.wait(self.poll_seconds)
