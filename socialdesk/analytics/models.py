"""Time-stamped metric snapshots, so growth and "24 h after publishing" can be computed later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

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
