"""Scheduled maintenance of the calendar."""

from sqlalchemy import select

from socialdesk.core.db import get_database
from socialdesk.jobs.registry import task
from socialdesk.scheduling.service import extend_all_recurrences
from socialdesk.workspaces.models import Workspace
from socialdesk.workspaces.service import system_context


@task("recurrence.extend", every_seconds=3600)
def extend_recurrences() -> None:
    db = get_database()
    with db.unit_of_work() as session:
        workspace_ids = list(session.scalars(select(Workspace.id)))
    for workspace_id in workspace_ids:
        with db.unit_of_work() as session:
            extend_all_recurrences(system_context(session, workspace_id, "recurring posts"))
