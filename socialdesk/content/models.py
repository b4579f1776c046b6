"""Posts: one master text, and one publication per target channel."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class PublicationStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # The network may or may not have the post (the answer was lost); a person must check.
    UNCONFIRMED = "unconfirmed"


EDITABLE = {PublicationStatus.DRAFT, PublicationStatus.PENDING_APPROVAL, PublicationStatus.SCHEDULED,
            PublicationStatus.FAILED, PublicationStatus.CANCELLED}
FINISHED = {PublicationStatus.PUBLISHED, PublicationStatus.CANCELLED}


class Post(IdMixin, TimestampMixin, Base):
    __tablename__ = "posts"
    # The post list and the calendar read a workspace's posts by time.
    __table_args__ = (Index("ix_posts_workspace_when", "workspace_id", "scheduled_at"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    # When to publish, in UTC; the zone the user picked it in is kept to show it back the same way.
    scheduled_at: Mapped[datetime | None]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Index of the next approval step in the workspace's chain while pending approval.
    approval_step: Mapped[int] = mapped_column(default=0)
    # An RFC 5545 RRULE ("FREQ=WEEKLY;BYDAY=MO;COUNT=10"); occurrences are posts of their own.
    recurrence: Mapped[str | None] = mapped_column(String(500))
    recurrence_parent_id: Mapped[str | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"),
                                                             index=True)
    # Composer features for every channel (content/features.py): {"thread": [texts after the first],
    # "poll": {"options", "expires_in_seconds", "multiple"}, "content_warning", "visibility"}.
    extras: Mapped[dict[str, Any] | None]
    # Work on the draft (content/assignments.py): who should write it, and by when ("write by Thursday").
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    due_at: Mapped[datetime | None]
    overdue_told_at: Mapped[datetime | None]  # when the assignee was told it is overdue (told once per due date)


class Publication(IdMixin, TimestampMixin, Base):
    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("post_id", "channel_id"),
        Index("ix_publications_due", "status", "scheduled_at"),
        Index("ix_publications_workspace_when", "workspace_id", "scheduled_at"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), index=True)
    variant_text: Mapped[str | None] = mapped_column(Text)  # None: the post's master text
    own_media: Mapped[bool] = mapped_column(default=False)  # True: media chosen for this channel only
    # Blog channels (Capabilities.blog): the post's title there, and {"tags": [...], "categories": [...],
    # "draft": bool} (draft: leave it unpublished on the blog for an editor to finish).
    title: Mapped[str | None] = mapped_column(String(1000))
    blog_options: Mapped[dict[str, Any] | None]
    # The channel's own choices for this publication, by name as its network declares them
    # (Capabilities.options: YouTube's privacy, Instagram's story or reel, a first comment, …).
    network_options: Mapped[dict[str, Any] | None]
    # This channel's own values of the post's composer features (a key present overrides the post's).
    extras: Mapped[dict[str, Any] | None]
    # A publication on a social channel of a post that also goes to a blog: it waits until that blog
    # publication is published, and then carries its link (content/bloglink.py).
    link_from_id: Mapped[str | None] = mapped_column(ForeignKey("publications.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(32), default=PublicationStatus.DRAFT)
    scheduled_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    # Set (and committed) just before the network call, cleared when its outcome is recorded: if it is
    # still set when the next try starts, the previous try was interrupted and may have gone out.
    attempt_started_at: Mapped[datetime | None]
    # The runner (jobs.models.Heartbeat.runner_id) making that try: while it is alive and the try is
    # recent, the call may still be in flight, and another runner must not send or look up meanwhile.
    attempt_runner_id: Mapped[str | None] = mapped_column(String(100))
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(200))
    external_url: Mapped[str | None] = mapped_column(String(1000))
    published_at: Mapped[datetime | None]


class PublicationStep(IdMixin, TimestampMixin, Base):
    """What goes out after a publication, each on its own (publishing/steps.py): a thread's further parts,
    each a reply to the one before, and a first comment. Each has its own outcome, and its try is recorded
    before the network call, so a retry never sends a part that went out."""

    __tablename__ = "publication_steps"
    __table_args__ = (UniqueConstraint("publication_id", "kind", "position"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    publication_id: Mapped[str] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # thread_part | first_comment
    position: Mapped[int] = mapped_column(default=0)  # thread parts: 2, 3, …; the first comment: 0
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default="pending")  # pending, published, failed, unconfirmed
    attempts: Mapped[int] = mapped_column(default=0)
    attempt_started_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(200))
    external_url: Mapped[str | None] = mapped_column(String(1000))
    published_at: Mapped[datetime | None]


class PostMedia(IdMixin, Base):
    """A media asset attached to a post (publication_id NULL) or to one publication's variant."""

    __tablename__ = "post_media"

    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    publication_id: Mapped[str | None] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    media_id: Mapped[str] = mapped_column(ForeignKey("media_assets.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(default=0)


class ApprovalDecision(IdMixin, TimestampMixin, Base):
    __tablename__ = "approval_decisions"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(16))  # submitted, approved, rejected
    step: Mapped[str | None] = mapped_column(String(32))  # the role whose step this decided
    comment: Mapped[str] = mapped_column(Text, default="")
    # A decision a client made through a review link (agency/review_links.py): no user, the link and its
    # e-mail instead.
    review_link_id: Mapped[str | None] = mapped_column(ForeignKey("review_links.id", ondelete="SET NULL"))
    by_label: Mapped[str | None] = mapped_column(String(320))
