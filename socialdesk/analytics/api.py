"""Metric snapshots as collected; definitions, dashboards and the best time to post built on them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from socialdesk.analytics import best_time, dashboard, service
from socialdesk.analytics.definitions import METRICS, RANKING
from socialdesk.analytics.periods import PERIOD_HELP, Period, last_days, parse_period
from socialdesk.analytics.post_values import Age
from socialdesk.analytics.schemas import BestTimeOut, DashboardOut, DefinitionOut
from socialdesk.channels.service import get as get_channel
from socialdesk.content.service import get_publication
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.networks.base import POST_METRICS
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["analytics"])


class SnapshotOut(BaseModel):
    collected_at: datetime
    values: dict[str, int | None]


class FollowerPoint(BaseModel):
    at: datetime
    followers: int


class ChannelSummaryOut(BaseModel):
    channel_id: str
    followers: int | None
    followers_change: int | None
    posts_published: int
    totals: dict[str, int | None]


@router.get("/workspaces/{workspace_id}/publications/{publication_id}/metrics")
@requires(Permission.ANALYTICS_READ)
def publication_metrics(publication_id: str, ctx: Ctx) -> list[SnapshotOut]:
    get_publication(ctx, publication_id)
    return [SnapshotOut(collected_at=s.collected_at, values={m: getattr(s, m) for m in POST_METRICS})
            for s in service.publication_history(ctx, publication_id)]


@router.get("/workspaces/{workspace_id}/channels/{channel_id}/followers")
@requires(Permission.ANALYTICS_READ)
def followers(channel_id: str, ctx: Ctx, days: int = Query(28, ge=1, le=730)) -> list[FollowerPoint]:
    get_channel(ctx, channel_id)
    return [FollowerPoint(at=at, followers=n)
            for at, n in service.follower_series(ctx, channel_id, clock.now() - timedelta(days=days))]


@router.get("/workspaces/{workspace_id}/analytics/channels")
@requires(Permission.ANALYTICS_READ)
def channel_summaries(ctx: Ctx, days: int = Query(28, ge=1, le=730)) -> list[ChannelSummaryOut]:
    summaries = service.channel_summaries(ctx, clock.now() - timedelta(days=days))
    return [ChannelSummaryOut(**s.__dict__) for s in summaries.values()]


def chosen_period(ctx: Ctx, period: str | None, days: int) -> Period:
    """A named period (2026-10, 2026-W43, a range) or the last `days` days."""
    if period:
        return parse_period(period, ctx.workspace.timezone)
    return last_days(days, clock.now(), ctx.workspace.timezone)


def chosen_rank(rank_by: str) -> str:
    if rank_by not in RANKING:
        raise ValidationFailed(f"rank_by must be one of {', '.join(RANKING)}.")
    return rank_by


@router.get("/workspaces/{workspace_id}/analytics/definitions")
@requires(Permission.ANALYTICS_READ)
def definitions(ctx: Ctx) -> list[DefinitionOut]:
    return [DefinitionOut.of(m) for m in METRICS.values()]


@router.get("/workspaces/{workspace_id}/analytics/dashboard")
@requires(Permission.ANALYTICS_READ)
def workspace_dashboard(ctx: Ctx, period: str | None = Query(None, description=PERIOD_HELP),
                        days: int = Query(28, ge=1, le=731), age: Age = Age.D7,
                        rank_by: str = dashboard.DEFAULT_RANK_BY) -> DashboardOut:
    return DashboardOut.of(dashboard.build(ctx, chosen_period(ctx, period, days), age=age,
                                           rank_by=chosen_rank(rank_by)))


@router.get("/workspaces/{workspace_id}/analytics/key-dates")
@requires(Permission.ANALYTICS_READ)
def key_dates_in_period(ctx: Ctx, period: str | None = Query(None, description=PERIOD_HELP),
                        days: int = Query(28, ge=1, le=731), channel_id: str | None = None) -> dict[str, Any]:
    """The strategy's key dates in the period, each with its posts' engagements against the period's other
    posts (strategy/key_dates.around; docs/strategy.md, "Key dates through the product")."""
    from socialdesk.strategy import key_dates

    chosen = chosen_period(ctx, period, days)
    if channel_id:
        get_channel(ctx, channel_id)
    return {"period": {"first": chosen.first.isoformat(), "last": chosen.last.isoformat(),
                       "timezone": chosen.timezone},
            "key_dates": key_dates.around(ctx, chosen.start, chosen.end, first=chosen.first, last=chosen.last,
                                          timezone=chosen.timezone,
                                          channel_ids=[channel_id] if channel_id else None)}


@router.get("/workspaces/{workspace_id}/channels/{channel_id}/dashboard")
@requires(Permission.ANALYTICS_READ)
def channel_dashboard(channel_id: str, ctx: Ctx, period: str | None = Query(None, description=PERIOD_HELP),
                      days: int = Query(28, ge=1, le=731), age: Age = Age.D7,
                      rank_by: str = dashboard.DEFAULT_RANK_BY) -> DashboardOut:
    return DashboardOut.of(dashboard.build(ctx, chosen_period(ctx, period, days), channel_id=channel_id, age=age,
                                           rank_by=chosen_rank(rank_by)))


@router.get("/workspaces/{workspace_id}/channels/{channel_id}/best-time")
@requires(Permission.ANALYTICS_READ)
def channel_best_time(channel_id: str, ctx: Ctx) -> BestTimeOut:
    return BestTimeOut.of(best_time.recommend(ctx, channel_id))


class BestSlotOut(BaseModel):
    at: datetime
    local: str
    timezone: str


@router.get("/workspaces/{workspace_id}/analytics/best-time/next-slot")
@requires(Permission.ANALYTICS_READ)
def next_best_slot(ctx: Ctx, channel_ids: list[str] = Query(...)) -> BestSlotOut:
    """The next recommended time that is free on all the channels: the queue's rule with the best times."""
    for channel_id in channel_ids:
        get_channel(ctx, channel_id)
    at = best_time.next_best_slot(ctx, channel_ids)
    return BestSlotOut(at=at, local=at.astimezone(zone(ctx.workspace.timezone)).strftime("%Y-%m-%d %H:%M"),
                       timezone=ctx.workspace.timezone)
