"""The paid section of a progress report: per campaign with ad results in the period, its spend,
results, ROAS with interval and pacing (docs/ads.md, "Reports")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from socialdesk.campaigns import metrics as paid
from socialdesk.campaigns.models import Ad, AdResult, Campaign
from socialdesk.campaigns.pacing import Pacing
from socialdesk.campaigns.service import view
from socialdesk.core.errors import ValidationFailed
from socialdesk.workspaces.context import WorkspaceContext


@dataclass
class PaidRow:
    campaign: str
    currency: str
    platforms: str
    results: paid.Results  # the period's rows only
    pacing: Pacing  # the whole campaign's, as of today


COLUMNS = ("campaign", "platforms", "currency", "spend", "impressions", "clicks", "conversions", "revenue", "cpc",
           "cpm", "ctr", "roas", "roas_low", "roas_high", "pacing")


def section(ctx: WorkspaceContext, first: date, last: date) -> list[PaidRow]:
    ads = {a.id: a for a in ctx.session.scalars(ctx.select(Ad).where(Ad.campaign_id.is_not(None)))}
    rows = list(ctx.session.scalars(ctx.select(AdResult).where(AdResult.starts_on <= last, AdResult.ends_on >= first)))
    by_campaign: dict[str, list[AdResult]] = defaultdict(list)
    for row in rows:
        ad = ads.get(row.ad_id)
        if ad is not None and ad.campaign_id:
            by_campaign[ad.campaign_id].append(row)
    out = []
    chosen = ctx.select(Campaign).where(Campaign.id.in_(by_campaign)).order_by(Campaign.name)
    for campaign in ctx.session.scalars(chosen):
        found = by_campaign[campaign.id]
        if len({r.currency for r in found}) > 1:
            continue  # mixed currencies: the campaign's page says so
        try:
            pacing = view(ctx, campaign.id).pacing
        except ValidationFailed:
            continue
        platforms = ", ".join(sorted({ads[r.ad_id].platform for r in found}))
        out.append(PaidRow(campaign.name, found[0].currency, platforms, paid.results(found), pacing))
    return out


def table(rows: list[PaidRow]) -> list[list[object]]:
    out: list[list[object]] = [list(COLUMNS)]
    for r in rows:
        t, m = r.results.totals, r.results.metrics
        out.append([r.campaign, r.platforms, r.currency, t["spend"], t["impressions"], t["clicks"], t["conversions"],
                    t["revenue"], m["cpc"].value, m["cpm"].value, m["ctr"].value, m["roas"].value, m["roas"].low,
                    m["roas"].high, r.pacing.text])
    return out
