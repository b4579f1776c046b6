"""Collecting metric snapshots from the networks, and reading them back."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.links import clicks
from socialdesk.networks.base import POST_METRICS, AuthError, NetworkError
from socialdesk.workspaces.context import WorkspaceContext

log = logging.getLogger("socialdesk.analytics")
# Posts gather most of their reactions early: look often at first, then less and less.
TRACK_FOR = timedelta(days=90)


def snapshot_interval(age: timedelta) -> timedelta:
    if age < timedelta(hours=48):
        return timedelta(hours=1)
    if age < timedelta(days=7):
        return timedelta(hours=6)
    if age < timedelta(days=30):
        return timedelta(days=1)
    return timedelta(days=7)


def collect_channel(db: Database, channel_id: str) -> int:
    """Snapshot the account and every publication that is due for one; returns the snapshots written."""
    now = clock.now()
    with db.unit_of_work() as session:
        channel = session.get(Channel, channel_id)
        if channel is None or channel.status == ChannelStatus.NEEDS_RECONNECTION:
            return 0
        workspace_id = channel.workspace_id
        last = dict(session.execute(
            select(PublicationMetricSnapshot.publication_id, func.max(PublicationMetricSnapshot.collected_at))
            .join(Publication, Publication.id == PublicationMetricSnapshot.publication_id)
            .where(Publication.channel_id == channel_id).group_by(PublicationMetricSnapshot.publication_id)).all())
        due = [(p.id, p.external_id) for p in session.scalars(select(Publication).where(
            Publication.channel_id == channel_id, Publication.status == PublicationStatus.PUBLISHED,
            Publication.external_id.is_not(None), Publication.published_at >= now - TRACK_FOR))
            if p.published_at and _is_due(now - p.published_at, last.get(p.id), now)]
    try:
        account = channels.call_network(db, channel_id, lambda adapter: adapter.account_metrics())
        # Community statistics some networks give beyond the counts (VK's stats.get), kept for strategy pages.
        details = channels.call_network(db, channel_id, _account_details)
        external_ids = [external_id for _, external_id in due]
        metrics = channels.call_network(db, channel_id, lambda adapter: adapter.post_metrics(external_ids)) \
            if due else {}
    except AuthError as error:
        with db.unit_of_work() as session:
            channel = session.get(Channel, channel_id)
            if channel is not None:
                channels.mark_needs_reconnection(session, channel, error.network_message)
        return 0
    except NetworkError as error:
        log.warning("metrics for channel %s failed: %s", channel_id, error.network_message)
        return 0
    written = 0
    with db.unit_of_work() as session:
        # Link clicks: where a post carries our short links, our own count of people's clicks on them (the
        # sandbox's audience clicks through them too); elsewhere what the network reports, if anything.
        link_clicks = clicks.human_clicks_by_publication(session, [publication_id for publication_id, _ in due])
        session.add(ChannelMetricSnapshot(workspace_id=workspace_id, channel_id=channel_id,
                                          collected_at=account.collected_at, followers=account.followers,
                                          following=account.following, posts=account.posts))
        written += 1
        for publication_id, external_id in due:
            found = metrics.get(external_id)
            if found is None:
                continue
            session.add(PublicationMetricSnapshot(
                workspace_id=workspace_id, publication_id=publication_id, collected_at=found.collected_at,
                poll_votes=list(found.poll_votes) if found.poll_votes is not None else None,
                **{name: getattr(found, name) for name in POST_METRICS}
                | ({"clicks": link_clicks[publication_id]} if publication_id in link_clicks else {})))
            written += 1
        channel = session.get(Channel, channel_id)
        if channel is not None:
            channel.metrics_collected_at = now
            if details is not None:
                channel.settings = {**(channel.settings or {}), "account_details": details}
    return written


def _account_details(adapter: Any) -> dict[str, Any] | None:
    """`adapter.account_details()` where a network offers it (a dict as the network gives it), else None."""
    found = getattr(adapter, "account_details", None)
    return found() if callable(found) else None


def _is_due(age: timedelta, last: datetime | None, now: datetime) -> bool:
    return last is None or now - clock.utc(last) >= snapshot_interval(age) - timedelta(minutes=1)


# Reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LatestMetrics:
    publication_id: str
    collected_at: datetime
    values: dict[str, int | None]
    poll_votes: list[int] | None = None  # a native poll's votes per option, where the network says


def latest_for_publications(ctx: WorkspaceContext, publication_ids: list[str]) -> dict[str, LatestMetrics]:
    if not publication_ids:
        return {}
    newest = (select(PublicationMetricSnapshot.publication_id,
                     func.max(PublicationMetricSnapshot.collected_at).label("at"))
              .where(PublicationMetricSnapshot.workspace_id == ctx.workspace_id,
                     PublicationMetricSnapshot.publication_id.in_(publication_ids))
              .group_by(PublicationMetricSnapshot.publication_id).subquery())
    rows = ctx.session.scalars(select(PublicationMetricSnapshot).join(
        newest, (newest.c.publication_id == PublicationMetricSnapshot.publication_id)
        & (newest.c.at == PublicationMetricSnapshot.collected_at)))
    return {r.publication_id: LatestMetrics(r.publication_id, r.collected_at,
                                            {m: getattr(r, m) for m in POST_METRICS}, r.poll_votes) for r in rows}


def publication_history(ctx: WorkspaceContext, publication_id: str) -> list[PublicationMetricSnapshot]:
    return list(ctx.session.scalars(ctx.select(PublicationMetricSnapshot).where(
        PublicationMetricSnapshot.publication_id == publication_id).order_by(PublicationMetricSnapshot.collected_at)))


def follower_series(ctx: WorkspaceContext, channel_id: str, since: datetime) -> list[tuple[datetime, int]]:
    rows = ctx.session.execute(
        select(ChannelMetricSnapshot.collected_at, ChannelMetricSnapshot.followers)
        .where(ChannelMetricSnapshot.workspace_id == ctx.workspace_id, ChannelMetricSnapshot.channel_id == channel_id,
               ChannelMetricSnapshot.collected_at >= since, ChannelMetricSnapshot.followers.is_not(None))
        .order_by(ChannelMetricSnapshot.collected_at))
    return [(clock.utc(at), n) for at, n in rows]


@dataclass(frozen=True)
class ChannelSummary:
    channel_id: str
    followers: int | None
    followers_change: int | None  # over the period
    posts_published: int
    totals: dict[str, int | None]  # newest numbers summed over the period's publications


def channel_summaries(ctx: WorkspaceContext, since: datetime) -> dict[str, ChannelSummary]:
    """Per channel: followers now and their change since `since`, and the period's published posts."""
    result = {}
    pubs = list(ctx.session.execute(
        select(Publication.id, Publication.channel_id).where(
            Publication.workspace_id == ctx.workspace_id, Publication.status == PublicationStatus.PUBLISHED,
            Publication.published_at >= since)))
    latest = latest_for_publications(ctx, [p for p, _ in pubs])
    by_channel: dict[str, list[str]] = defaultdict(list)
    for publication_id, channel_id in pubs:
        by_channel[channel_id].append(publication_id)
    for channel in ctx.session.scalars(ctx.select(Channel)):
        series = follower_series(ctx, channel.id, since)
        totals: dict[str, int | None] = {}
        for metric in POST_METRICS:
            values = [latest[p].values[metric] for p in by_channel[channel.id] if p in latest]
            known = [v for v in values if v is not None]
            totals[metric] = sum(known) if known else None
        result[channel.id] = ChannelSummary(
            channel.id, series[-1][1] if series else None, series[-1][1] - series[0][1] if len(series) > 1 else None,
            len(by_channel[channel.id]), totals)
    return result
