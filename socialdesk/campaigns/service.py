"""Campaigns: create and change them, attach posts/ads/contests/links, import ad results, and read how
they are doing (spend vs budget with pacing, paid metrics with intervals, results vs targets, organic vs
paid). Knows nothing of HTTP; the CLI and the pages call it. docs/ads.md explains every part.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, or_, select

from socialdesk.analytics.definitions import METRICS
from socialdesk.audit import service as audit
from socialdesk.campaigns import metrics as paid
from socialdesk.campaigns.ad_import import Parsed
from socialdesk.campaigns.models import GOALS, MEMBER_KINDS, MICROS, Ad, AdResult, Campaign, CampaignMember
from socialdesk.campaigns.pacing import Pacing, daily_spend, pace
from socialdesk.core import clock
from socialdesk.core.errors import Conflict, NotFound, ValidationFailed
from socialdesk.core.ids import new_id
from socialdesk.core.timezones import zone
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

# Target KPIs a campaign may set: the paid metrics plus plain counts. "Below target" means worse than the
# target in the metric's own direction (a CPC above its target is below target).
TARGETABLE = (*paid.PAID_METRICS, "impressions", "clicks", "conversions", "revenue", "reach")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
_CURRENCY = re.compile(r"[A-Z]{3}")


def _money(value: float | None, what: str) -> int | None:
    if value is None:
        return None
    if value < 0 or value > 1e12:
        raise ValidationFailed(f"{what} must be between 0 and 1,000,000,000,000.")
    return round(value * MICROS)


def _clean_targets(targets: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in targets.items():
        if key not in TARGETABLE:
            raise ValidationFailed(f"Unknown target {key!r}; targets can be set for {', '.join(TARGETABLE)}.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationFailed(f"Target {key}: {value!r} is not a number.") from None
        if number < 0:
            raise ValidationFailed(f"Target {key} cannot be negative.")
        out[key] = number
    return out


def create(ctx: WorkspaceContext, *, name: str, goal: str = "traffic", starts_on: date | None = None,
           ends_on: date | None = None, currency: str = "EUR", budget: float | None = None,
           platform_budgets: dict[str, float] | None = None, targets: dict[str, Any] | None = None,
           utm: dict[str, str] | None = None, notes: str = "") -> Campaign:
    ctx.require(Permission.POSTS_WRITE)
    campaign = Campaign(workspace_id=ctx.workspace_id)
    _apply(ctx, campaign, name=name, goal=goal, starts_on=starts_on, ends_on=ends_on, currency=currency,
           budget=budget, platform_budgets=platform_budgets or {}, targets=targets or {}, utm=utm or {}, notes=notes)
    ctx.session.add(campaign)
    ctx.session.flush()
    audit.record(ctx, "campaign.created", "campaign", campaign.id, f"Campaign {campaign.name} created")
    return campaign


def update(ctx: WorkspaceContext, campaign_id: str, **changes: Any) -> Campaign:
    ctx.require(Permission.POSTS_WRITE)
    campaign = get(ctx, campaign_id)
    current = {"name": campaign.name, "goal": campaign.goal, "starts_on": campaign.starts_on,
               "ends_on": campaign.ends_on, "currency": campaign.currency,
               "budget": None if campaign.budget_micros is None else campaign.budget_micros / MICROS,
               "platform_budgets": {k: v / MICROS for k, v in campaign.platform_budgets.items()},
               "targets": dict(campaign.targets), "utm": dict(campaign.utm), "notes": campaign.notes}
    current.update({k: v for k, v in changes.items() if k in current})
    _apply(ctx, campaign, **current)
    ctx.session.flush()
    audit.record(ctx, "campaign.updated", "campaign", campaign.id, f"Campaign {campaign.name} changed")
    return campaign


def _apply(ctx: WorkspaceContext, campaign: Campaign, *, name: str, goal: str, starts_on: date | None,
           ends_on: date | None, currency: str, budget: float | None, platform_budgets: dict[str, float],
           targets: dict[str, Any], utm: dict[str, str], notes: str) -> None:
    name = " ".join((name or "").split())[:200]
    if not name:
        raise ValidationFailed("Give the campaign a name.")
    clash = ctx.session.scalars(ctx.select(Campaign).where(Campaign.name == name, Campaign.id != campaign.id)).first()
    if clash is not None:
        raise Conflict(f"This workspace already has a campaign called {name!r}.")
    if goal not in GOALS:
        raise ValidationFailed(f"The goal is one of {', '.join(GOALS)}.")
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed("The campaign must end on or after the day it starts.")
    currency = (currency or "").strip().upper()
    if not _CURRENCY.fullmatch(currency):
        raise ValidationFailed("The currency is a three-letter code such as EUR or USD.")
    for key in utm:
        if key not in UTM_KEYS:
            raise ValidationFailed(f"Unknown UTM parameter {key!r}; use {', '.join(UTM_KEYS)}.")
    campaign.name, campaign.goal, campaign.starts_on, campaign.ends_on = name, goal, starts_on, ends_on
    campaign.currency = currency
    campaign.budget_micros = _money(budget, "The budget")
    campaign.platform_budgets = {str(k): _money(float(v), f"The {k} budget") for k, v in platform_budgets.items()}
    campaign.targets = _clean_targets(targets)
    campaign.utm = {k: str(v).strip()[:200] for k, v in utm.items() if str(v).strip()}
    campaign.notes = notes.strip()[:5000]


def list_campaigns(ctx: WorkspaceContext) -> list[Campaign]:
    ctx.require(Permission.ANALYTICS_READ)
    return list(ctx.session.scalars(ctx.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.name)))


def get(ctx: WorkspaceContext, campaign_id: str) -> Campaign:
    return ctx.get(Campaign, campaign_id, what="campaign")


def find(ctx: WorkspaceContext, name_or_id: str) -> Campaign:
    """A campaign by id or by name (any case)."""
    ctx.require(Permission.ANALYTICS_READ)
    wanted = name_or_id.strip()
    for campaign in ctx.session.scalars(ctx.select(Campaign)):
        if campaign.id == wanted or campaign.name.casefold() == wanted.casefold():
            return campaign
    raise NotFound(f"No campaign {wanted!r} in this workspace (see `socialdesk ads campaigns`).")


def add_member(ctx: WorkspaceContext, campaign_id: str, kind: str, ref: str, label: str = "") -> CampaignMember:
    ctx.require(Permission.POSTS_WRITE)
    campaign = get(ctx, campaign_id)
    if kind not in MEMBER_KINDS:
        raise ValidationFailed(f"A campaign holds {', '.join(MEMBER_KINDS)}.")
    label = label or _check_member(ctx, kind, ref)
    found = ctx.session.scalars(select(CampaignMember).where(
        CampaignMember.campaign_id == campaign.id, CampaignMember.kind == kind, CampaignMember.ref == ref)).first()
    if found is not None:
        return found
    member = CampaignMember(campaign_id=campaign.id, kind=kind, ref=ref, label=label[:300])
    ctx.session.add(member)
    if kind == "ad":
        ctx.get(Ad, ref, what="ad").campaign_id = campaign.id
    ctx.session.flush()
    return member


def _check_member(ctx: WorkspaceContext, kind: str, ref: str) -> str:
    """The member's label, after checking it is in this workspace."""
    if kind == "post":
        from socialdesk.content.models import Post

        return ctx.get(Post, ref, what="post").text[:80]
    if kind == "ad":
        return ctx.get(Ad, ref, what="ad").name
    if kind == "contest":
        from socialdesk.contests.models import Contest

        return ctx.get(Contest, ref, what="contest").name
    if not re.match(r"https?://", ref):
        raise ValidationFailed("A link member is the short link's full address (https://…).")
    return ref


