"""The media library: store an upload after checking what it really is, make a thumbnail."""

from __future__ import annotations

import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from socialdesk.audit import service as audit
from socialdesk.content.validation import MediaInfo
from socialdesk.core.config import get_settings
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.media import images
from socialdesk.media.models import MediaAsset
from socialdesk.networks.base import MediaKind
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp"),
                 "GIF": ("image/gif", ".gif"), "HEIF": ("image/heic", ".heic")}
THUMBNAIL_SIZE = (320, 320)
CHUNK = 1024 * 1024
# Pillow's last-resort guard; media.images refuses far smaller images first (SOCIALDESK_MAX_IMAGE_PIXELS).
Image.MAX_IMAGE_PIXELS = 120_000_000


@dataclass(frozen=True)
class Detected:
    kind: MediaKind
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None


def detect(data: bytes | BinaryIO, filename: str) -> Detected:
    """What the bytes really are (the browser's claimed type is not trusted)."""
    file = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        # open_checked refuses an image whose header declares too many pixels, before verify() decodes it.
        with images.open_checked(file, filename) as image:
            fmt = image.format or ""
            if fmt in IMAGE_FORMATS:
                image.verify()
                content_type, ext = IMAGE_FORMATS[fmt]
                kind = MediaKind.GIF if fmt == "GIF" else MediaKind.IMAGE
                return Detected(kind, content_type, ext, image.width, image.height)
            raise ValidationFailed(f"{filename}: {fmt} images are not supported; upload JPEG, PNG, WebP, GIF or HEIC.")
    except UnidentifiedImageError:
        pass
    except (OSError, SyntaxError) as exc:
        raise ValidationFailed(f"{filename}: the image is damaged or too large to open ({exc}).") from exc
    file.seek(0)
    head = file.read(12)
    if len(head) == 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        content_type, ext = ("video/quicktime", ".mov") if brand == b"qt  " else ("video/mp4", ".mp4")
        return Detected(MediaKind.VIDEO, content_type, ext, duration_seconds=_mp4_duration(file))
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return Detected(MediaKind.VIDEO, "video/webm", ".webm")
    raise ValidationFailed(f"{filename}: not a supported image or video. Upload JPEG, PNG, WebP, GIF, MP4, MOV "
                           "or WebM.")


def _mp4_duration(file: BinaryIO) -> float | None:
    from mutagen import MutagenError
    from mutagen.mp4 import MP4

    file.seek(0)
    try:
        return float(MP4(file).info.length) or None
    except (MutagenError, ValueError):
        return None


def _size_and_digest(file: BinaryIO) -> tuple[int, str]:
    """Read in chunks: an upload of hundreds of MB is never held in memory at once."""
    file.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := file.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def upload(ctx: WorkspaceContext, filename: str, data: bytes | BinaryIO, alt_text: str = "") -> MediaAsset:
    """Store an upload given as bytes or as a file (the web routes pass the spooled upload itself)."""
    ctx.require(Permission.POSTS_WRITE)
    settings = get_settings()
    filename = Path(filename or "upload").name[:255]
    file = io.BytesIO(data) if isinstance(data, bytes) else data
    size, digest = _size_and_digest(file)
    if not size:
        raise ValidationFailed(f"{filename}: the file is empty.")
    if size > settings.max_upload_mb * 1024 * 1024:
        raise ValidationFailed(f"{filename}: {size / 1e6:.1f} MB is over the {settings.max_upload_mb} MB "
                               "upload limit (SOCIALDESK_MAX_UPLOAD_MB).")
    found = detect(file, filename)
    duplicate = ctx.session.scalars(ctx.select(MediaAsset).where(MediaAsset.sha256 == digest)).first()
    if duplicate:
        return duplicate
    asset = MediaAsset(workspace_id=ctx.workspace_id, filename=filename, content_type=found.content_type,
                       kind=found.kind, size_bytes=size, width=found.width, height=found.height,
                       duration_seconds=found.duration_seconds, sha256=digest, storage_key="",
                       alt_text=alt_text.strip()[:1500], uploaded_by_id=ctx.actor.user_id)
    ctx.session.add(asset)
    ctx.session.flush()
    folder = settings.media_dir / ctx.workspace_id
    folder.mkdir(parents=True, exist_ok=True)
    asset.storage_key = f"{ctx.workspace_id}/{asset.id}{found.extension}"
    file.seek(0)
    with (settings.media_dir / asset.storage_key).open("wb") as target:
        shutil.copyfileobj(file, target, CHUNK)
    if found.kind != MediaKind.VIDEO:
        asset.thumbnail_key = f"{ctx.workspace_id}/{asset.id}.thumb.jpg"
        _thumbnail(file, settings.media_dir / asset.thumbnail_key, filename)
    audit.record(ctx, "media.upload", "media", asset.id, f"Uploaded {filename}")
    return asset


def _thumbnail(file: BinaryIO, target: Path, filename: str) -> None:
    with images.open_checked(file, filename) as image:
        image.seek(0)
        image.draft("RGB", THUMBNAIL_SIZE)  # a JPEG is then decoded at a fraction of its size
        thumb = image.convert("RGB")
        thumb.thumbnail(THUMBNAIL_SIZE)
        thumb.save(target, "JPEG", quality=82)


def path_of(asset: MediaAsset, thumbnail: bool = False) -> Path:
    key = asset.thumbnail_key if thumbnail and asset.thumbnail_key else asset.storage_key
    return get_settings().media_dir / key


def get(ctx: WorkspaceContext, media_id: str) -> MediaAsset:
    return ctx.get(MediaAsset, media_id, what="media file")


def list_media(ctx: WorkspaceContext, limit: int = 200, *, copies: bool = False) -> list[MediaAsset]:
    """The library, newest first; copies fitted to a network (studio) only when asked for."""
    query = ctx.select(MediaAsset)
    if not copies:
        query = query.where(MediaAsset.derived_from_id.is_(None))
    return list(ctx.session.scalars(query.order_by(MediaAsset.created_at.desc()).limit(limit)))


def set_alt_text(ctx: WorkspaceContext, media_id: str, alt_text: str) -> MediaAsset:
    ctx.require(Permission.POSTS_WRITE)
    asset = get(ctx, media_id)
    asset.alt_text = alt_text.strip()[:1500]
    return asset


def delete(ctx: WorkspaceContext, media_id: str, *, audited: bool = True) -> None:
    """Delete a file and the copies fitted from it (studio); refused while a post uses either."""
    from socialdesk.content.models import PostMedia

    ctx.require(Permission.POSTS_WRITE)
    asset = get(ctx, media_id)
    copies = list(ctx.session.scalars(ctx.select(MediaAsset).where(MediaAsset.derived_from_id == asset.id)))
    for item in (asset, *copies):
        used = ctx.session.scalars(select(PostMedia.id).where(PostMedia.media_id == item.id).limit(1)).first()
        if used:
            raise Conflict(f"{item.filename} is attached to a post; remove it from the post first.")
    for item in (*copies, asset):
        for key in (item.storage_key, item.thumbnail_key):
            if key:
                (get_settings().media_dir / key).unlink(missing_ok=True)
        ctx.session.delete(item)
    if audited:
        audit.record(ctx, "media.delete", "media", media_id, f"Deleted {asset.filename}")


def info(asset: MediaAsset) -> MediaInfo:
    return MediaInfo(kind=MediaKind(asset.kind), content_type=asset.content_type, size_bytes=asset.size_bytes,
                     width=asset.width, height=asset.height, duration_seconds=asset.duration_seconds,
                     filename=asset.filename)
