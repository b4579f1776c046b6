"""A channel: one connected account on one network, in one workspace."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class ChannelStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # the user paused its queue
    NEEDS_RECONNECTION = "needs_reconnection"  # the network refused our credentials


class Channel(IdMixin, TimestampMixin, Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "external_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str] = mapped_column(String(200))
    # Fernet token (see core.crypto); never returned by the API.
    credentials_encrypted: Mapped[str] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(32), default=ChannelStatus.ACTIVE)
    status_message: Mapped[str | None] = mapped_column(Text)
    inbox_cursor: Mapped[str | None] = mapped_column(Text)
    inbox_fetched_at: Mapped[datetime | None]
    metrics_collected_at: Mapped[datetime | None]
    # Set from a network's 429 / Retry-After: nothing is sent to the channel before then.
    rate_limited_until: Mapped[datetime | None]