def members(ctx: WorkspaceContext, campaign: Campaign) -> list[CampaignMember]:
    return list(ctx.session.scalars(select(CampaignMember).where(CampaignMember.campaign_id == campaign.id)
                                    .order_by(CampaignMember.kind, CampaignMember.label)))


def ads_of(ctx: WorkspaceContext, campaign: Campaign) -> list[Ad]:
    return list(ctx.session.scalars(ctx.select(Ad).where(Ad.campaign_id == campaign.id).order_by(Ad.platform,
                                                                                                  Ad.name)))


def results_rows(ctx: WorkspaceContext, ad_ids: list[str], since: date | None = None,
                 until: date | None = None) -> list[AdResult]:
    if not ad_ids:
        return []
    query = ctx.select(AdResult).where(AdResult.ad_id.in_(ad_ids))
    if since is not None:
        query = query.where(AdResult.ends_on >= since)
    if until is not None:
        query = query.where(AdResult.starts_on <= until)
    return list(ctx.session.scalars(query.order_by(AdResult.starts_on)))


# Importing ---------------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    rows: int
    replaced: int  # rows of an earlier import of the same ads and periods, now replaced
    ads_created: int
    campaigns_created: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)


def import_export(ctx: WorkspaceContext, parsed: Parsed, *, label: str, campaign_id: str | None = None
                  ) -> ImportOutcome:
    """Save a checked export. Refuses a file with any row error (nothing is saved); an ad's rows for a
    period already imported replace the earlier ones (overlapping periods), so a re-import never doubles."""
    ctx.require(Permission.POSTS_WRITE)
    if parsed.errors:
        raise ValidationFailed(f"{len(parsed.errors)} row error(s); nothing was imported. Fix the file and import "
                               "it again.", details=parsed.errors[:200])
    if not parsed.rows:
        raise ValidationFailed("The file has no rows of ad results; nothing was imported.")
    chosen = get(ctx, campaign_id) if campaign_id else None
    platform = parsed.fmt.platform
    ads: dict[str, Ad] = {a.external_id: a for a in ctx.session.scalars(
        ctx.select(Ad).where(Ad.platform == platform, Ad.external_id.in_({r.key for r in parsed.rows})))}
    by_name = {c.name.casefold(): c for c in ctx.session.scalars(ctx.select(Campaign))}
    outcome = ImportOutcome(rows=len(parsed.rows), replaced=0, ads_created=0)
    for row in parsed.rows:
        ad = ads.get(row.key)
        if ad is None:
            ad = Ad(workspace_id=ctx.workspace_id, platform=platform, external_id=row.key[:300],
                    name=row.ad or row.campaign, platform_campaign=row.campaign, ad_set=row.ad_set)
            ctx.session.add(ad)
            ads[row.key] = ad
            outcome.ads_created += 1
        if chosen is not None:
            ad.campaign_id = chosen.id
        elif ad.campaign_id is None and row.campaign:
            target = by_name.get(row.campaign[:200].casefold())
            if target is None:
                span = [(r.starts_on, r.ends_on) for r in parsed.rows if r.campaign == row.campaign]
                target = Campaign(workspace_id=ctx.workspace_id, name=" ".join(row.campaign.split())[:200],
                                  goal="traffic", currency=row.currency, platform_budgets={}, targets={}, utm={},
                                  starts_on=min(s for s, _ in span), ends_on=max(e for _, e in span),
                                  notes=f"Created by importing {label}: set its goal and budget.")
                ctx.session.add(target)
                ctx.session.flush()
                by_name[target.name.casefold()] = target
                outcome.campaigns_created.append(target.name)
            ad.campaign_id = target.id
    ctx.session.flush()
    periods: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for row in parsed.rows:
        periods[ads[row.key].id].append((row.starts_on, row.ends_on))
    for ad_id, spans in periods.items():
        # Stored rows of this ad whose period overlaps a row of the file are replaced: never doubled.
        first, last = min(a for a, _ in spans), max(b for _, b in spans)
        days = {a for a, b in spans if a == b}
        ranges = [(a, b) for a, b in spans if a != b]
        stored = ctx.session.execute(select(AdResult.id, AdResult.starts_on, AdResult.ends_on).where(
            AdResult.workspace_id == ctx.workspace_id, AdResult.ad_id == ad_id, AdResult.starts_on <= last,
            AdResult.ends_on >= first)).all()
        gone = [i for i, a, b in stored if (a == b and a in days) or any(a <= y and b >= x for x, y in ranges)
                or (a != b and any(a <= d <= b for d in days))]
        for start in range(0, len(gone), 500):
            ctx.session.execute(delete(AdResult).where(AdResult.id.in_(gone[start:start + 500])))
        outcome.replaced += len(gone)
    values = []
    for row in parsed.rows:
        v = row.values
        values.append({
            "id": new_id(), "workspace_id": ctx.workspace_id, "ad_id": ads[row.key].id, "starts_on": row.starts_on,
            "ends_on": row.ends_on, "currency": row.currency, "spend_micros": round((v["spend"] or 0) * MICROS),
            "impressions": int(v["impressions"] or 0), "reach": _int(v.get("reach")), "clicks": _int(v.get("clicks")),
            "link_clicks": _int(v.get("link_clicks")), "conversions": v.get("conversions"),
            "revenue_micros": None if v.get("revenue") is None else round(v["revenue"] * MICROS),  # type: ignore[operator]
            "video_views": _int(v.get("video_views")), "source": "import", "import_label": label[:300]})
    for start in range(0, len(values), 1000):
        ctx.session.execute(insert(AdResult), values[start:start + 1000])
    ctx.session.flush()
    touched = list(ctx.session.scalars(ctx.select(Campaign).where(
        Campaign.id.in_({a.campaign_id for a in ads.values() if a.campaign_id}))))
    outcome.campaigns = sorted(c.name for c in touched)
    from socialdesk.campaigns import alerts  # (alerts reads campaigns through this module)

    for campaign in touched:
        alerts.check(ctx, campaign)
    audit.record(ctx, "ads.imported", "campaign", chosen.id if chosen else None,
                 f"Imported {outcome.rows} ad result rows from {label} ({parsed.fmt.label})",
                 replaced=outcome.replaced)
    return outcome


