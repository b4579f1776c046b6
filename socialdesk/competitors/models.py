"""A competitor account (a public profile on Bluesky or Mastodon) and the snapshots taken of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core import clock
from socialdesk.core.db import Base, IdMixin, TimestampMixin


class Competitor(IdMixin, TimestampMixin, Base):
    __tablename__ = "competitors"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "service", "handle"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(32))  # bluesky | mastodon
    handle: Mapped[str] = mapped_column(String(300))  # alice.bsky.social / alice (acct on the instance)
    service: Mapped[str] = mapped_column(String(500))  # AppView / instance base URL
    display_name: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[str] = mapped_column(String(200), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_snapshot_at: Mapped[datetime | None]


class CompetitorSnapshot(IdMixin, Base):
    """What the profile showed at one moment: followers, posts count, and its recent posts with their
    likes, reposts and replies then (a list of dicts: id, url, posted_at ISO, likes, reposts, replies,
    format text|image|video|link, hashtags, text)."""

    __tablename__ = "competitor_snapshots"
    __table_args__ = (Index("ix_competitor_snapshots_at", "competitor_id", "collected_at"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    competitor_id: Mapped[str] = mapped_column(ForeignKey("competitors.id", ondelete="CASCADE"))
    collected_at: Mapped[datetime] = mapped_column(default=clock.now)
    followers: Mapped[int | None]
    posts_count: Mapped[int | None]
    posts: Mapped[list[Any]] = mapped_column(default=list)
