"""Campaign jobs: check every running campaign's pacing and targets once an hour."""

from datetime import timedelta

from sqlalchemy import or_, select

from socialdesk.campaigns import ad_requests, alerts, sandbox_ads
from socialdesk.campaigns.models import Campaign
from socialdesk.core import clock
from socialdesk.core.db import get_database
from socialdesk.jobs.registry import task
from socialdesk.workspaces.service import system_context

__all__ = ["ad_requests", "check_all"]  # ad_requests: its job (ad_request.execute) registers on import


@task("campaigns.check_all", every_seconds=3600)
def check_all() -> None:
    yesterday = (clock.now() - timedelta(days=1)).date()
    with get_database().unit_of_work() as session:
        running = list(session.scalars(select(Campaign).where(or_(Campaign.ends_on.is_(None),
                                                                  Campaign.ends_on >= yesterday))))
        for workspace_id in sorted({c.workspace_id for c in running}):
            sandbox_ads.refresh_all(system_context(session, workspace_id, "sandbox ads"))
        for campaign in running:
            alerts.check(system_context(session, campaign.workspace_id, "campaign alerts"), campaign)