def _int(value: float | None) -> int | None:
    return None if value is None else round(value)


# Reading how a campaign does ---------------------------------------------------------------------------


@dataclass
class TargetCheck:
    key: str
    label: str
    target: float
    actual: float | None
    met: bool | None  # None: no value yet
    text: str


@dataclass
class CampaignView:
    campaign: Campaign
    ads: list[Ad]
    results: paid.Results
    pacing: Pacing
    targets: list[TargetCheck]
    by_platform: dict[str, paid.Results]
    organic: dict[str, float | None]
    members: list[CampaignMember]
    today: date

    def summary(self) -> dict[str, Any]:
        t, m = self.results.totals, self.results.metrics
        return {"campaign": {"id": self.campaign.id, "name": self.campaign.name, "goal": self.campaign.goal,
                             "starts_on": _iso(self.campaign.starts_on), "ends_on": _iso(self.campaign.ends_on),
                             "currency": self.campaign.currency},
                "currency": self.results.currency or self.campaign.currency, "rows": self.results.rows,
                "spend": _r(t["spend"]), "impressions": _r(t["impressions"]), "reach": _r(t["reach"]),
                "clicks": _r(t["clicks"]), "link_clicks": _r(t["link_clicks"]),
                "conversions": _r(t["conversions"]), "revenue": _r(t["revenue"]),
                **{k: _r(m[k].value) for k in paid.PAID_METRICS},
                "intervals": {k: {"low": _r(m[k].low), "high": _r(m[k].high), "n": m[k].n, "missing": m[k].missing}
                              for k in paid.PAID_METRICS},
                "pacing": self.pacing.as_dict(),
                "targets": [{"key": c.key, "target": c.target, "actual": _r(c.actual), "met": c.met}
                            for c in self.targets],
                "by_platform": {p: {"spend": _r(r.totals["spend"]), "impressions": _r(r.totals["impressions"]),
                                    "roas": _r(r.metrics["roas"].value)} for p, r in self.by_platform.items()}}


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def today_in(ctx: WorkspaceContext) -> date:
    return clock.now().astimezone(zone(ctx.workspace.timezone)).date()


