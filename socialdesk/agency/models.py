"""Review links (a client approves without an account) and the time log per client workspace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class ReviewLink(IdMixin, TimestampMixin, Base):
    """A signed, expiring, revocable link through which a client reviews chosen posts (or a calendar range)
    without an account. Only a hash of the link's secret is stored: a leaked database opens no link."""

    __tablename__ = "review_links"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))  # the client it was sent to
    name: Mapped[str] = mapped_column(String(200), default="")  # e.g. "March posts for Ana"
    message: Mapped[str] = mapped_column(Text, default="")  # the approver's words to the client
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set for a calendar range: every post scheduled in [range_start, range_end) that is not a draft.
    range_start: Mapped[datetime | None]
    range_end: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_opened_at: Mapped[datetime | None]


class ReviewLinkPost(IdMixin, Base):
    """A post chosen for a review link (links for a calendar range have none)."""

    __tablename__ = "review_link_posts"
    __table_args__ = (UniqueConstraint("link_id", "post_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    link_id: Mapped[str] = mapped_column(ForeignKey("review_links.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)


class TimeEntry(IdMixin, TimestampMixin, Base):
    """Time someone worked for a client workspace: entered afterwards, or a timer (ended_at NULL while it runs)."""

    __tablename__ = "time_entries"
    __table_args__ = (Index("ix_time_entries_workspace_started", "workspace_id", "started_at"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    minutes: Mapped[int | None]  # set when the entry ends (entered, or the timer stopped)
    note: Mapped[str] = mapped_column(String(500), default="")
