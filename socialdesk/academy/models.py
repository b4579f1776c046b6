"""An exercise run (one learner, one fresh sandbox workspace, its simulated clock) and the skill scores it earned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class AcademyRun(IdMixin, TimestampMixin, Base):
    __tablename__ = "academy_runs"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    exercise: Mapped[str] = mapped_column(String(40))  # the slug
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the exercise as validated when started
    seed: Mapped[int] = mapped_column(Integer)
    # Simulated time: the run starts at `sim_start`; `sim_now` is how far the world has been run.
    sim_start: Mapped[datetime]
    sim_now: Mapped[datetime]
    speed: Mapped[int] = mapped_column(Integer, default=1440)  # simulated seconds per real second
    running: Mapped[bool] = mapped_column(Boolean, default=False)
    resumed_at: Mapped[datetime | None]  # real time the clock last started running
    finished_at: Mapped[datetime | None]
    score: Mapped[int | None]
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)  # skills, reasons, reveal, reference


class AcademySkillScore(IdMixin, Base):
    """One skill's score in one finished run: the progress page plots these over time."""

    __tablename__ = "academy_skill_scores"

    run_id: Mapped[str] = mapped_column(ForeignKey("academy_runs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    exercise: Mapped[str] = mapped_column(String(40))
    skill: Mapped[str] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)
    scored_at: Mapped[datetime]
