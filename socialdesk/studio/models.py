"""A workspace's brand kit: logo, colours, fonts, and whether every image needs alt text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class BrandKit(IdMixin, TimestampMixin, Base):
    __tablename__ = "brand_kits"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), unique=True)
    logo_media_id: Mapped[str | None] = mapped_column(ForeignKey("media_assets.id", ondelete="SET NULL"))
    # {"primary": "#3b5bdb", "accent": "#f59f00", "background": "#ffffff", "text": "#1c1c1c"}
    colours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # A system font's file name ("DejaVuSans-Bold") or an uploaded one's ("upload:<name>").
    heading_font: Mapped[str] = mapped_column(String(200), default="")
    body_font: Mapped[str] = mapped_column(String(200), default="")
    # Uploaded fonts: [{"name": "Brand Sans", "key": "fonts/<workspace>/<id>.ttf"}]
    fonts: Mapped[list[Any]] = mapped_column(default=list)
    # Accessibility: every image attached to a post needs alt text, or a conscious "no alt text" mark.
    require_alt_text: Mapped[bool] = mapped_column(default=False)
