"""Things a person must know about: a channel to reconnect, a post that could not be confirmed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core import clock
from socialdesk.core.db import Base, IdMixin


class Notification(IdMixin, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # One open notification per subject: a second failure of the same kind updates it.
        UniqueConstraint("workspace_id", "dedupe_key"),
        Index("ix_notifications_open", "workspace_id", "resolved_at"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # channel_needs_reconnection, publication_unconfirmed, ...
    level: Mapped[str] = mapped_column(String(10), default="warning")  # info, warning, error
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))  # where in the app to act on it
    dedupe_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
