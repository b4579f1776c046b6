"""Goal jobs: decide due milestones and goals, and record what came of them."""

from sqlalchemy import select

from socialdesk.core.db import get_database
from socialdesk.goals import service
from socialdesk.goals.models import Goal, Outcome
from socialdesk.jobs.registry import task
from socialdesk.workspaces.service import system_context


@task("goals.evaluate", every_seconds=6 * 3600)
def evaluate_all() -> None:
    db = get_database()
    with db.unit_of_work() as session:
        workspace_ids = list(session.scalars(select(Goal.workspace_id).where(Goal.status == Outcome.ACTIVE)
                                             .distinct()))
    for workspace_id in workspace_ids:  # one unit of work per workspace: a failure stays in its workspace
        with db.unit_of_work() as session:
            service.evaluate(system_context(session, workspace_id, "goal tracking"))
