"""The team's own comments on a post: internal (never sent to a network), threaded, with @mentions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class PostComment(IdMixin, TimestampMixin, Base):
    __tablename__ = "post_comments"
    __table_args__ = (Index("ix_post_comments_post", "workspace_id", "post_id", "created_at"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    # A reply belongs to a top-level comment (one level of threading, as in most review tools).
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("post_comments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    # The user ids the body @mentions (members of the workspace when it was written).
    mentions: Mapped[list[Any]] = mapped_column(default=list)
    # A resolved thread folds away on the pages; resolving the top-level comment resolves its replies.
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
