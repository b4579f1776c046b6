"""Putting jobs in the queue. A job is a row, written in the caller's transaction: if the caller
rolls back, the job was never enqueued, and if it commits, the job will run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from socialdesk.core import clock
from socialdesk.core.ids import new_id
from socialdesk.jobs import broker
from socialdesk.jobs.models import Job, JobStatus
from socialdesk.jobs.registry import get_task


def enqueue(session: Session, name: str, payload: dict[str, Any] | None = None, *,
            run_at: datetime | None = None, dedupe_key: str | None = None) -> Job | None:
    """Add a job; with `dedupe_key`, do nothing when a queued or running job has the same key."""
    if dedupe_key is not None and _pending_keys(session, [dedupe_key]):
        return None
    now = clock.now()
    due = run_at is None or run_at <= now
    job = Job(name=name, payload=payload or {}, run_at=run_at or now, dedupe_key=dedupe_key,
              max_attempts=get_task(name).max_attempts, sent_at=now if due and broker.enabled() else None)
    session.add(job)
    session.flush()
    if due:
        broker.send_after_commit(session, [job.id])
    return job


def enqueue_many(session: Session, name: str, payloads: dict[str, dict[str, Any]]) -> list[str]:
    """Add one job due now per dedupe key -> payload, skipping keys a queued or running job has already;
    returns the new jobs' ids. (The dispatcher enqueues hundreds at once: one look-up and one bulk insert
    instead of hundreds, and no objects for the session to track: their flush cost the worker more CPU than
    the publications' own statements.)"""
    pending = _pending_keys(session, list(payloads))
    spec = get_task(name)
    now = clock.now()
    sent_at = now if broker.enabled() else None
    rows = [{"id": new_id(), "name": name, "payload": payload, "run_at": now, "dedupe_key": key,
             "max_attempts": spec.max_attempts, "sent_at": sent_at, "created_at": now}
            for key, payload in payloads.items() if key not in pending]
    if rows:
        session.execute(insert(Job), rows)
        broker.send_after_commit(session, [row["id"] for row in rows])
    return [row["id"] for row in rows]


def _pending_keys(session: Session, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(session.scalars(select(Job.dedupe_key).where(
        Job.dedupe_key.in_(keys), Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))))

