"""Report jobs: find the schedules that are due, and send each one's report."""

from socialdesk.core import clock
from socialdesk.core.db import get_database
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import task
from socialdesk.reports import schedules


@task("reports.send_due", every_seconds=3600)
def send_due() -> None:
    db = get_database()
    due = schedules.due_ids(db, clock.now())
    with db.unit_of_work() as session:
        for schedule_id in due:
            enqueue(session, "report.send", {"schedule_id": schedule_id}, dedupe_key=f"report:{schedule_id}")


@task("report.send", max_attempts=3, lease_seconds=900)
def send(schedule_id: str) -> None:
    schedules.send_due(get_database(), schedule_id)
