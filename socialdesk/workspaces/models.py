"""Organisations, their workspaces (one per brand or client) and who may do what in each."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    EDITOR = "editor"
    APPROVER = "approver"
    CLIENT_REVIEWER = "client_reviewer"
    VIEWER = "viewer"


class Organisation(IdMixin, TimestampMixin, Base):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200))


class Workspace(IdMixin, TimestampMixin, Base):
    __tablename__ = "workspaces"

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Who must approve a post before it may be scheduled, in order: e.g. ["approver", "client_reviewer"].
    approval_steps: Mapped[list[Any]] = mapped_column(default=list)
    brand_colour: Mapped[str] = mapped_column(String(7), default="#3b5bdb")
    queue_paused: Mapped[bool] = mapped_column(default=False)
    # White-label (docs/agency.md): the name e-mails sent for this workspace come from ("" or None: the
    # workspace's name), and the host its client-facing pages are linked on where the operator set one up.
    email_sender_name: Mapped[str | None] = mapped_column(String(200))
    custom_domain: Mapped[str | None] = mapped_column(String(253))


class Membership(IdMixin, TimestampMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))


class Invitation(IdMixin, TimestampMixin, Base):
    """An offer to join a workspace, sent by e-mail; the invited person accepts it (or not)."""

    __tablename__ = "invitations"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(32))
    # Only a hash of the link's secret is stored, like sessions: a leaked database opens no invitation.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
