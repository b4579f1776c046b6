"""Putting jobs in the queue. A job is a row, written in the caller's transaction: if the caller
rolls back, the job was never enqueued, and if it commits, the job will run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core import clock
from socialdesk.jobs import broker
from socialdesk.jobs.models import Job, JobStatus
from socialdesk.jobs.registry import get_task


def enqueue(session: Session, name: str, payload: dict[str, Any] | None = None, *,
            run_at: datetime | None = None, dedupe_key: str | None = None) -> Job | None:
    """Add a job; with `dedupe_key`, do nothing when a queued or running job has the same key."""
    spec = get_task(name)
    if dedupe_key is not None:
        existing = session.scalars(select(Job.id).where(
            Job.dedupe_key == dedupe_key, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))).first()
        if existing:
            return None
    now = clock.now()
    due = run_at is None or run_at <= now
    job = Job(name=name, payload=payload or {}, run_at=run_at or now, dedupe_key=dedupe_key,
              max_attempts=spec.max_attempts, sent_at=now if due and broker.enabled() else None)
    session.add(job)
    session.flush()
    if due:
        broker.send_after_commit(session, [job.id])
    return job
