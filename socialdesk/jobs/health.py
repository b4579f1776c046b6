"""Is anything running the jobs? Read from the runners' heartbeats, for the UI banner and `doctor`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.jobs import broker
from socialdesk.jobs.models import Heartbeat

# Kinds of runner that execute jobs; a scheduler only enqueues and sends.
EXECUTING = ("embedded", "worker")


@dataclass(frozen=True)
class Liveness:
    executing: int  # processes or threads that run jobs, alive now
    schedulers: int
    broker_mode: bool

    @property
    def jobs_run(self) -> bool:
        """Will due jobs be run? Embedded runners schedule for themselves; with a broker a scheduler must live."""
        if self.broker_mode:
            return self.executing > 0 and self.schedulers > 0
        return self.executing > 0

    def problem(self) -> str | None:
        if self.broker_mode and self.schedulers == 0:
            return "No scheduler is running (start `socialdesk scheduler`)"
        if self.executing == 0:
            return "No job runner is running (start `socialdesk worker`, or `socialdesk serve` without --no-jobs)"
        return None


def alive_since(now: datetime) -> datetime:
    """A runner whose heartbeat is older than this is taken for dead (its jobs are queued again)."""
    return now - timedelta(seconds=get_settings().heartbeat_stale_seconds)


def runner_alive(session: Session, runner_id: str, now: datetime) -> bool:
    seen = session.scalar(select(Heartbeat.seen_at).where(Heartbeat.runner_id == runner_id))
    return seen is not None and seen >= alive_since(now)


def liveness(session: Session, now: datetime | None = None) -> Liveness:
    now = now or clock.now()
    fresh = alive_since(now)
    counts = dict(session.execute(select(Heartbeat.kind, func.count()).where(Heartbeat.seen_at >= fresh)
                                  .group_by(Heartbeat.kind)).all())
    return Liveness(executing=sum(counts.get(k, 0) for k in EXECUTING), schedulers=counts.get("scheduler", 0),
                    broker_mode=broker.enabled())