def view(ctx: WorkspaceContext, campaign_id: str, *, today: date | None = None) -> CampaignView:
    ctx.require(Permission.ANALYTICS_READ)
    campaign = get(ctx, campaign_id)
    today = today or today_in(ctx)
    ads = ads_of(ctx, campaign)
    rows = results_rows(ctx, [a.id for a in ads])
    currencies = sorted({r.currency for r in rows})
    if len(currencies) > 1:
        raise ValidationFailed(f"This campaign's ad results are in {' and '.join(currencies)}; socialdesk does not "
                               "convert currencies. Move each currency's ads to a campaign of its own.")
    overall = paid.results(rows)
    platform_of = {a.id: a.platform for a in ads}
    grouped: dict[str, list[AdResult]] = defaultdict(list)
    for row in rows:
        grouped[platform_of[row.ad_id]].append(row)
    budget = None if campaign.budget_micros is None else campaign.budget_micros / MICROS
    pacing = pace(budget, campaign.starts_on, campaign.ends_on, daily_spend(rows), today)
    return CampaignView(campaign, ads, overall, pacing, _targets(campaign, overall),
                        {p: paid.results(r) for p, r in sorted(grouped.items())}, _organic(ctx, campaign),
                        members(ctx, campaign), today)


def summary(ctx: WorkspaceContext, name_or_id: str) -> dict[str, Any]:
    return view(ctx, find(ctx, name_or_id).id).summary()


