"""Durable jobs: stored in the database so they survive a restart of the process that runs them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core import clock
from socialdesk.core.db import Base, IdMixin


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(IdMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "status", "run_at"),)

    name: Mapped[str] = mapped_column(String(64))  # "publication.publish"
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    run_at: Mapped[datetime] = mapped_column(default=clock.now)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    # A queued or running job with the same key is not enqueued twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), index=True)
    # With a broker: when a message naming this job was last sent (the scheduler re-sends lost ones).
    sent_at: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None]


class PeriodicSchedule(Base):
    """A job that runs every `interval_seconds`; whoever advances `next_run_at` first enqueues it."""

    __tablename__ = "periodic_schedules"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    interval_seconds: Mapped[int]
    next_run_at: Mapped[datetime]
    last_run_at: Mapped[datetime | None]


class Heartbeat(Base):
    """The last sign of life of each runner process, for the "no worker is running" banner."""

    __tablename__ = "heartbeats"

    runner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # embedded, worker, scheduler
    hostname: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int]
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]
