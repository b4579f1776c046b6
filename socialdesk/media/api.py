"""The media library."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from socialdesk.content import service as content
from socialdesk.core.errors import Forbidden, NotFound, ValidationFailed
from socialdesk.media import service
from socialdesk.media.models import MediaAsset
from socialdesk.studio import accessibility, fitting
from socialdesk.studio import service as studio
from socialdesk.studio.specs import SPECS, parse_aspect
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
    # Studio: a copy fitted to one network (sent instead of its original there), the focal point crops keep,
    # and whether the image was marked as needing no alt text.
    derived_from_id: str | None = None
    fitted_for: str | None = None
    fit_note: str = ""
    focal_x: float | None = None
    focal_y: float | None = None
    alt_skipped: bool = False


class MediaPatch(BaseModel):
    alt_text: str | None = None
    alt_skipped: bool | None = None
    focal_x: float | None = Field(None, ge=0, le=1)
    focal_y: float | None = Field(None, ge=0, le=1)


class FitIn(BaseModel):
    network: str = Field(description="The network to fit for, e.g. instagram")
    mode: str = Field("auto", description="auto, crop, pad, resize, convert or strip_location")
    aspect: str | None = Field(None, description="crop/pad: width:height, e.g. 4:5")
    focal_x: float = Field(0.5, ge=0, le=1)
    focal_y: float = Field(0.5, ge=0, le=1)
    background: str = Field("#ffffff", description="pad: #rrggbb or 'blur'")
    max_width: int | None = Field(None, ge=16, le=20_000)


class NetworkFitOut(BaseModel):
    network: str
    label: str
    fits: bool
    problems: list[str]
    fit_would: list[str]
    fitted_copy: MediaOut | None


def media_out(asset: MediaAsset) -> MediaOut:
    return MediaOut(**{k: getattr(asset, k) for k in MediaOut.model_fields})


@router.get("/workspaces/{workspace_id}/media")
@requires(Permission.POSTS_READ)
def list_media(ctx: Ctx, copies: bool = False) -> list[MediaOut]:
    """The library, newest first; `copies=true` adds the copies fitted to a network (studio)."""
    return [media_out(a) for a in service.list_media(ctx, copies=copies)]


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
    if (data.focal_x is None) != (data.focal_y is None):
        raise ValidationFailed("Give the focal point as both focal_x and focal_y (0 to 1).")
    asset = service.get(ctx, media_id)
    if data.alt_text is not None:
        asset = service.set_alt_text(ctx, media_id, data.alt_text)
    if data.alt_skipped is not None:
        asset = accessibility.skip(ctx, media_id, data.alt_skipped)
    if data.focal_x is not None and data.focal_y is not None:
        asset = studio.set_focal_point(ctx, media_id, data.focal_x, data.focal_y)
    return media_out(asset)


@router.get("/workspaces/{workspace_id}/media/{media_id}/fit")
@requires(Permission.POSTS_READ)
def review_fit(media_id: str, ctx: Ctx, network: list[str] | None = Query(None)) -> list[NetworkFitOut]:
    """How each network (default: the workspace's) would take the file, and what fitting would do."""
    return [NetworkFitOut(network=f.network, label=f.label, fits=f.fits, problems=f.problems, fit_would=f.plan,
                          fitted_copy=media_out(f.copy) if f.copy else None)
            for f in studio.review(ctx, media_id, network or None)]


@router.post("/workspaces/{workspace_id}/media/{media_id}/fit", status_code=201)
@requires(Permission.POSTS_WRITE)
def fit_media(media_id: str, data: FitIn, ctx: Ctx) -> MediaOut:
    """A copy fitted to the network (the original is kept); that network's channels send it from now on."""
    if data.network not in SPECS:
        raise ValidationFailed(f"Unknown network {data.network!r}; choose {', '.join(sorted(SPECS))}.")
    try:
        request = fitting.FitRequest(mode=data.mode, aspect=parse_aspect(data.aspect) if data.aspect else None,
                                     focal=(data.focal_x, data.focal_y), background=data.background,
                                     max_width=data.max_width)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None
    return media_out(studio.fit(ctx, media_id, data.network, request))


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
