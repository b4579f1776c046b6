"""The media library: images and videos uploaded once and attached to any number of posts."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class MediaAsset(IdMixin, TimestampMixin, Base):
    __tablename__ = "media_assets"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # networks.base.MediaKind
    size_bytes: Mapped[int]
    width: Mapped[int | None]
    height: Mapped[int | None]
    duration_seconds: Mapped[float | None]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))  # path under the media directory
    thumbnail_key: Mapped[str | None] = mapped_column(String(255))
    alt_text: Mapped[str] = mapped_column(String(1500), default="")
    uploaded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A copy made to fit one network (studio/fitting.py): the original it came from and the network it is for.
    # Wherever the original is attached, that network's channels send this copy instead (studio/service.py).
    derived_from_id: Mapped[str | None] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"),
                                                        index=True)
    fitted_for: Mapped[str | None] = mapped_column(String(32))
    fit_note: Mapped[str] = mapped_column(String(300), default="")
    # Where the subject is, as fractions of width and height (0..1): crops keep it in the frame.
    focal_x: Mapped[float | None]
    focal_y: Mapped[float | None]
    # The user decided this image needs no alt text (decorative): the accessibility check then stays quiet.
    alt_skipped: Mapped[bool] = mapped_column(default=False)
