"""Content pillars with their planned share, the pillar of each post, and the workspace's plan (posting
frequency per network, personas)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core import clock
from socialdesk.core.db import Base, IdMixin, TimestampMixin


class ContentPillar(IdMixin, TimestampMixin, Base):
    __tablename__ = "strategy_pillars"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    target_share: Mapped[float] = mapped_column(default=0.0)  # the planned share of posts, 0..1


class PostPillar(IdMixin, Base):
    """The pillar a post belongs to (one per post)."""

    __tablename__ = "strategy_post_pillars"
    __table_args__ = (UniqueConstraint("post_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    pillar_id: Mapped[str] = mapped_column(ForeignKey("strategy_pillars.id", ondelete="CASCADE"), index=True)


class StrategyPlan(IdMixin, TimestampMixin, Base):
    __tablename__ = "strategy_plans"
    __table_args__ = (UniqueConstraint("workspace_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    cadence: Mapped[dict[str, Any]] = mapped_column(default=dict)  # network -> planned posts per week
    personas: Mapped[list[Any]] = mapped_column(default=list)  # [{"name", "description"}]


class PostEffort(IdMixin, Base):
    """Time someone worked on a post in the composer (active seconds, measured by the page), or entered by
    hand: what the platform comparison divides results by (docs/strategy.md, "Posting effort")."""

    __tablename__ = "strategy_post_effort"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    seconds: Mapped[int]
    source: Mapped[str] = mapped_column(String(16), default="composer")  # composer | entered
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)


class KeyDate(IdMixin, TimestampMixin, Base):
    """A dated event the strategy plans around (a holiday, a launch, a campaign): one day or a range, with an
    optional pillar and network; shown on the strategy page and marked on the calendar."""

    __tablename__ = "strategy_key_dates"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="event")  # holiday | launch | campaign | event
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the same day for a one-day event
    pillar_id: Mapped[str | None] = mapped_column(ForeignKey("strategy_pillars.id", ondelete="SET NULL"))
    network: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
