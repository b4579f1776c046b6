"""Listening over JSON: monitors (add, list, fetch now, remove), the mentions stream, alerts with the
mentions behind them, and turning a mention into a post idea."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from socialdesk.core.inputs import Number, Text
from socialdesk.listening import replies, service
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
    sent = replies.replies_of(ctx, [m.id for m in found])
    return [service.mention_dict(m, names.get(m.monitor_id), [replies.reply_dict(ctx, r) for r in sent.get(m.id, [])])
            for m in found]


class MentionReplyIn(BaseModel):
    channel_id: Text = Field(max_length=26, description="one of the workspace's channels on the mention's network")
    text: Text = Field(max_length=20_000)
    idempotency_key: Text | None = Field(None, max_length=200, description=(
        "the same key gives back the same reply instead of sending another (or use the Idempotency-Key header)"))


@router.get(WS + "/mentions/{mention_id}/reply")
@requires(Permission.INBOX_READ)
def reply_options(mention_id: str, ctx: Ctx) -> dict[str, Any]:
    """Whether the mention can be answered from here, through which channels, or why not; and the replies sent."""
    from socialdesk.listening.models import Mention

    mention = ctx.get(Mention, mention_id, what="mention")
    found = replies.options(ctx, mention)
    sent = replies.replies_of(ctx, [mention.id]).get(mention.id, [])
    return {"can_reply": found.reason is None, "reason": found.reason,
            "channels": [{"id": c.id, "name": c.name, "network": c.network} for c in found.channels],
            "replies": [replies.reply_dict(ctx, r) for r in sent]}


@router.post(WS + "/mentions/{mention_id}/reply", status_code=201)
@requires(Permission.INBOX_WRITE)
def reply_to_mention(mention_id: str, data: MentionReplyIn, ctx: Ctx,
                     idempotency_key: str | None = Header(None, max_length=200)) -> dict[str, Any]:
    """Reply on the mention's network as one of the workspace's channels; 409 with the reason where the network
    does not allow it or refused (in its own words)."""
    row = replies.reply(ctx, mention_id, channel_id=data.channel_id, text=data.text,
                        idempotency_key=data.idempotency_key or idempotency_key)
    return replies.reply_dict(ctx, row)


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
