"""Short links (the public redirect), and the links page: link rules (short links, UTM tags) per workspace
and channel, and the clicks on each link."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from socialdesk.channels import service as channels
from socialdesk.core.db import get_database
from socialdesk.core.errors import NotFound
from socialdesk.links import bio, clicks, report, utm
from socialdesk.links import settings as link_settings
from socialdesk.media import service as media
from socialdesk.web.deps import Ctx, DbSession
from socialdesk.web.pages.common import Form, act, field, render, ws_url
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter()


@router.get("/l/{token}", name="short_link")
@requires(Access.PUBLIC)
def follow_short_link(request: Request, token: str) -> Response:
    """A short link: count the click (the address only as the day's salted hash) and send the visitor on."""
    with get_database().unit_of_work() as session:  # a GET that counts: a short write of its own
        destination = clicks.follow(session, token, user_agent=request.headers.get("user-agent"),
                                    client_address=request.client.host if request.client else None)
    if destination is None:
        return HTMLResponse("<!doctype html><title>Link not found</title><h1>Link not found</h1>"
                            "<p>This short link does not exist (check it was copied whole).</p>", status_code=404)
    response = RedirectResponse(destination, status_code=302)
    response.headers["Cache-Control"] = "no-store"  # so that every click reaches the counter
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/w/{workspace_id}/links", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def links_page(request: Request, ctx: Ctx) -> HTMLResponse:
    rules = link_settings.workspace_rules(ctx.session, ctx.workspace_id)
    overrides = link_settings.channel_overrides(ctx.session, ctx.workspace_id)
    page = bio.settings_of(ctx)
    return render(request, "links.html", ctx=ctx, section="links", rules=rules, overrides=overrides,
                  channels=channels.list_channels(ctx) if ctx.can(Permission.POSTS_READ) else [],
                  parameters=utm.PARAMETERS,
                  placeholders=utm.PLACEHOLDERS, lines=report.links(ctx), days=report.days(ctx), bio=page,
                  bio_links="\n".join(f"{item.get('label')} | {item.get('url')}" for item in page.links or []),
                  bio_address=str(request.url_for("bio_page", name=page.slug)))


def _values(form: Form, prefix: str = "") -> dict[str, str]:
    return {name: field(form, prefix + name) for name in utm.PARAMETERS}


def _tristate(value: str) -> bool | None:
    return {"on": True, "off": False}.get(value)


@router.post("/w/{workspace_id}/links/settings")
@requires(Permission.WORKSPACE_ADMIN)
def save_settings(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        link_settings.save_workspace(ctx, shorten=field(form, "shorten") == "on",
                                     utm_enabled=field(form, "utm_enabled") == "on", values=_values(form))
        return ["Link rules saved. They apply to posts saved from now on."]
    return act(ctx, run, back=ws_url(ctx, "/links"))


@router.post("/w/{workspace_id}/links/channels/{channel_id}")
@requires(Permission.WORKSPACE_ADMIN)
def save_channel_settings(channel_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        link_settings.save_channel(ctx, channel_id, shorten=_tristate(field(form, "shorten")),
                                   utm_enabled=_tristate(field(form, "utm_enabled")), values=_values(form))
        return ["The channel's link rules are saved."]
    return act(ctx, run, back=ws_url(ctx, "/links"))


# The link-in-bio page ------------------------------------------------------------------------------------


@router.post("/w/{workspace_id}/links/bio")
@requires(Permission.WORKSPACE_ADMIN)
def save_bio(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        try:
            shown = int(field(form, "posts_shown") or "6")
        except ValueError:
            shown = -1
        page = bio.save(ctx, enabled=field(form, "enabled") == "on", slug=field(form, "slug"),
                        title=field(form, "title"), intro=field(form, "intro"), posts_shown=shown,
                        links_text=field(form, "links"))
        return [f"The link-in-bio page is {'public at /bio/' + page.slug if page.enabled else 'saved but off'}."]
    return act(ctx, run, back=ws_url(ctx, "/links#bio"))


@router.get("/bio/{name}", response_class=HTMLResponse, name="bio_page")
@requires(Access.PUBLIC)
def bio_page(request: Request, name: str, session: DbSession) -> HTMLResponse:
    shown = bio.public(session, name)
    return render(request, "bio_public.html", session=session, bio=shown)


@router.get("/bio/{name}/media/{media_id}")
@requires(Access.PUBLIC)
def bio_image(name: str, media_id: str, session: DbSession) -> FileResponse:
    asset = bio.image_of(session, name, media_id)
    path = media.path_of(asset, bool(asset.thumbnail_key))
    if not path.exists():
        raise NotFound("The picture is missing.")
    return FileResponse(path, media_type="image/jpeg" if asset.thumbnail_key else asset.content_type)