def _targets(campaign: Campaign, results: paid.Results) -> list[TargetCheck]:
    checks = []
    for key, target in campaign.targets.items():
        if key in results.metrics:
            mv = results.metrics[key]
            actual, label, better_high = mv.value, mv.metric.label, mv.metric.higher_is_better
        else:
            actual, label, better_high = results.totals.get(key), key.replace("_", " ").capitalize(), True
        if actual is None:
            checks.append(TargetCheck(key, label, target, None, None, "no value yet"))
            continue
        met = actual >= target if better_high else actual <= target
        checks.append(TargetCheck(key, label, float(target), actual, met, "met" if met else "below target"))
    return checks


def _organic(ctx: WorkspaceContext, campaign: Campaign) -> dict[str, float | None]:
    """The campaign's organic posts over their latest metric snapshots: impressions, reach, engagements,
    clicks (what the networks report), to set beside the paid results."""
    from socialdesk.analytics.definitions import ENGAGEMENT_PARTS, total
    from socialdesk.analytics.models import PublicationMetricSnapshot as Snap
    from socialdesk.content.models import Publication

    post_ids = [m.ref for m in members(ctx, campaign) if m.kind == "post"]
    out: dict[str, float | None] = {"posts": float(len(post_ids)), "impressions": None, "reach": None,
                                    "engagements": None, "clicks": None}
    if not post_ids:
        return out
    publication_ids = list(ctx.session.scalars(select(Publication.id).where(
        Publication.workspace_id == ctx.workspace_id, Publication.post_id.in_(post_ids))))
    for publication_id in publication_ids:
        snap = ctx.session.scalars(select(Snap).where(Snap.workspace_id == ctx.workspace_id,
                                                      Snap.publication_id == publication_id)
                                   .order_by(Snap.collected_at.desc())).first()
        if snap is None:
            continue
        values = {n: getattr(snap, n) for n in ("likes", "comments", "reposts", "quotes", "saves")}
        parts = {"impressions": snap.impressions, "reach": snap.reach,
                 "engagements": total(values, ENGAGEMENT_PARTS), "clicks": snap.clicks}
        for key, value in parts.items():
            if value is not None:
                out[key] = (out[key] or 0.0) + float(value)
    return out


def metric_label(key: str) -> str:
    return METRICS[key].label if key in METRICS else key


# A/B ---------------------------------------------------------------------------------------------------


def find_ad(ctx: WorkspaceContext, ref: str) -> Ad:
    """An ad by socialdesk id, platform id or name (any case)."""
    ctx.require(Permission.ANALYTICS_READ)
    wanted = ref.strip()
    found = [a for a in ctx.session.scalars(ctx.select(Ad).where(
        or_(Ad.id == wanted, Ad.external_id == wanted, Ad.name.ilike(wanted))))]
    if not found:
        raise NotFound(f"No ad {wanted!r} in this workspace.")
    if len(found) > 1:
        raise ValidationFailed(f"{len(found)} ads are called {wanted!r}; give the id.")
    return found[0]


