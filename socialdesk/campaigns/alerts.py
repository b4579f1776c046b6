"""Campaign alerts: a notification (in the app, and by e-mail to whoever can act) when the spend drifts
off the budget's pace or a target KPI is missed, resolved by itself once the campaign is back on track.

A KPI is "below target" when its value is worse than the target in the metric's own direction and it
rests on at least statistics.MIN_POSTS reporting rows; the message gives the interval, so a reader can
see whether the shortfall could be noise. A count target (conversions, clicks …) is compared with its
share for the days elapsed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from socialdesk.analytics import statistics as st
from socialdesk.campaigns import service
from socialdesk.campaigns.models import Campaign
from socialdesk.core.errors import ValidationFailed
from socialdesk.notifications.service import notify, resolve
from socialdesk.workspaces.context import WorkspaceContext


def check(ctx: WorkspaceContext, campaign: Campaign) -> list[str]:
    """Raise or resolve this campaign's alerts; returns the messages raised."""
    try:
        shown = service.view(ctx, campaign.id)
    except ValidationFailed:
        return []  # mixed currencies: the page says so
    session: Session = ctx.session
    link = f"/w/{ctx.workspace_id}/campaigns/{campaign.id}"
    raised: list[str] = []
    p = shown.pacing
    if not p.finished and p.status in ("over", "under") and p.projected_end is not None and p.budget:
        drift = (p.projected_end - p.budget) / p.budget * 100
        message = (f"Campaign {campaign.name} is {p.text}: at {p.daily_rate:,.2f} {campaign.currency} a day it "
                   f"will spend {p.projected_end:,.2f} of its {p.budget:,.2f} budget ({drift:+.0f} %).")
        notify(session, ctx.workspace_id, "campaign_pacing", message, subject=campaign.id, link=link)
        raised.append(message)
    else:
        resolve(session, ctx.workspace_id, "campaign_pacing", campaign.id)
    share = 1.0
    if p.days_total and not p.finished:
        share = p.days_elapsed / p.days_total
    for check_ in shown.targets:
        subject = f"{campaign.id}:{check_.key}"
        metric = shown.results.metrics.get(check_.key)
        if metric is not None:
            missed = check_.met is False and metric.n >= st.MIN_POSTS
            where = f" ({metric.interval_text})" if metric.low is not None else ""
            message = (f"Campaign {campaign.name}: {check_.label} is {metric.text}{where}, target "
                       f"{check_.target:g}.")
        else:
            due = check_.target * share
            missed = check_.actual is not None and check_.actual < due and shown.results.rows >= st.MIN_POSTS
            message = (f"Campaign {campaign.name}: {check_.key} {check_.actual or 0:,.0f} so far, "
                       f"{due:,.0f} due by now for the target of {check_.target:,.0f}.")
        if missed:
            notify(session, ctx.workspace_id, "campaign_kpi", message, subject=subject, link=link)
            raised.append(message)
        else:
            resolve(session, ctx.workspace_id, "campaign_kpi", subject)
    return raised
