"""Connecting a channel through the network's own sign-in page (OAuth authorization code with PKCE).

1. `start`: socialdesk is registered on the server once (`NetworkApp`, reused by every workspace), a
   random `state` and PKCE verifier are kept for this browser session and workspace (`OAuthState`), and
   the user is sent to the server's authorize page.
2. The server sends the browser back to `/oauth/callback?code=…&state=…` (one address for every network:
   the state says which flow, hence which network).
3. `finish`: the state must exist, be unexpired and belong to the same browser session; it is used up at
   once, whatever follows. The code and verifier are exchanged for a token, which is stored encrypted as
   the channel's credentials.

The network's side of each step is a hook object named by `NetworkSpec.oauth` (Mastodon: networks/
mastodon/oauth.py:MastodonOAuth).

A flow may have another purpose than a channel (`PURPOSES`): "meta_ads" signs in with Facebook for a
workspace's ad accounts (campaigns/ad_accounts.py); the token and the ad accounts Meta lists are kept for
the user to choose from, and the user goes back to the campaigns page instead of the channels page.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialdesk.channels import service as channels
from socialdesk.channels.models import NetworkApp, OAuthState
from socialdesk.core import clock
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.db import Database
from socialdesk.core.errors import Forbidden, ValidationFailed
from socialdesk.networks import registry
from socialdesk.networks.base import NetworkError
from socialdesk.networks.outbound import OutboundRefused
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.permissions import Permission

# Long enough to sign in on the server (and maybe reset a password), short enough to be no standing risk.
STATE_LIFETIME = timedelta(minutes=15)


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


# purpose → (network, hooks object's import path)
PURPOSES = {"meta_ads": ("facebook", "socialdesk.networks.facebook.oauth:MetaAdsLogin")}


def _hooks(network: str, purpose: str = "") -> Any:
    if purpose:
        import importlib

        module, _, name = PURPOSES[purpose][1].partition(":")
        return getattr(importlib.import_module(module), name)
    hooks = registry.oauth_hooks(network)
    if hooks is None:
        raise ValidationFailed(f"{registry.spec(network).label} connects with its form, not by signing in.")
    return hooks


def start(ctx: WorkspaceContext, user_session_id: str, network: str, server: str, redirect_uri: str, *,
          name: str | None = None, settings: dict[str, Any] | None = None, purpose: str = "") -> str:
    """Where to send the browser to authorize socialdesk on `server` (`purpose`: see PURPOSES)."""
    ctx.require(Permission.CHANNELS_MANAGE)
    if purpose:
        network = PURPOSES[purpose][0]
        settings = {**(settings or {}), "purpose": purpose}
    hooks = _hooks(network, purpose)
    try:
        server_url = hooks.normalise_server(server)
    except ValueError as exc:
        raise ValidationFailed(f"Cannot connect {network}: {exc}.") from exc
    app = _app_for(ctx.session, network, server_url, redirect_uri, hooks)
    now = clock.now()
    # Flows begun and never finished (by anyone) are of no more use once expired.
    ctx.session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
    state, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    ctx.session.add(OAuthState(
        state_hash=_hash(state), user_session_id=user_session_id, workspace_id=ctx.workspace_id, app_id=app.id,
        channel_name=(name or "").strip()[:200] or None, settings=settings or {},
        code_verifier_encrypted=encrypt_json({"verifier": verifier}), created_at=now,
        expires_at=now + STATE_LIFETIME))
    ctx.session.flush()
    return str(hooks.authorize_url(server_url, app.client_id, redirect_uri, state, _challenge(verifier)))


def _app_for(session: Session, network: str, server_url: str, redirect_uri: str, hooks: Any) -> NetworkApp:
    """socialdesk's registration on the server, made the first time anyone connects an account there."""
    where = (NetworkApp.network == network, NetworkApp.server_url == server_url,
             NetworkApp.redirect_uri == redirect_uri)
    found = session.scalars(select(NetworkApp).where(*where)).first()
    if found is not None:
        return found
    try:
        client_id, client_secret = hooks.register_app(server_url, redirect_uri)
    except OutboundRefused as exc:
        raise ValidationFailed(f"Cannot connect {network}: {exc.network_message}") from exc
    except NetworkError as exc:
        raise ValidationFailed(f"{server_url} did not register socialdesk: {exc.network_message}") from exc
    app = NetworkApp(network=network, server_url=server_url, redirect_uri=redirect_uri, client_id=client_id,
                     client_secret_encrypted=encrypt_json({"secret": client_secret}), scopes=hooks.scopes)
    try:
        with session.begin_nested():
            session.add(app)
    except IntegrityError:
        # Someone registered at the same moment: use theirs, so the server keeps one registration.
        return session.scalars(select(NetworkApp).where(*where)).one()
    return app


