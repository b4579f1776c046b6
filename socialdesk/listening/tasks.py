"""Listening jobs: every minute each active monitor gets a job of its own that polls its sources, so one
slow feed or failing workspace holds up no other (a monitor whose job is still queued is not queued twice)."""

from sqlalchemy import select

from socialdesk.core.db import get_database
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import task
from socialdesk.listening import service
from socialdesk.listening.models import Monitor

EVERY_SECONDS = 60


@task("listening.run_all", every_seconds=EVERY_SECONDS)
def run_all() -> None:
    with get_database().unit_of_work() as session:
        for monitor_id in session.scalars(select(Monitor.id).where(Monitor.active.is_(True))):
            enqueue(session, "listening.run_monitor", {"monitor_id": monitor_id}, dedupe_key=f"listening:{monitor_id}")


@task("listening.run_monitor", max_attempts=2)
def run_monitor(monitor_id: str) -> None:
    with get_database().unit_of_work() as session:
        monitor = session.get(Monitor, monitor_id)
        if monitor is not None and monitor.active:
            service.run_monitor(session, monitor)
