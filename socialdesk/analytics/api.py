"""Metric snapshots as collected (issue-level analytics build on these)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Query
from pydantic import BaseModel

from socialdesk.analytics import service
from socialdesk.channels.service import get as get_channel
from socialdesk.content.service import get_publication
from socialdesk.core import clock
from socialdesk.networks.base import POST_METRICS
from socialdesk.web.deps import Ctx

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
def publication_metrics(publication_id: str, ctx: Ctx) -> list[SnapshotOut]:
    get_publication(ctx, publication_id)
    return [SnapshotOut(collected_at=s.collected_at, values={m: getattr(s, m) for m in POST_METRICS})
            for s in service.publication_history(ctx, publication_id)]


@router.get("/workspaces/{workspace_id}/channels/{channel_id}/followers")
def followers(channel_id: str, ctx: Ctx, days: int = Query(28, ge=1, le=730)) -> list[FollowerPoint]:
    get_channel(ctx, channel_id)
    return [FollowerPoint(at=at, followers=n)
            for at, n in service.follower_series(ctx, channel_id, clock.now() - timedelta(days=days))]


@router.get("/workspaces/{workspace_id}/analytics/channels")
def channel_summaries(ctx: Ctx, days: int = Query(28, ge=1, le=730)) -> list[ChannelSummaryOut]:
    summaries = service.channel_summaries(ctx, clock.now() - timedelta(days=days))
    return [ChannelSummaryOut(**s.__dict__) for s in summaries.values()]
