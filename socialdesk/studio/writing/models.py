"""The workspace's writing settings (style guide, language, blocking kinds) and its own dictionary."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class WritingSettings(TimestampMixin, Base):
    __tablename__ = "writing_settings"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    # "auto" (detected per text) or one of dictionaries.LANGUAGES.
    language: Mapped[str] = mapped_column(String(8), default="auto")
    # When detection cannot tell (short texts) and to choose among hr/sr/bs.
    main_language: Mapped[str] = mapped_column(String(8), default="en")
    banned: Mapped[list[Any]] = mapped_column(default=list)  # [[word, replacement], ...]
    preferred: Mapped[list[Any]] = mapped_column(default=list)  # [[wrong, right], ...]
    disclosures: Mapped[list[Any]] = mapped_column(default=list)  # ["#ad", "#oglas"]
    paid_markers: Mapped[list[Any]] = mapped_column(default=list)  # ["promo code", "kod za popust"]
    tone_notes: Mapped[str] = mapped_column(Text, default="")
    blocking_kinds: Mapped[list[Any]] = mapped_column(default=list)  # kinds that stop a post going out


class DictionaryWord(IdMixin, TimestampMixin, Base):
    __tablename__ = "writing_words"
    __table_args__ = (UniqueConstraint("workspace_id", "word"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    word: Mapped[str] = mapped_column(String(100))
    added_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
