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


class CalendarVersion(Base):
    """Bumped by database triggers (migration "calendar versions") in the same transaction as every change the
    calendar shows: posts, publications, their media, channels, key dates, pillars, assignees' names, the
    workspace's time zone. The kept month grid (scheduling/kept_month.py) is reused only while the sum of a
    workspace's shards is the one it was drawn at, so it is never older than the last committed change, whoever
    wrote it (the ORM, a worker's Core statement, another process). Publications bump one of a few shards, chosen
    by their id, so publishing workers at the top of the hour do not all wait on one row. No foreign key: the
    rows outlive a deleted workspace's cascade (whose triggers still bump), and a version must never repeat."""

    __tablename__ = "calendar_versions"

    workspace_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
