"""Ads in the sandbox: play-money ads on a sandbox channel's simulated audience, with results stored as
ad results (source "sandbox") day by day as the days pass (docs/sandbox.md, "Ads"; docs/ads.md)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete

from socialdesk.audit import service as audit
from socialdesk.campaigns import service
from socialdesk.campaigns.insights import result_of
from socialdesk.campaigns.models import Ad, AdResult
from socialdesk.channels.models import Channel
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.sandbox import ads as auction
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

CURRENCY = "EUR"  # play money is counted in euros, to read like a real account


def committed(ctx: WorkspaceContext) -> float:
    """Play money already set aside by the workspace's sandbox ads (daily budget × days)."""
    return sum(float(a.details.get("daily_budget", 0)) * int(a.details.get("days", 0))
               for a in ctx.session.scalars(ctx.select(Ad).where(Ad.platform == "sandbox")))


def play_money_left(ctx: WorkspaceContext) -> float:
    return max(0.0, auction.PLAY_MONEY - committed(ctx))


def _spec(ad: Ad) -> auction.AdSpec:
    d = ad.details
    return auction.AdSpec(ad_id=ad.external_id, text=d["text"], starts_on=date.fromisoformat(d["starts_on"]),
                          days=int(d["days"]), daily_budget=float(d["daily_budget"]), bid_cpm=float(d["bid_cpm"]),
                          targeting=auction.Targeting(**{k: tuple(v) if isinstance(v, list) else v
                                                         for k, v in d["targeting"].items()}),
                          creative_quality=float(d["creative_quality"]), media=tuple(d.get("media", ())),
                          order_value=float(d.get("order_value", 30.0)))


def spec_of(ad: Ad) -> auction.AdSpec:
    """The auction's view of a stored sandbox ad (the academy scores it)."""
    return _spec(ad)


def create(ctx: WorkspaceContext, *, campaign_id: str, channel_id: str, name: str, text: str, starts_on: date,
           days: int, daily_budget: float, bid_cpm: float, targeting: auction.Targeting,
           creative_quality: float = 0.5, media: tuple[str, ...] = (), order_value: float = 30.0,
           publication_id: str | None = None) -> Ad:
    """A sandbox ad in a campaign; its results arrive as its days pass (`refresh`)."""
    ctx.require(Permission.POSTS_WRITE)
    campaign = service.get(ctx, campaign_id)
    channel = ctx.get(Channel, channel_id, what="channel")
    if channel.network != "sandbox":
        raise ValidationFailed("Sandbox ads run on a sandbox channel.")
    spec = auction.AdSpec(ad_id="pending", text=text, starts_on=starts_on, days=days, daily_budget=daily_budget,
                          bid_cpm=bid_cpm, targeting=targeting, creative_quality=creative_quality, media=media,
                          order_value=order_value)
    try:
        spec.check()
        audience = auction.audience_for_account(channel.handle, targeting)
    except (ValueError, LookupError) as exc:
        raise ValidationFailed(f"Sandbox ad: {exc}.") from None
    left = auction.PLAY_MONEY - committed(ctx)
    if daily_budget * days > left + 1e-9:
        raise ValidationFailed(f"The sandbox ad account has {left:,.2f} play money left; this ad needs "
                               f"{daily_budget * days:,.2f} ({daily_budget:,.2f} a day for {days} days).")
    if audience == 0:
        raise ValidationFailed("Nobody in this channel's audience matches the targeting; widen it.")
    ad = Ad(workspace_id=ctx.workspace_id, campaign_id=campaign.id, platform="sandbox", external_id="pending",
            name=" ".join(name.split())[:300] or text[:60], platform_campaign=campaign.name, ad_set=channel.name,
            status="active", publication_id=publication_id,
            details={"channel_id": channel.id, "handle": channel.handle, "text": text,
                     "starts_on": starts_on.isoformat(),
                     "days": days, "daily_budget": daily_budget, "bid_cpm": bid_cpm,
                     "targeting": targeting.as_dict(), "creative_quality": creative_quality, "media": list(media),
                     "order_value": order_value, "estimated_audience": audience})
    ctx.session.add(ad)
    ctx.session.flush()
    ad.external_id = f"sandbox-{ad.id}"
    service.add_member(ctx, campaign.id, "ad", ad.id, ad.name)
    audit.record(ctx, "ads.sandbox_created", "campaign", campaign.id, f"Sandbox ad {ad.name} created")
    refresh(ctx, ad)
    return ad


def refresh(ctx: WorkspaceContext, ad: Ad, today: date | None = None) -> int:
    """Store the ad's results for the days that have ended (deterministic: recomputing gives the same)."""
    today = today or service.today_in(ctx)
    rows = [r for r in auction.run_for_account(ad.details["handle"], _spec(ad))
            if date.fromisoformat(r["date_start"]) < today]
    ctx.session.execute(delete(AdResult).where(AdResult.workspace_id == ctx.workspace_id, AdResult.ad_id == ad.id))
    for row in rows:
        ctx.session.add(result_of(row, workspace_id=ctx.workspace_id, ad_id=ad.id, currency=CURRENCY,
                                  source="sandbox", label="sandbox auction"))
    end = date.fromisoformat(ad.details["starts_on"]) + timedelta(days=int(ad.details["days"]))
    ad.status = "completed" if today >= end else "active"
    ctx.session.flush()
    return len(rows)


def refresh_all(ctx: WorkspaceContext) -> None:
    for ad in ctx.session.scalars(ctx.select(Ad).where(Ad.platform == "sandbox", Ad.status != "completed")):
        refresh(ctx, ad)


def targeting_from(data: dict[str, Any]) -> auction.Targeting:
    return auction.Targeting(locations=tuple(data.get("locations") or ()), age_min=int(data.get("age_min", 18)),
                             age_max=int(data.get("age_max", 65)), languages=tuple(data.get("languages") or ()),
                             interests=tuple(data.get("interests") or ()))
