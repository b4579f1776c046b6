"""Competitor jobs: once a day each competitor gets a snapshot job of its own (one slow or failing server
holds up no other; a competitor whose job is still queued is not queued twice)."""

from sqlalchemy import select

from socialdesk.competitors import discovery, service
from socialdesk.competitors.models import Competitor
from socialdesk.core.db import get_database
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.registry import RetryLater, task
from socialdesk.workspaces.service import system_context

EVERY_SECONDS = 24 * 3600


@task("competitors.snapshot_all", every_seconds=EVERY_SECONDS)
def snapshot_all() -> None:
    with get_database().unit_of_work() as session:
        for competitor_id in session.scalars(select(Competitor.id)):
            enqueue(session, "competitors.snapshot", {"competitor_id": competitor_id},
                    dedupe_key=f"competitor:{competitor_id}")


@task("competitors.snapshot", max_attempts=2)
def snapshot(competitor_id: str) -> None:
    with get_database().unit_of_work() as session:
        competitor = session.get(Competitor, competitor_id)
        if competitor is None:
            return
        result = service.snapshot(system_context(session, competitor.workspace_id, "competitor snapshots"), competitor)
        later = discovery.retry_at(competitor)
    if later is not None:  # X's window is spent: come back at x-rate-limit-reset (after the commit), never sleep
        raise RetryLater(later, result.error)
