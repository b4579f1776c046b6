"""Short links (the public redirect), and the links page: link rules (short links, UTM tags) per workspace
and channel, and the clicks on each link."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socialdesk.channels import service as channels
from socialdesk.core.db import get_database
from socialdesk.links import clicks, report, utm
from socialdesk.links import settings as link_settings
from socialdesk.web.deps import Ctx
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
    return render(request, "links.html", ctx=ctx, section="links", rules=rules, overrides=overrides,
                  channels=channels.list_channels(ctx), parameters=utm.PARAMETERS,
                  placeholders=utm.PLACEHOLDERS, lines=report.links(ctx), days=report.days(ctx))


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
