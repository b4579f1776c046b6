"""Weekly posting slots that make up a workspace's queue."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class QueueSlot(IdMixin, TimestampMixin, Base):
    __tablename__ = "queue_slots"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id", "weekday", "local_time"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    # None: the slot applies to every channel of the workspace.
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    weekday: Mapped[int]  # 0 = Monday
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM" in the workspace's time zone
