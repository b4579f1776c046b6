"""Alt text where the workspace asks for accessibility: each image needs a description, or a conscious
"no alt text needed" (a decorative image). The composer reports a missing one like any other check."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.media import service as media
from socialdesk.media.models import MediaAsset
from socialdesk.networks.base import MediaKind
from socialdesk.studio.models import BrandKit
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

CODE = "alt_text_missing"


def required(session: Session, workspace_id: str) -> bool:
    found = session.scalars(select(BrandKit.require_alt_text).where(BrandKit.workspace_id == workspace_id)).first()
    return bool(found)


def missing(assets: Sequence[MediaAsset]) -> list[MediaAsset]:
    """The images (GIFs and videos too: they are described the same way) with neither alt text nor a skip."""
    return [a for a in assets if not (a.alt_text or "").strip() and not a.alt_skipped
            and a.kind in (MediaKind.IMAGE, MediaKind.GIF, MediaKind.VIDEO)]


def problems(session: Session, workspace_id: str, assets: Sequence[MediaAsset], where: str) -> list[tuple[str, str]]:
    """(code, message) for each file without alt text, when the workspace requires it; [] otherwise."""
    if not assets or not required(session, workspace_id):
        return []
    return [(CODE, f'"{a.filename}" has no alt text, and this workspace asks for it on every image ({where}). '
                   "Describe the image in the media library, or mark it “no alt text needed” if it is decorative.")
            for a in missing(assets)]


def skip(ctx: WorkspaceContext, media_id: str, skipped: bool = True) -> MediaAsset:
    """Mark a file as needing no alt text (decorative), or undo the mark; recorded in the audit log."""
    ctx.require(Permission.POSTS_WRITE)
    asset = media.get(ctx, media_id)
    asset.alt_skipped = skipped
    audit.record(ctx, "media.alt_skip" if skipped else "media.alt_required", "media", asset.id,
                 f"{asset.filename}: {'no alt text needed' if skipped else 'alt text needed'}")
    return asset
