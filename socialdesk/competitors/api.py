"""Competitors over JSON: the public accounts followed, snapshots now, and the benchmark against the
workspace's own channels (intervals and sample sizes, "not enough data" where true)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from socialdesk.competitors import service
from socialdesk.competitors.models import Competitor
from socialdesk.competitors.service import MAX_PERIOD_DAYS
from socialdesk.core.inputs import Text
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["competitors"])
WS = "/workspaces/{workspace_id}"


class CompetitorIn(BaseModel):
    network: Text = Field(max_length=40, description=f"one of {', '.join(service.NETWORKS)}")
    handle: Text = Field(max_length=300, description="YouTube: @handle, UC… id or channel URL; VK: vk.com/name, "
                                                     "club123 or id123")
    service: Text | None = Field(None, max_length=500, description="the server (Mastodon instance, Bluesky AppView); "
                                                                  "none for YouTube and VK")
    notes: Text = Field("", max_length=2000)


@router.get(WS + "/competitors")
@requires(Permission.INBOX_READ)
def list_competitors(ctx: Ctx) -> list[dict[str, Any]]:
    return [service.as_dict(ctx, c) for c in service.competitors(ctx)]


@router.post(WS + "/competitors", status_code=201)
@requires(Permission.INBOX_WRITE)
def add_competitor(data: CompetitorIn, ctx: Ctx) -> dict[str, Any]:
    return service.as_dict(ctx, service.add(ctx, network=data.network, handle=data.handle, service=data.service,
                                            notes=data.notes))


@router.delete(WS + "/competitors/{competitor_id}", status_code=204)
@requires(Permission.INBOX_WRITE)
def remove_competitor(competitor_id: str, ctx: Ctx) -> Response:
    service.remove(ctx, ctx.get(Competitor, competitor_id, what="competitor").id)
    return Response(status_code=204)


@router.post(WS + "/competitors/snapshot")
@requires(Permission.INBOX_WRITE)
def snapshot_all(ctx: Ctx) -> list[dict[str, Any]]:
    """Read every competitor's public profile now; a failure is reported per competitor."""
    return [{"competitor_id": r.competitor.id, "handle": r.competitor.handle, "error": r.error or None,
             "followers": r.snapshot.followers if r.snapshot else None,
             "recent_posts": len(r.snapshot.posts) if r.snapshot else 0} for r in service.snapshot_all(ctx)]


@router.get(WS + "/competitors/benchmark")
@requires(Permission.ANALYTICS_READ)
def benchmark(ctx: Ctx, days: int = Query(30, ge=1, le=MAX_PERIOD_DAYS)) -> dict[str, Any]:
    return service.benchmark(ctx, days=days)


@router.get(WS + "/competitors/export.csv")
@requires(Permission.ANALYTICS_READ)
def export_csv(ctx: Ctx, days: int = Query(30, ge=1, le=MAX_PERIOD_DAYS)) -> Response:
    """The benchmark as CSV (the same table as `socialdesk competitor export`)."""
    from socialdesk.competitors.export import to_csv

    return Response(to_csv(service.benchmark(ctx, days=days)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="competitors-{days}d.csv"'})
