"""A workspace's Meta ad accounts connected through the Meta login (docs/ads.md, "Meta login for ad accounts").

1. "Connect with Meta" on the campaigns page runs the Facebook login of channels/oauth.py with the purpose
   "meta_ads" (permissions ads_read, ads_management); its finish trades the code for a long-lived user
   token and lists the person's ad accounts (`GET /me/adaccounts`), and `offer` keeps both.
2. The user chooses one or more of the accounts listed (`choose`); from then on import, boost, pause and
   resume use the stored token when no token is given (`credentials`). A pasted token always still works.
3. When Meta refuses the stored token (Graph error 190: expired, revoked, password changed), the connection
   is marked as needing reconnection with Meta's own words, and the workspace is told the way a channel
   that needs reconnecting is.

The token is stored encrypted (core.crypto); every change is audited; `remove` forgets it all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.campaigns.models import AdConnectionStatus, MetaAdConnection
from socialdesk.core import clock
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.errors import ValidationFailed
from socialdesk.notifications import service as notifications
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

S = AdConnectionStatus
NOTICE = "channel_needs_reconnection"  # the same notification as a channel whose sign-in stopped working


def account_id(value: str) -> str:
    """`act_123` whatever was typed (`123` or `act_123`)."""
    value = value.strip()
    return value if not value or value.startswith("act_") else f"act_{value}"


def get(ctx: WorkspaceContext) -> MetaAdConnection | None:
    return ctx.session.scalars(ctx.select(MetaAdConnection)).first()


def offer(ctx: WorkspaceContext, token: str, expires_in: int | None, listed: list[dict[str, Any]]) -> MetaAdConnection:
    """After the sign-in: keep the token and the ad accounts Meta listed until the user chooses. Signing in
    again (a reconnection) keeps the accounts chosen before that are still listed."""
    ctx.require(Permission.CHANNELS_MANAGE)
    connection = get(ctx)
    if connection is None:
        connection = MetaAdConnection(workspace_id=ctx.workspace_id)
        ctx.session.add(connection)
    offered = [dict(a) for a in listed]
    still = {a["id"] for a in offered}
    kept = [a for a in offered if a["id"] in {c["id"] for c in connection.accounts or []} and a["id"] in still]
    connection.offered = offered
    connection.accounts = kept
    connection.token_encrypted = encrypt_json({"token": token})
    connection.token_expires_at = clock.now() + timedelta(seconds=expires_in) if expires_in else None
    connection.status = S.CONNECTED if kept else S.CHOOSING
    connection.status_message = ""
    connection.connected_by_label = ctx.actor.label
    ctx.session.flush()
    notifications.resolve(ctx.session, ctx.workspace_id, NOTICE, _subject(connection))
    audit.record(ctx, "ads.meta_login", "meta_ad_connection", connection.id,
                 f"Signed in with Meta for ad accounts: {len(offered)} listed")
    return connection


def choose(ctx: WorkspaceContext, ids: list[str]) -> MetaAdConnection:
    ctx.require(Permission.CHANNELS_MANAGE)
    connection = get(ctx)
    if connection is None or not connection.offered:
        raise ValidationFailed("Connect with Meta first: there are no ad accounts to choose from.")
    listed = {a["id"]: a for a in connection.offered}
    wanted = [account_id(i) for i in ids if i.strip()]
    unknown = [i for i in wanted if i not in listed]
    if unknown:
        raise ValidationFailed(f"Meta did not list {', '.join(unknown)} for this sign-in; choose among "
                               f"{', '.join(listed)}.")
    if not wanted:
        raise ValidationFailed("Choose at least one ad account.")
    connection.accounts = [listed[i] for i in dict.fromkeys(wanted)]
    if connection.status == S.CHOOSING:
        connection.status = S.CONNECTED
    audit.record(ctx, "ads.accounts_chosen", "meta_ad_connection", connection.id,
                 "Ad accounts connected: " + ", ".join(f"{a['name']} ({a['id']})" for a in connection.accounts))
    return connection


def remove(ctx: WorkspaceContext) -> None:
    ctx.require(Permission.CHANNELS_MANAGE)
    connection = get(ctx)
    if connection is None:
        raise ValidationFailed("No Meta ad accounts are connected.")
    notifications.resolve(ctx.session, ctx.workspace_id, NOTICE, _subject(connection))
    audit.record(ctx, "ads.accounts_removed", "meta_ad_connection", connection.id,
                 "Meta ad accounts disconnected: " + ", ".join(a["id"] for a in connection.accounts or []))
    ctx.session.delete(connection)
    ctx.session.flush()


def credentials(ctx: WorkspaceContext, token: str, ad_account: str) -> tuple[str, str, bool]:
    """(token, ad account, from the connection): a pasted token as given; with none, the stored one, for an
    ad account of the connection (the only one when none is named)."""
    if token.strip():
        return token.strip(), account_id(ad_account), False
    connection = get(ctx)
    if connection is None or connection.status == S.CHOOSING or not connection.accounts:
        raise ValidationFailed("Give a Meta token (ads_read / ads_management) and the ad account id, or connect "
                               "ad accounts with Meta on the campaigns page.")
    if connection.status == S.NEEDS_RECONNECTION:
        raise ValidationFailed(f"The Meta ad account connection needs reconnecting: {connection.status_message} "
                               "Connect with Meta again on the campaigns page, or paste a token.")
    ids = [a["id"] for a in connection.accounts]
    wanted = account_id(ad_account)
    if not wanted:
        if len(ids) > 1:
            raise ValidationFailed(f"Name the ad account: {', '.join(ids)} are connected.")
        wanted = ids[0]
    if wanted not in ids:
        raise ValidationFailed(f"{wanted} is not a connected ad account ({', '.join(ids)}); paste a token for it "
                               "or connect it with Meta.")
    return str(decrypt_json(connection.token_encrypted).get("token", "")), wanted, True


def mark_needs_reconnection(session: Session, workspace_id: str, network_message: str) -> None:
    """Meta refused the stored token for good: hold the connection and tell the workspace."""
    connection = session.scalars(select(MetaAdConnection).where(MetaAdConnection.workspace_id == workspace_id)).first()
    if connection is None:
        return
    connection.status = S.NEEDS_RECONNECTION
    connection.status_message = network_message
    notifications.notify(session, workspace_id, NOTICE,
                         f"Meta ad accounts need reconnecting: {network_message} Import, boosts and pauses "
                         "wait until then (or paste a token).",
                         subject=_subject(connection), link=f"/w/{workspace_id}/campaigns#ad-accounts", level="error")


def expires_soon(connection: MetaAdConnection, now: datetime | None = None) -> bool:
    at = connection.token_expires_at
    return at is not None and at - (now or clock.now()) < timedelta(days=7)


def _subject(connection: MetaAdConnection) -> str:
    return f"meta_ads:{connection.id}"
