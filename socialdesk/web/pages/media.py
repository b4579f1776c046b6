"""The media library: thumbnails, upload, alt text, delete."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from socialdesk.media import service as media
from socialdesk.studio import service as studio
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, attempt, field, redirect, render, ws_url
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()


@router.get("/w/{workspace_id}/media", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def library(request: Request, ctx: Ctx) -> HTMLResponse:
    assets = media.list_media(ctx)
    return render(request, "media.html", ctx=ctx, section="media", assets=assets,
                  fitted=studio.fitted_networks(ctx, [a.id for a in assets]))


@router.post("/w/{workspace_id}/media")
@requires(Permission.POSTS_WRITE)
def upload(ctx: Ctx, form: Form) -> Response:
    """Several files at once; each is accepted or refused on its own, with the reason."""
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not files:
        return redirect(ws_url(ctx, "/media"), errors=["Choose one or more files to upload."])
    notes, errors = [], []
    for upload in files:
        asset, error = attempt(ctx.session, functools.partial(
            media.upload, ctx, upload.filename or "upload", upload.file, field(form, "alt_text")))
        if error is not None:
            errors.append(error.message)
        elif asset is not None:
            notes.append(f"Uploaded {asset.filename}.")
    return redirect(ws_url(ctx, "/media"), notes=notes, errors=errors)


@router.post("/w/{workspace_id}/media/{media_id}/alt")
@requires(Permission.POSTS_WRITE)
def set_alt_text(media_id: str, ctx: Ctx, form: Form) -> Response:
    asset = media.get(ctx, media_id)

    def run() -> list[str]:
        media.set_alt_text(ctx, media_id, field(form, "alt_text"))
        return [f"Alt text of {asset.filename} saved."]

    return act(ctx, run, back=ws_url(ctx, f"/media#media-{media_id}"))


@router.post("/w/{workspace_id}/media/{media_id}/delete")
@requires(Permission.POSTS_WRITE)
def delete(media_id: str, ctx: Ctx) -> Response:
    asset = media.get(ctx, media_id)

    def run() -> list[str]:
        media.delete(ctx, media_id)
        return [f"Deleted {asset.filename}."]

    return act(ctx, run, back=ws_url(ctx, "/media"))
