"""Comments, mentions and direct messages that arrived from the channels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core import clock
from socialdesk.core.db import Base, IdMixin


class InboxItem(IdMixin, Base):
    __tablename__ = "inbox_items"
    __table_args__ = (
        # What arrives from outside lands here first; a repeated fetch costs nothing.
        UniqueConstraint("channel_id", "external_id"),
        Index("ix_inbox_items_workspace_received", "workspace_id", "received_at"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    publication_id: Mapped[str | None] = mapped_column(ForeignKey("publications.id", ondelete="SET NULL"),
                                                       index=True)
    kind: Mapped[str] = mapped_column(String(32))  # networks.base.IncomingKind
    external_id: Mapped[str] = mapped_column(String(200))
    parent_external_id: Mapped[str | None] = mapped_column(String(200))
    post_external_id: Mapped[str | None] = mapped_column(String(200))
    author_external_id: Mapped[str] = mapped_column(String(200))
    author_handle: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(1000))
    received_at: Mapped[datetime]  # when the network says it was written
    fetched_at: Mapped[datetime] = mapped_column(default=clock.now)
    status: Mapped[str] = mapped_column(String(16), default="open")
    hidden: Mapped[bool] = mapped_column(default=False)
    replied_at: Mapped[datetime | None]
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_external_id: Mapped[str | None] = mapped_column(String(200))
