"""The media library."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel

from socialdesk.content import service as content
from socialdesk.core.errors import Forbidden, NotFound
from socialdesk.media import service
from socialdesk.media.models import MediaAsset
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["media"])


class MediaOut(BaseModel):
    id: str
    filename: str
    content_type: str
    kind: str
    size_bytes: int
    width: int | None
    height: int | None
    duration_seconds: float | None
    alt_text: str
    created_at: datetime


class MediaPatch(BaseModel):
    alt_text: str


def media_out(asset: MediaAsset) -> MediaOut:
    return MediaOut(**{k: getattr(asset, k) for k in MediaOut.model_fields})


@router.get("/workspaces/{workspace_id}/media")
@requires(Permission.POSTS_READ)
def list_media(ctx: Ctx) -> list[MediaOut]:
    return [media_out(a) for a in service.list_media(ctx)]


@router.post("/workspaces/{workspace_id}/media", status_code=201)
@requires(Permission.POSTS_WRITE)
def upload_media(file: UploadFile, ctx: Ctx, alt_text: str = "") -> MediaOut:
    # The spooled upload itself (on disk past 1 MB), not file.read(): a large upload never sits in memory.
    return media_out(service.upload(ctx, file.filename or "upload", file.file, alt_text))


@router.get("/workspaces/{workspace_id}/media/{media_id}")
@requires(Permission.POSTS_READ)
def get_media(media_id: str, ctx: Ctx) -> MediaOut:
    return media_out(service.get(ctx, media_id))


@router.patch("/workspaces/{workspace_id}/media/{media_id}")
@requires(Permission.POSTS_WRITE)
def update_media(media_id: str, data: MediaPatch, ctx: Ctx) -> MediaOut:
    return media_out(service.set_alt_text(ctx, media_id, data.alt_text))


@router.delete("/workspaces/{workspace_id}/media/{media_id}", status_code=204)
@requires(Permission.POSTS_WRITE)
def delete_media(media_id: str, ctx: Ctx) -> None:
    service.delete(ctx, media_id)


@router.get("/workspaces/{workspace_id}/media/{media_id}/file")
@requires(Permission.POSTS_READ, Permission.POSTS_APPROVE)
def media_file(media_id: str, ctx: Ctx, thumbnail: bool = False) -> FileResponse:
    """The file; someone who approves but may not read posts (a client reviewer) gets only the media of the
    posts waiting for their approval."""
    if not ctx.can(Permission.POSTS_READ) and media_id not in content.media_awaiting_approval(ctx):
        raise Forbidden("You may open only the media of the posts waiting for your approval.")
    asset = service.get(ctx, media_id)
    path = service.path_of(asset, thumbnail)
    if not path.exists():
        raise NotFound(f"The file of {asset.filename} is missing from the media directory.")
    media_type = "image/jpeg" if thumbnail and asset.thumbnail_key else asset.content_type
    return FileResponse(path, media_type=media_type, filename=None if thumbnail else asset.filename)