def _check_ab_settings(comparisons: int, minimum_lift: float) -> None:
    if not 0 < minimum_lift <= 10:
        raise ValidationFailed("The smallest difference worth finding is a share above 0 (0.2 = 20 %).")
    if not 1 <= comparisons <= 100:
        raise ValidationFailed("Comparisons made together: 1 to 100.")


def compare_ads(ctx: WorkspaceContext, a_ref: str, b_ref: str, metric: str = "ctr", *, comparisons: int = 1,
                minimum_lift: float = 0.2) -> Any:
    from socialdesk.campaigns import ab

    if metric not in ab.PROPORTIONS:
        raise ValidationFailed(f"Compare ads by {' or '.join(ab.PROPORTIONS)}.")
    _check_ab_settings(comparisons, minimum_lift)
    arms = []
    for ref in (a_ref, b_ref):
        ad = find_ad(ctx, ref)
        inputs = [paid.row_inputs(r) for r in results_rows(ctx, [ad.id])]
        clicks = sum(i["clicks"] or 0 for i in inputs)
        if metric == "ctr":
            arms.append(ab.Arm(ad.name, clicks, sum(i["impressions"] or 0 for i in inputs)))
        else:
            arms.append(ab.Arm(ad.name, sum(i["conversions"] or 0 for i in inputs), clicks))
    if a_ref == b_ref:
        raise ValidationFailed("Compare two different ads.")
    return ab.compare(metric, arms[0], arms[1], comparisons=comparisons, minimum_lift=minimum_lift)


POST_METRICS = ("engagement_rate", "ctr")


def compare_posts(ctx: WorkspaceContext, a_id: str, b_id: str, metric: str = "engagement_rate", *,
                  comparisons: int = 1, minimum_lift: float = 0.2) -> Any:
    """A/B comparison of two published posts (publications) from their newest metrics: engagement rate
    (engagements of the people reached, impressions where the network gives no reach) or CTR (clicks of
    impressions). Same rules as two ads: an interval, the sample needed, no winner before it."""
    from socialdesk.analytics.models import PublicationMetricSnapshot
    from socialdesk.campaigns import ab
    from socialdesk.channels.models import Channel
    from socialdesk.content.models import Post, Publication

    if metric not in POST_METRICS:
        raise ValidationFailed(f"Compare posts by {' or '.join(POST_METRICS)}.")
    _check_ab_settings(comparisons, minimum_lift)
    if a_id == b_id:
        raise ValidationFailed("Compare two different posts.")
    arms = []
    for side, publication_id in (("A", a_id), ("B", b_id)):
        publication = ctx.get(Publication, publication_id, what="publication")
        newest = ctx.session.scalars(select(PublicationMetricSnapshot)
                                     .where(PublicationMetricSnapshot.publication_id == publication.id)
                                     .order_by(PublicationMetricSnapshot.collected_at.desc()).limit(1)).first()
        text = ctx.session.scalar(select(Post.text).where(Post.id == publication.post_id)) or ""
        channel = ctx.session.scalar(select(Channel.name).where(Channel.id == publication.channel_id))
        # The same text often goes to several channels: the channel tells the two apart.
        label = f"{side}: {channel}: {' '.join(text.split())[:40] or publication.id}"
        if newest is None:
            arms.append(ab.Arm(label, 0, 0))
        elif metric == "ctr":
            arms.append(ab.Arm(label, newest.clicks or 0, newest.impressions or 0))
        else:
            seen = newest.reach if newest.reach is not None else newest.impressions
            engaged = sum(v or 0 for v in (newest.likes, newest.reposts, newest.comments, newest.saves,
                                            newest.quotes))
            arms.append(ab.Arm(label, min(engaged, seen or 0), seen or 0))
    return ab.compare(metric, arms[0], arms[1], comparisons=comparisons, minimum_lift=minimum_lift)
