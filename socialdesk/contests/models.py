"""A contest (giveaway) and the posts people enter it on; its draw's record is kept on the contest itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class Contest(IdMixin, TimestampMixin, Base):
    __tablename__ = "contests"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prize: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    winners_count: Mapped[int] = mapped_column(default=1)
    reserves_count: Mapped[int] = mapped_column(default=0)
    # Entry rules and exclusions: {"keyword", "mentions", "per", "spam_threshold", "blocklist"} (service.Rules).
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The draw: the seed stays encrypted until the draw; its commitment is public from the start.
    seed_encrypted: Mapped[str] = mapped_column(Text)
    commitment: Mapped[str] = mapped_column(String(64))
    public_value_source: Mapped[str] = mapped_column(String(300), default="")  # e.g. "drand quicknet round 123"
    public_value: Mapped[str | None] = mapped_column(Text)
    entrants_digest: Mapped[str | None] = mapped_column(String(64))
    # Frozen at the draw: the eligible entrants and the excluded ones with their reasons.
    entrants: Mapped[list[Any] | None]
    excluded: Mapped[list[Any] | None]
    winners: Mapped[list[Any] | None]
    reserves: Mapped[list[Any] | None]
    drawn_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ContestPost(IdMixin, Base):
    """A published post people enter the contest on (one of its publications, on one channel)."""

    __tablename__ = "contest_posts"
    __table_args__ = (UniqueConstraint("contest_id", "publication_id"),)

    contest_id: Mapped[str] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    publication_id: Mapped[str] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))


class ContestReinclusion(IdMixin, TimestampMixin, Base):
    """An excluded entrant let back in by a person, with the reason they gave."""

    __tablename__ = "contest_reinclusions"
    __table_args__ = (UniqueConstraint("contest_id", "entrant_id"),)

    contest_id: Mapped[str] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    entrant_id: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class IdentityLink(IdMixin, TimestampMixin, Base):
    """One account (on one network) that the team says belongs to a person they name: a contest counts a
    person's linked accounts as one entrant."""

    __tablename__ = "identity_links"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "external_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    person: Mapped[str] = mapped_column(String(200))  # the team's name for the person, e.g. "Ana Kovač"
    network: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(200))  # the account's id on the network (author_external_id)
    handle: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
