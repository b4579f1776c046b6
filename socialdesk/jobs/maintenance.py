"""Housekeeping of the job table itself."""

from datetime import timedelta

from sqlalchemy import delete

from socialdesk.core import clock
from socialdesk.core.db import get_database
from socialdesk.jobs.models import Heartbeat, Job, JobStatus
from socialdesk.jobs.registry import task

KEEP_DONE = timedelta(days=7)
KEEP_FAILED = timedelta(days=30)


@task("jobs.cleanup", every_seconds=6 * 3600)
def cleanup() -> None:
    now = clock.now()
    with get_database().unit_of_work() as session:
        session.execute(delete(Job).where(Job.status == JobStatus.DONE, Job.finished_at < now - KEEP_DONE))
        session.execute(delete(Job).where(Job.status == JobStatus.FAILED, Job.finished_at < now - KEEP_FAILED))
        session.execute(delete(Heartbeat).where(Heartbeat.seen_at < now - timedelta(days=1)))
    get_database().refresh_statistics()
