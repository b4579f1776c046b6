"""Exporting posts and their publications with their latest metrics, as CSV (safe to open in a
spreadsheet: a cell that starts with = + - @ or a tab/return gets a leading ' so it is never run as a
formula) or as JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from socialdesk.analytics import service as analytics
from socialdesk.analytics.definitions import metric
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication
from socialdesk.core.timezones import zone
from socialdesk.links import clicks
from socialdesk.networks.base import POST_METRICS
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

MAX_POSTS = 20_000
COLUMNS = ("post_id", "publication_id", "channel", "network", "status", "scheduled_at", "published_at",
           "text", "url", *POST_METRICS, "link_clicks", "ctr_percent", "metrics_at")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A value as a CSV cell that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _local(value: datetime | None, tz_name: str) -> str:
    return value.astimezone(zone(tz_name)).strftime("%Y-%m-%d %H:%M") if value else ""


def records(ctx: WorkspaceContext, start: datetime | None = None, end: datetime | None = None) -> list[dict[str, Any]]:
    """One record per publication (a post without channels: one record without one), oldest first."""
    ctx.require(Permission.POSTS_READ)
    query = ctx.select(Post).order_by(Post.scheduled_at.asc().nulls_last(), Post.created_at)
    if start:
        query = query.where(Post.scheduled_at >= start)
    if end:
        query = query.where(Post.scheduled_at < end)
    posts = list(ctx.session.scalars(query.limit(MAX_POSTS)))
    pubs: dict[str, list[Publication]] = {}
    for pub in ctx.session.scalars(select(Publication).where(Publication.workspace_id == ctx.workspace_id,
                                                             Publication.post_id.in_([p.id for p in posts]))):
        pubs.setdefault(pub.post_id, []).append(pub)
    names = {c.id: c for c in ctx.session.scalars(select(Channel).where(Channel.workspace_id == ctx.workspace_id))}
    pub_ids = [p.id for group in pubs.values() for p in group]
    can_metrics = ctx.can(Permission.ANALYTICS_READ)
    latest = analytics.latest_for_publications(ctx, pub_ids) if can_metrics else {}
    link_clicks = clicks.human_clicks_by_publication(ctx.session, pub_ids) if can_metrics else {}
    tz = ctx.workspace.timezone
    out: list[dict[str, Any]] = []
    for post in posts:
        for pub in pubs.get(post.id) or [None]:  # type: ignore[list-item]
            found = latest.get(pub.id) if pub else None
            values = dict(found.values) if found else {}
            row: dict[str, Any] = {
                "post_id": post.id, "publication_id": pub.id if pub else "",
                "channel": names[pub.channel_id].name if pub and pub.channel_id in names else "",
                "network": names[pub.channel_id].network if pub and pub.channel_id in names else "",
                "status": pub.status if pub else "draft",
                "scheduled_at": _local(pub.scheduled_at if pub else post.scheduled_at, tz),
                "published_at": _local(pub.published_at if pub else None, tz),
                "text": (pub.variant_text if pub and pub.variant_text is not None else post.text),
                "url": (pub.external_url or "") if pub else "",
            }
            row |= {name: values.get(name) for name in POST_METRICS}
            row["link_clicks"] = link_clicks.get(pub.id) if pub else None
            ctr = metric("ctr").compute(values) if values else None
            row["ctr_percent"] = round(ctr, 4) if ctr is not None else None
            row["metrics_at"] = found.collected_at.isoformat() if found else ""
            out.append(row)
    return out


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in COLUMNS])
    return buffer.getvalue()


def to_json(rows: list[dict[str, Any]], workspace_name: str) -> str:
    return json.dumps({"workspace": workspace_name, "columns": list(COLUMNS), "publications": rows},
                      ensure_ascii=False, indent=1, default=str)
