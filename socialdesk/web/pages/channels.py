"""Connected channels: their state and what each network allows, pausing, and connecting new ones."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socialdesk.channels import oauth
from socialdesk.channels import service as channels
from socialdesk.core.db import get_database
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks import registry
from socialdesk.networks.base import Capabilities
from socialdesk.web.deps import Ctx, CurrentIdentity
from socialdesk.web.headers import allow_form_targets
from socialdesk.web.pages.common import Form, act, attempt, field, redirect, render, ws_url
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter()


def features(caps: Capabilities) -> list[str]:
    """What a channel can do through socialdesk, in words, for the capabilities summary.

    Threads and polls are left out although networks have them: the composer makes neither yet.
    """
    named = [("comments", "comments"), ("reply", "replies"),
             ("hide_comments", "hiding comments"), ("delete_comments", "deleting comments"),
             ("direct_messages", "direct messages"), ("native_scheduling", "native scheduling")]
    return [label for attr, label in named if getattr(caps, attr)]


def _page(request: Request, ctx: WorkspaceContext, *, chosen: str = "", typed: dict[str, str] | None = None,
          errors: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    """The channels, and the connect form of the one network chosen (none until one is)."""
    listed = channels.list_channels(ctx)
    caps = {c.id: channels.capabilities(c) for c in listed}
    spec = registry.NETWORKS.get(chosen)
    page = render(request, "channels.html", ctx=ctx, section="channels", channels=listed, caps=caps,
                  features={cid: features(c) for cid, c in caps.items()}, networks=list(registry.NETWORKS.values()),
                  chosen=spec, connect_fields=registry.connect_fields(spec.key) if spec else (), typed=typed or {},
                  errors=errors, status_code=status_code)
    # "Sign in" posts here and is redirected to the network's sign-in page, which for Mastodon is any server.
    return allow_form_targets(page, "https:")


@router.get("/w/{workspace_id}/channels", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def channel_list(request: Request, ctx: Ctx, connect: str = "") -> HTMLResponse:
    """`?connect=<network>` opens that network's connect form."""
    if connect and connect not in registry.NETWORKS:
        known = ", ".join(registry.NETWORKS)
        return _page(request, ctx, errors=[f"There is no network {connect!r} to connect; choose one of {known}."],
                     status_code=400)
    return _page(request, ctx, chosen=connect)


@router.post("/w/{workspace_id}/channels/connect")
@requires(Permission.CHANNELS_MANAGE)
def connect(request: Request, ctx: Ctx, form: Form) -> Response:
    network = field(form, "network")
    spec_fields = registry.connect_fields(network) if network in registry.NETWORKS else ()
    values = {f.name: field(form, f.name) for f in spec_fields}
    spec = registry.NETWORKS.get(network)
    if spec is not None and spec.oauth and spec.token_field and not values.get(spec.token_field):
        secret = {f.name for f in spec_fields if f.kind == "password"}
        return _start_oauth(request, ctx, network, form, values, secret)
    channel, error = attempt(ctx.session, lambda: channels.connect(ctx, network, field(form, "name") or None,
                                                                   **values))
    if error is not None or channel is None:
        # Show the form again as typed, except secrets: those are never written back into a page.
        secret = {f.name for f in spec_fields if f.kind == "password"}
        typed = {k: v for k, v in values.items() if k not in secret} | {"name": field(form, "name"), "network": network}
        return _page(request, ctx, chosen=network, typed=typed, errors=[error.message if error else "Not connected."],
                     status_code=error.status_code if error else 400)
    return redirect(ws_url(ctx, "/channels"), notes=[f"Connected {channel.name} ({channel.handle})."])


def _start_oauth(request: Request, ctx: Ctx, network: str, form: Form, values: dict[str, str],
                 secret: set[str]) -> Response:
    """No token typed: send the browser to the server's sign-in page, to come back to `oauth_callback`."""
    identity = getattr(request.state, "identity", None)
    user_session = identity.user_session if identity is not None else None
    redirect_uri = str(request.url_for("oauth_callback"))
    server_field = registry.oauth_hooks(network).server_field
    # The form's other choices (Mastodon: default visibility) travel with the flow to the new channel.
    settings = {k: v for k, v in values.items() if k != server_field and k not in secret and v}

    def begin() -> str:
        if user_session is None:
            raise ValidationFailed("Signing in on the server needs a browser session; with an API token, "
                                   "send an access token in the connect fields instead.")
        return oauth.start(ctx, user_session.id, network, values.get(server_field, ""), redirect_uri,
                           name=field(form, "name") or None, settings=settings)

    url, error = attempt(ctx.session, begin)
    if error is not None or url is None:
        typed = {k: v for k, v in values.items() if k not in secret} | {"name": field(form, "name"),
                                                                        "network": network}
        return _page(request, ctx, chosen=network, typed=typed, errors=[error.message if error else "Not connected."],
                     status_code=error.status_code if error else 400)
    # 303: the browser leaves for the server with a GET; the state in the address is useless to anyone
    # without this session's cookie.
    return RedirectResponse(url, status_code=303)


@router.get("/oauth/callback", name="oauth_callback")
@requires(Access.SIGNED_IN)
def oauth_callback(identity: CurrentIdentity, state: str = "", code: str = "", error: str = "",
                   error_description: str = "", device_id: str = "") -> Response:
    """Where a server sends the browser back after the user allowed (or refused) socialdesk. One address for
    every network: the state names the flow, and the flow its network."""
    if identity.user_session is None:
        raise ValidationFailed("Finish connecting in the browser that started it.")
    done = oauth.finish(get_database(), identity.actor, identity.user_session.id, state=state, code=code,
                        error=error_description or error,
                        callback={"device_id": device_id} if device_id else None)  # VK ID sends a device_id
    return redirect(done.next_path or f"/w/{done.workspace_id}/channels", notes=[done.note])


def _set_paused(ctx: WorkspaceContext, channel_id: str, paused: bool) -> Response:
    channel = channels.get(ctx, channel_id)

    def run() -> list[str]:
        channels.set_paused(ctx, channel_id, paused)
        return [f"{channel.name} is paused: nothing goes out on it until you resume it." if paused
                else f"{channel.name} publishes again."]

    return act(ctx, run, back=ws_url(ctx, "/channels"))


@router.post("/w/{workspace_id}/channels/{channel_id}/pause")
@requires(Permission.CHANNELS_MANAGE)
def pause(channel_id: str, ctx: Ctx) -> Response:
    return _set_paused(ctx, channel_id, True)


@router.post("/w/{workspace_id}/channels/{channel_id}/resume")
@requires(Permission.CHANNELS_MANAGE)
def resume(channel_id: str, ctx: Ctx) -> Response:
    return _set_paused(ctx, channel_id, False)
