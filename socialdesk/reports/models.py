"""Report schedules and each workspace's report branding."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ReportFormat(StrEnum):
    PDF = "pdf"
    HTML = "html"
    XLSX = "xlsx"
    CSV = "csv"


class ReportSchedule(IdMixin, TimestampMixin, Base):
    __tablename__ = "report_schedules"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    frequency: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(8), default=ReportFormat.PDF)
    recipients: Mapped[list[Any]] = mapped_column(default=list)  # e-mail addresses
    next_run_at: Mapped[datetime] = mapped_column(index=True)
    last_sent_at: Mapped[datetime | None]
    last_period: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReportBranding(IdMixin, TimestampMixin, Base):
    """How a workspace's reports look: its logo and accent colour (the main colour is the workspace's)."""

    __tablename__ = "report_brandings"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), unique=True)
    logo_media_id: Mapped[str | None] = mapped_column(ForeignKey("media_assets.id", ondelete="SET NULL"))
    accent_colour: Mapped[str] = mapped_column(String(7), default="#f08c00")
    title: Mapped[str] = mapped_column(String(200), default="")  # empty: "<workspace> — social media report"
    footer: Mapped[str] = mapped_column(String(500), default="")
