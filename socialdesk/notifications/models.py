"""Things a person must know about: a channel to reconnect, a post that could not be confirmed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


class PersonalNotification(IdMixin, Base):
    """A notification for one person (a mention, an approval waiting for them, a failed post …), shown in the
    app until read, and e-mailed at once or in the daily digest as their preferences say."""

    __tablename__ = "person_notifications"
    __table_args__ = (Index("ix_person_notifications_user", "user_id", "workspace_id", "created_at"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))  # notifications.events.EVENTS
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None]
    # none: no e-mail wanted; immediate: a job sends it; digest: waits for the daily digest; sent; failed.
    email_state: Mapped[str] = mapped_column(String(10), default="none")


class NotificationPreference(IdMixin, Base):
    """One person's choices in one workspace (no row: the defaults, DEFAULT_EMAIL and nothing muted)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(10), default="immediate")  # off, immediate, digest
    in_app_muted: Mapped[list[Any]] = mapped_column(default=list)  # events not shown in the app
    email_muted: Mapped[list[Any]] = mapped_column(default=list)  # events never e-mailed
    last_digest_at: Mapped[datetime | None]


class ChatWebhook(IdMixin, Base):
    """A Slack, Mattermost or Microsoft Teams incoming webhook the workspace's events are posted to."""

    __tablename__ = "chat_webhooks"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    flavour: Mapped[str] = mapped_column(String(12))  # slack, mattermost, teams
    # The incoming-webhook URL is itself the secret (whoever has it may post): encrypted at rest.
    url_encrypted: Mapped[str] = mapped_column(Text)
    events: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_status: Mapped[str | None] = mapped_column(String(300))
    last_sent_at: Mapped[datetime | None]


class Reminder(IdMixin, Base):
    """That people were told of something once (a conversation past the response target, a goal's milestone),
    so a periodic check never tells them twice."""

    __tablename__ = "notification_reminders"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))  # e.g. "overdue:<conversation id>:<waiting since>"
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
