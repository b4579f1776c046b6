"""What the links page shows: each short link with its clicks (people, bots apart, unique visitors), the
clicks per channel and day, and the CTR of each post that carries links."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from socialdesk.analytics import service as analytics
from socialdesk.analytics.definitions import format_value, metric
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication
from socialdesk.core import clock
from socialdesk.links import clicks, shortlinks
from socialdesk.links.models import ShortLink
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission


@dataclass(frozen=True)
class LinkLine:
    link: ShortLink
    address: str  # what the post carries
    channel: str
    post_id: str | None
    post_excerpt: str
    clicks: int
    bot_clicks: int
    unique_visitors: int
    impressions: int | None  # the publication's latest impressions
    ctr: str  # "1.23 %" or "not available"


@dataclass(frozen=True)
class DayLine:
    day: date
    channel: str
    clicks: int
    bot_clicks: int
    unique_visitors: int


def links(ctx: WorkspaceContext, limit: int = 200) -> list[LinkLine]:
    ctx.require(Permission.ANALYTICS_READ)
    rows = list(ctx.session.scalars(ctx.select(ShortLink).order_by(ShortLink.created_at.desc()).limit(limit)))
    totals = clicks.totals_by_link(ctx.session, [r.id for r in rows])
    pub_ids = [r.publication_id for r in rows if r.publication_id]
    pubs = {p.id: p for p in ctx.session.scalars(select(Publication).where(Publication.id.in_(pub_ids)))} \
        if pub_ids else {}
    posts = {p.id: p for p in ctx.session.scalars(select(Post).where(
        Post.id.in_({p.post_id for p in pubs.values()})))} if pubs else {}
    names = dict(ctx.session.execute(select(Channel.id, Channel.name).where(
        Channel.workspace_id == ctx.workspace_id)).all())
    latest = analytics.latest_for_publications(ctx, list(pubs))
    per_pub = clicks.human_clicks_by_publication(ctx.session, list(pubs))
    ctr = metric("ctr")
    out = []
    for row in rows:
        total = totals.get(row.id, clicks.LinkTotals(0, 0, 0))
        pub = pubs.get(row.publication_id or "")
        post = posts.get(pub.post_id) if pub else None
        impressions = latest[pub.id].values.get("impressions") if pub and pub.id in latest else None
        value = ctr.compute({"clicks": per_pub.get(pub.id) if pub else None, "impressions": impressions})
        out.append(LinkLine(
            link=row, address=shortlinks.short_url(row.code) if row.shortened else row.destination_url,
            channel=names.get(row.channel_id or "", "Link-in-bio page" if row.source == "bio" else "—"),
            post_id=post.id if post else None, post_excerpt=(post.text[:90] if post else ""),
            clicks=total.clicks, bot_clicks=total.bot_clicks, unique_visitors=total.unique_visitors,
            impressions=impressions, ctr=format_value(value, ctr.unit) if row.shortened else "not counted"))
    return out


def days(ctx: WorkspaceContext, days_back: int = 30) -> list[DayLine]:
    """Clicks per day and channel, newest first."""
    ctx.require(Permission.ANALYTICS_READ)
    since = clock.now().date() - timedelta(days=days_back)
    names = dict(ctx.session.execute(select(Channel.id, Channel.name).where(
        Channel.workspace_id == ctx.workspace_id)).all())
    grouped: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in clicks.days_of(ctx.session, ctx.workspace_id, since):
        key = (row.day, names.get(row.channel_id or "", "Link-in-bio page"))
        grouped[key][0] += row.clicks
        grouped[key][1] += row.bot_clicks
        grouped[key][2] += row.unique_visitors
    return [DayLine(day, channel, *values) for (day, channel), values
            in sorted(grouped.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True)]
