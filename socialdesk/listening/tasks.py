"""Listening jobs: every active monitor is run on a schedule (polling its sources), one unit of work per
monitor so a failing source or workspace stays in its own."""

from sqlalchemy import select

from socialdesk.core.db import get_database
from socialdesk.jobs.registry import task
from socialdesk.listening import service
from socialdesk.listening.models import Monitor

EVERY_SECONDS = 60


@task("listening.run_monitors", every_seconds=EVERY_SECONDS)
def run_monitors() -> None:
    db = get_database()
    with db.unit_of_work() as session:
        ids = list(session.scalars(select(Monitor.id).where(Monitor.active.is_(True))))
    for monitor_id in ids:
        with db.unit_of_work() as session:
            monitor = session.get(Monitor, monitor_id)
            if monitor is not None and monitor.active:
                service.run_monitor(session, monitor)