@dataclass(frozen=True)
class Finished:
    workspace_id: str
    channel_id: str
    note: str
    next_path: str = ""  # where the browser goes next when not the channels page


@dataclass(frozen=True)
class _Pending:
    workspace_id: str
    channel_name: str | None
    settings: dict[str, Any]
    verifier: str
    network: str
    server_url: str
    redirect_uri: str
    client_id: str
    client_secret: str


def finish(db: Database, actor: Actor, user_session_id: str, *, state: str, code: str,
           error: str = "", callback: dict[str, str] | None = None) -> Finished:
    """Complete a flow `start` began in this browser session; returns where the user goes next.
    `callback`: other parameters the server sent back that a network needs (VK ID: device_id); the hook
    finds them in its settings under "callback"."""
    pending = _take(db, user_session_id, state)
    purpose = str(pending.settings.get("purpose") or "")
    hooks = _hooks(pending.network, purpose)
    if error:
        raise ValidationFailed(f"The server did not authorize socialdesk: {error}")
    if not code:
        raise ValidationFailed("The server sent no authorization code. Start again from the channels page.")
    try:
        # No transaction is open while the server is called.
        settings = {**pending.settings, "callback": {**(callback or {}), "state": state}} if callback \
            else pending.settings
        account = hooks.finish(pending.server_url, pending.client_id, pending.client_secret, pending.redirect_uri,
                               code, pending.verifier, settings)
    except OutboundRefused as exc:
        raise ValidationFailed(f"Cannot connect {pending.network}: {exc.network_message}") from exc
    except NetworkError as exc:
        raise ValidationFailed(f"{pending.server_url} refused the connection: {exc.network_message}") from exc
    if purpose == "meta_ads":
        from socialdesk.campaigns import ad_accounts

        with db.unit_of_work() as session:
            ctx = workspaces.context_for(session, actor, pending.workspace_id)
            ad_accounts.offer(ctx, account["token"], account["expires_in"], account["accounts"])
            return Finished(ctx.workspace_id, "", f"Signed in with Meta: {len(account['accounts'])} ad account(s) "
                            "listed. Choose the ones socialdesk may use.",
                            next_path=f"/w/{ctx.workspace_id}/campaigns#ad-accounts")
    with db.unit_of_work() as session:
        ctx = workspaces.context_for(session, actor, pending.workspace_id)
        channel = channels.connect_account(ctx, pending.network, account, pending.channel_name)
        return Finished(ctx.workspace_id, channel.id, f"Connected {channel.name} ({channel.handle}).")


def _take(db: Database, user_session_id: str, state: str) -> _Pending:
    """The flow this state names, used up (deleted) in its own transaction so it can never serve twice."""
    unknown = ValidationFailed("This sign-in is unknown, expired or already used. Start again from the "
                               "channels page.")
    if not state:
        raise unknown
    with db.unit_of_work() as session:
        row = session.scalars(select(OAuthState).where(OAuthState.state_hash == _hash(state))
                              .with_for_update()).first()
        if row is None:
            raise unknown
        app = session.get(NetworkApp, row.app_id)
        if row.user_session_id != user_session_id:
            # Not deleted: a link planted in someone else's browser must not spend the owner's flow.
            raise Forbidden("This sign-in was started in another browser session. Start again from the "
                            "channels page.")
        session.delete(row)
        expired = row.expires_at < clock.now()
        pending = None if app is None or expired else _Pending(
            row.workspace_id, row.channel_name, dict(row.settings or {}),
            decrypt_json(row.code_verifier_encrypted)["verifier"], app.network, app.server_url,
            app.redirect_uri, app.client_id, decrypt_json(app.client_secret_encrypted)["secret"])
    if pending is None:
        raise unknown
    return pending
