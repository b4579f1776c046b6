"""Listening over JSON: monitors (add, list, fetch now, remove), the mentions stream, alerts with the
mentions behind them, and turning a mention into a post idea."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from socialdesk.core.inputs import Number, Text
from socialdesk.listening import service
from socialdesk.listening.models import Monitor
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["listening"])
WS = "/workspaces/{workspace_id}"
SENTIMENTS = ("positive", "neutral", "negative")


class MonitorIn(BaseModel):
    name: Text = Field(max_length=200)
    terms: list[Text] = Field(min_length=1, max_length=100, description="keywords, phrases, #hashtags, names")
    sources: list[Text] = Field(min_length=1, max_length=20, description=(
        "rss:URL, bluesky[:SERVICE_URL], mastodon:INSTANCE, youtube, reddit[:r/NAME] or sandbox"))
    variants: list[Text] = Field([], max_length=100)
    exclusions: list[Text] = Field([], max_length=100)
    languages: list[Text] = Field([], max_length=10)
    false_alarm_rate: Number = Field(0.001, gt=0, lt=1, description="burst alerts: chance of a false alarm per hour")


def _clean(value: str | None) -> str | None:
    """A query parameter as text the database can hold (no NUL), or None when empty."""
    return value.replace("\x00", "") or None if value else None


@router.get(WS + "/monitors")
@requires(Permission.INBOX_READ)
def list_monitors(ctx: Ctx) -> list[dict[str, Any]]:
    return [service.describe(m) for m in service.monitors(ctx)]


@router.post(WS + "/monitors", status_code=201)
@requires(Permission.INBOX_WRITE)
def add_monitor(data: MonitorIn, ctx: Ctx) -> dict[str, Any]:
    return service.describe(service.add_monitor(
        ctx, name=data.name, terms=data.terms, sources=data.sources, variants=data.variants,
        exclusions=data.exclusions, languages=data.languages, false_alarm_rate=data.false_alarm_rate))


@router.get(WS + "/monitors/{monitor_id}")
@requires(Permission.INBOX_READ)
def get_monitor(monitor_id: str, ctx: Ctx) -> dict[str, Any]:
    monitor = ctx.get(Monitor, monitor_id, what="monitor")
    return {**service.describe(monitor), "volume_by_day": [
        {"day": day, "mentions": total, "negative": negative}
        for day, total, negative in service.volume_by_day(ctx, monitor)]}


@router.post(WS + "/monitors/{monitor_id}/run")
@requires(Permission.INBOX_WRITE)
def run_monitor(monitor_id: str, ctx: Ctx) -> dict[str, Any]:
    """Fetch every source of the monitor once, now (as `socialdesk monitor run`)."""
    monitor = ctx.get(Monitor, monitor_id, what="monitor")
    return service.run_monitor(ctx.session, monitor).as_dict()


@router.delete(WS + "/monitors/{monitor_id}", status_code=204)
@requires(Permission.INBOX_WRITE)
def remove_monitor(monitor_id: str, ctx: Ctx) -> Response:
    service.remove_monitor(ctx, ctx.get(Monitor, monitor_id, what="monitor").id)
    return Response(status_code=204)


@router.get(WS + "/mentions")
@requires(Permission.INBOX_READ)
def list_mentions(ctx: Ctx, monitor: str | None = Query(None, description="a monitor's name or id"),
                  q: str | None = Query(None, max_length=200, description="words in the text"),
                  sentiment: str | None = Query(None, pattern="^(positive|neutral|negative)$"),
                  source: str | None = Query(None, max_length=500),
                  limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
    names = {m.id: m.name for m in service.monitors(ctx)}
    found = service.mentions(ctx, monitor=_clean(monitor), query=_clean(q), sentiment=sentiment,
                             source=_clean(source), limit=limit)
    return [service.mention_dict(m, names.get(m.monitor_id)) for m in found]


@router.post(WS + "/mentions/{mention_id}/idea", status_code=201)
@requires(Permission.POSTS_WRITE)
def mention_to_idea(mention_id: str, ctx: Ctx) -> dict[str, Any]:
    """A draft post from the mention, with its link and a quote."""
    return {"post_id": service.post_idea(ctx, mention_id)}


@router.get(WS + "/alerts")
@requires(Permission.INBOX_READ)
def list_alerts(ctx: Ctx, monitor: str | None = Query(None, description="a monitor's name or id"),
                limit: int = Query(100, ge=1, le=500)) -> list[dict[str, Any]]:
    names = {m.id: m.name for m in service.monitors(ctx)}
    return [service.alert_dict(ctx.session, a, names.get(a.monitor_id, "?"))
            for a in service.alerts(ctx, monitor=_clean(monitor), limit=limit)]
