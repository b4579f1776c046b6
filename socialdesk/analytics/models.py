"""Time-stamped metric snapshots, so growth and "24 h after publishing" can be computed later."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from socialdesk.core.db import Base, IdMixin


class PublicationMetricSnapshot(IdMixin, Base):
    __tablename__ = "publication_metric_snapshots"
    __table_args__ = (Index("ix_publication_metrics_at", "publication_id", "collected_at"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    publication_id: Mapped[str] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    collected_at: Mapped[datetime]
    # None: the network does not offer this number. Never stored as 0 in its place.
    impressions: Mapped[int | None]
    reach: Mapped[int | None]
    views: Mapped[int | None]
    likes: Mapped[int | None]
    reposts: Mapped[int | None]
    comments: Mapped[int | None]
    saves: Mapped[int | None]
    clicks: Mapped[int | None]
    quotes: Mapped[int | None]
    poll_votes: Mapped[list[Any] | None]  # a native poll's votes per option, in order (None: no poll)


class ChannelMetricSnapshot(IdMixin, Base):
    __tablename__ = "channel_metric_snapshots"
    __table_args__ = (Index("ix_channel_metrics_at", "channel_id", "collected_at"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    collected_at: Mapped[datetime]
    followers: Mapped[int | None]
    following: Mapped[int | None]
    posts: Mapped[int | None]


class ChannelFollowerDay(Base):
    """A channel's follower snapshots of one UTC day in one row: first and last count and the drops between
    them, so a dashboard sums a quarter from ~90 rows per channel instead of ~2,200 hourly snapshots.
    Kept by analytics/followers.py whenever a ChannelMetricSnapshot is written (the collector's writes and
    any other through the ORM); `rebuild_days` recomputes them from the snapshots after bulk loads."""

    __tablename__ = "channel_follower_days"

    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)  # UTC
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    first_at: Mapped[datetime]
    first_followers: Mapped[int]
    last_at: Mapped[datetime]
    last_followers: Mapped[int]
    drops: Mapped[int]  # sum of the falls between consecutive snapshots of the day
    snapshots: Mapped[int]


class AnalyticsVersion(Base):
    """Bumped whenever a metric snapshot of the workspace is written: cached dashboard numbers
    (analytics/cache.py) are used only while the version they were computed at is still current."""

    __tablename__ = "analytics_versions"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int]
    newest_at: Mapped[datetime | None]  # the newest collected_at written so far


@event.listens_for(Session, "after_flush")
def _snapshots_flushed(session: Session, flush_context: Any) -> None:
    """Any flush that writes or deletes a metric snapshot keeps the day rows and the version in step
    (the ORM's `new` and `deleted` still list what this flush wrote)."""
    touched = [o for o in (*session.new, *session.deleted)
               if isinstance(o, ChannelMetricSnapshot | PublicationMetricSnapshot)]
    if touched:
        from socialdesk.analytics.followers import snapshots_flushed

        snapshots_flushed(session.connection(), touched)
