"""Tables of the simulated network (its own storage, as a real network has its own servers).

Only what a real network would have to remember is stored: accounts, the posts and replies we
sent, and what we hid. Everything the simulated audience does (views, likes, comments, follows,
messages) is recomputed from these rows and the seed, so it never needs a table.

The sandbox writes these rows in its own database and unit of work (see server.py), never in the
caller's transaction: a post that reached the "network" stays there when socialdesk's own
transaction rolls back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core import clock
from socialdesk.core.db import IdMixin
from socialdesk.networks.sandbox.server import SandboxBase as Base


class SandboxAccount(IdMixin, Base):
    __tablename__ = "sandbox_accounts"

    handle: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    profile: Mapped[str] = mapped_column(String(32))  # the real network it imitates: "instagram", "x", ...
    seed: Mapped[int] = mapped_column(BigInteger)  # the world seed the audience is generated from
    audience_size: Mapped[int] = mapped_column(Integer)
    # Languages, time zone, topics and the other audience parameters (see audience.AccountParams).
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    access_token: Mapped[str] = mapped_column(String(64))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Faults still to be served, oldest first (see faults.py), and a delay added to every call.
    fault_plan: Mapped[list[Any]] = mapped_column(default=list)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SandboxPost(IdMixin, Base):
    __tablename__ = "sandbox_posts"
    __table_args__ = (
        UniqueConstraint("account_id", "seq"),
        # NULL keys are distinct in SQLite and PostgreSQL alike, so posts without a key never clash.
        UniqueConstraint("account_id", "idempotency_key"),
    )

    account_id: Mapped[str] = mapped_column(ForeignKey("sandbox_accounts.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per account; the simulation is seeded by it
    text: Mapped[str] = mapped_column(Text, default="")
    # [{"kind": "image", "content_type": ..., "size_bytes": ..., "duration_seconds": ...}, ...]
    media: Mapped[list[Any]] = mapped_column(default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reply_to_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None] = mapped_column(nullable=True)


class SandboxPostExtra(IdMixin, Base):
    """What a post carries besides text and media: a poll, a content warning, a visibility, or that it is the
    account's own comment under a post (a first comment). A table of its own, so a sandbox database made
    before it gets it from create_all."""

    __tablename__ = "sandbox_post_extras"
    __table_args__ = (UniqueConstraint("account_id", "seq"),)

    account_id: Mapped[str] = mapped_column(ForeignKey("sandbox_accounts.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    # {"poll": {"options", "expires_at", "multiple"}, "content_warning", "visibility", "comment": bool}
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SandboxReply(IdMixin, Base):
    """Our answer to a comment, mention or direct message."""

    __tablename__ = "sandbox_replies"
    __table_args__ = (UniqueConstraint("account_id", "seq"),)

    account_id: Mapped[str] = mapped_column(ForeignKey("sandbox_accounts.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    item_external_id: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class SandboxHiddenItem(IdMixin, Base):
    __tablename__ = "sandbox_hidden_items"
    __table_args__ = (UniqueConstraint("account_id", "item_external_id"),)

    account_id: Mapped[str] = mapped_column(ForeignKey("sandbox_accounts.id", ondelete="CASCADE"), index=True)
    item_external_id: Mapped[str] = mapped_column(String(120))
    hidden_at: Mapped[datetime]


class SandboxModeration(IdMixin, Base):
    """What the account did to other people's comments and to people: liked, deleted, blocked."""

    __tablename__ = "sandbox_moderation"
    __table_args__ = (UniqueConstraint("account_id", "action", "target"),)

    account_id: Mapped[str] = mapped_column(ForeignKey("sandbox_accounts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # like | delete | block
    target: Mapped[str] = mapped_column(String(120))  # an item's external id, or a member's for "block"
    at: Mapped[datetime]


class SandboxLinkClicks(IdMixin, Base):
    """How many of a post's simulated link clicks have been sent to the short-link server (links in its text
    that are socialdesk's short links): each click goes there once. A table of its own (create_all)."""

    __tablename__ = "sandbox_link_clicks"
    __table_args__ = (UniqueConstraint("account_id", "seq"),)

    account_id: Mapped[str] = mapped_column(ForeignKey("sandbox_accounts.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    delivered: Mapped[int] = mapped_column(Integer, default=0)  # clicks sent, in time order
