"""A goal ("+2,000 followers on Instagram by 2027-03-01") and the milestones it is split into."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class Outcome(StrEnum):
    ACTIVE = "active"  # not decided yet
    MET = "met"
    MISSED = "missed"


class Goal(IdMixin, TimestampMixin, Base):
    __tablename__ = "goals"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    # None: the whole workspace (followers summed over its channels, rates over all its posts).
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(64))  # a key of goals.service.GOAL_METRICS
    at_least: Mapped[bool] = mapped_column(default=True)  # False: the value must stay at or below the target
    target: Mapped[float]
    baseline: Mapped[float | None]  # the value when the goal was set
    start_on: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=Outcome.ACTIVE)
    outcome_value: Mapped[float | None]  # the value that decided it
    outcome_at: Mapped[datetime | None]
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The forecast's outlook (on track / at risk / off track / not enough data) as goals.evaluate last found
    # it, so the agency overview reads every client's goals in one query.
    outlook: Mapped[str | None] = mapped_column(String(24))
    outlook_at: Mapped[datetime | None]


class Milestone(IdMixin, Base):
    __tablename__ = "goal_milestones"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[str] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date]
    target: Mapped[float]
    status: Mapped[str] = mapped_column(String(16), default=Outcome.ACTIVE)
    outcome_value: Mapped[float | None]
    outcome_at: Mapped[datetime | None]
