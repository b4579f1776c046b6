"""A quiz and its questions; answers are not stored: they are read from the inbox items each time, and the
results are frozen into the quiz when it is finished (as a contest's entrants are at its draw)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class Quiz(IdMixin, TimestampMixin, Base):
    __tablename__ = "quizzes"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prize: Mapped[str] = mapped_column(Text, default="")
    channel_ids: Mapped[list[Any]] = mapped_column(default=list)  # where the questions are posted
    languages: Mapped[list[Any]] = mapped_column(default=list)  # number words understood: ["hr", "en", "de"]
    winners_count: Mapped[int] = mapped_column(default=1)
    reserves_count: Mapped[int] = mapped_column(default=0)
    pick: Mapped[str] = mapped_column(String(16), default="ranked")  # ranked | drawn (among the best scores)
    seed_encrypted: Mapped[str] = mapped_column(Text)
    commitment: Mapped[str] = mapped_column(String(64))
    public_value: Mapped[str | None] = mapped_column(Text)
    # Frozen when finished: the leaderboard, the record of the draw (when drawn) and the winners.
    leaderboard: Mapped[list[Any] | None]
    record: Mapped[dict[str, Any] | None]
    finished_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class QuizQuestion(IdMixin, Base):
    __tablename__ = "quiz_questions"
    __table_args__ = (UniqueConstraint("quiz_id", "position"),)

    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    answers: Mapped[list[Any]] = mapped_column(default=list)  # every accepted answer, as written
    points: Mapped[int] = mapped_column(default=1)
    opens_at: Mapped[datetime]  # when the question is posted
    closes_at: Mapped[datetime]  # answers after this are late and not counted
    post_id: Mapped[str | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    # A multiple-choice question: its choices, and which one is right (0-based). Posted as a native quiz
    # poll where the channel's network has one (Telegram), listed "A) …" in the text elsewhere.
    options: Mapped[list[Any] | None]
    correct_option: Mapped[int | None]
