"""The layout's numbers (approval badge, unread badge, runner liveness) read in one statement.

Every page of a workspace shows them, so they were five small statements a request; here they are one
SELECT of scalar subqueries, built once (bind parameters), read fresh on every request: nothing is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class LayoutCounts:
    posts_waiting: int  # posts with a publication pending approval (as content.pending_approval_count for the team)
    ad_requests_waiting: int  # all ad requests pending approval (what an owner or admin is shown)
    my_unread: int  # the person's unread personal notifications in this workspace
    executing: int  # runners that execute jobs, alive now (as jobs.health.liveness)
    schedulers: int


@cache
def _statement() -> Select:
    # Imported here: the models pull in services that import the pages' common module.
    from socialdesk.campaigns.models import AdRequest, AdRequestStatus
    from socialdesk.content.models import Publication, PublicationStatus
    from socialdesk.jobs.health import EXECUTING
    from socialdesk.jobs.models import Heartbeat
    from socialdesk.notifications.models import PersonalNotification

    ws, fresh = bindparam("workspace_id"), bindparam("fresh")
    posts = (select(func.count(func.distinct(Publication.post_id)))
             .where(Publication.workspace_id == ws, Publication.status == PublicationStatus.PENDING_APPROVAL))
    ads = select(func.count()).select_from(AdRequest).where(
        AdRequest.workspace_id == ws, AdRequest.status == AdRequestStatus.PENDING_APPROVAL)
    unread = select(func.count()).select_from(PersonalNotification).where(
        PersonalNotification.workspace_id == ws, PersonalNotification.user_id == bindparam("user_id"),
        PersonalNotification.read_at.is_(None))
    executing = select(func.count()).select_from(Heartbeat).where(
        Heartbeat.seen_at >= fresh, Heartbeat.kind.in_(EXECUTING))
    schedulers = select(func.count()).select_from(Heartbeat).where(
        Heartbeat.seen_at >= fresh, Heartbeat.kind == "scheduler")
    return select(posts.scalar_subquery(), ads.scalar_subquery(), unread.scalar_subquery(),
                  executing.scalar_subquery(), schedulers.scalar_subquery())


def layout_counts(session: Session, workspace_id: str, user_id: str | None, fresh: datetime) -> LayoutCounts:
    """`fresh`: a heartbeat at or after it counts as alive (jobs.health.alive_since)."""
    row = session.execute(_statement(), {"workspace_id": workspace_id, "user_id": user_id, "fresh": fresh}).one()
    return LayoutCounts(*(int(v or 0) for v in row))
