"""Connecting channels, their state, and the adapter that acts for each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.core import clock
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, NotFound, ValidationFailed
from socialdesk.networks import registry
from socialdesk.networks.base import AuthError, Capabilities, ChannelAccount, NetworkAdapter, NetworkError
from socialdesk.networks.outbound import OutboundRefused
from socialdesk.notifications import service as notifications
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

T = TypeVar("T")


def connect(ctx: WorkspaceContext, network: str, name: str | None = None, /, **fields: Any) -> Channel:
    """Positional-only parameters: a connect field called `name` or `ctx` must not collide with them."""
    ctx.require(Permission.CHANNELS_MANAGE)
    registry.spec(network)
    accepted = registry.accepted_fields(network)
    unknown = sorted(set(fields) - set(accepted))
    if unknown:
        raise ValidationFailed(f"{network} has no connect field {', '.join(map(repr, unknown))}; its fields are "
                               f"{', '.join(accepted)} (the channel's own name goes beside the fields, not in them).")
    missing = [f.label for f in registry.connect_fields(network) if f.required and not fields.get(f.name)]
    if missing:
        raise ValidationFailed(f"To connect {network}, fill in: {', '.join(missing)}.")
    try:
        account = registry.connect(network, **{k: v for k, v in fields.items() if v not in (None, "")})
    except OutboundRefused as exc:  # socialdesk's own refusal, before anything was sent
        raise ValidationFailed(f"Cannot connect {network}: {exc.network_message}") from exc
    except NetworkError as exc:
        raise ValidationFailed(f"{network} refused the connection: {exc.network_message}") from exc
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"Cannot connect {network}: {exc}") from exc
    return connect_account(ctx, network, account, name)


def connect_account(ctx: WorkspaceContext, network: str, account: registry.ConnectedAccount,
                    name: str | None = None) -> Channel:
    """Store an account the network has confirmed (by a form's fields, or at the end of an OAuth flow)."""
    ctx.require(Permission.CHANNELS_MANAGE)
    existing = ctx.session.scalars(ctx.select(Channel).where(
        Channel.network == network, Channel.external_id == account.external_id)).first()
    if existing and existing.status == ChannelStatus.NEEDS_RECONNECTION:
        return _reconnect(ctx, existing, account)
    if existing:
        raise Conflict(f"{account.handle} on {network} is already connected here as {existing.name!r}.")
    channel = Channel(workspace_id=ctx.workspace_id, network=network, name=(name or account.display_name).strip(),
                      handle=account.handle, external_id=account.external_id,
                      credentials_encrypted=encrypt_json(account.credentials), settings=account.settings)
    ctx.session.add(channel)
    try:
        ctx.session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{account.handle} on {network} is already connected in this workspace.") from exc
    audit.record(ctx, "channel.connect", "channel", channel.id, f"Connected {network} {account.handle}")
    return channel


def _reconnect(ctx: WorkspaceContext, channel: Channel, account: registry.ConnectedAccount) -> Channel:
    """Connecting a channel that needs reconnection again: new credentials, and its posts go out again."""
    channel.credentials_encrypted = encrypt_json(account.credentials)
    channel.settings = account.settings
    channel.status = ChannelStatus.ACTIVE
    channel.status_message = None
    notifications.resolve(ctx.session, ctx.workspace_id, "channel_needs_reconnection", channel.id)
    audit.record(ctx, "channel.reconnect", "channel", channel.id, f"Reconnected {channel.network} {channel.handle}")
    return channel


def list_channels(ctx: WorkspaceContext) -> list[Channel]:
    return list(ctx.session.scalars(ctx.select(Channel).order_by(Channel.name)))


def get(ctx: WorkspaceContext, channel_id: str) -> Channel:
    return ctx.get(Channel, channel_id, what="channel")


def capabilities(channel: Channel) -> Capabilities:
    return registry.capabilities_for(channel.network, channel.settings)


def adapter(channel: Channel) -> NetworkAdapter:
    return registry.adapter_for(channel.network, account_of(channel, decrypt_json(channel.credentials_encrypted)))


def account_of(channel: Channel, credentials: dict[str, Any]) -> ChannelAccount:
    return ChannelAccount(channel_id=channel.id, external_id=channel.external_id, handle=channel.handle,
                          credentials=credentials, settings=channel.settings)


def set_paused(ctx: WorkspaceContext, channel_id: str, paused: bool) -> Channel:
    ctx.require(Permission.CHANNELS_MANAGE)
    channel = get(ctx, channel_id)
    if channel.status == ChannelStatus.NEEDS_RECONNECTION and not paused:
        raise Conflict(f"{channel.name} needs reconnecting before it can publish again.")
    channel.status = ChannelStatus.PAUSED if paused else ChannelStatus.ACTIVE
    audit.record(ctx, "channel.pause" if paused else "channel.resume", "channel", channel.id,
                 f"{'Paused' if paused else 'Resumed'} {channel.name}")
    return channel


def rename(ctx: WorkspaceContext, channel_id: str, name: str) -> Channel:
    ctx.require(Permission.CHANNELS_MANAGE)
    if not name.strip():
        raise ValidationFailed("A channel needs a name.")
    channel = get(ctx, channel_id)
    channel.name = name.strip()
    audit.record(ctx, "channel.rename", "channel", channel.id, f"Renamed channel to {channel.name}")
    return channel


def connected_channel_ids(session: Session) -> list[str]:
    """Every channel of every workspace whose credentials still work (for the periodic fetches)."""
    return list(session.scalars(select(Channel.id).where(Channel.status != ChannelStatus.NEEDS_RECONNECTION)))


def mark_needs_reconnection(session: Session, channel: Channel, network_message: str) -> None:
    """The network refused our credentials for good: hold the channel and tell the workspace."""
    channel.status = ChannelStatus.NEEDS_RECONNECTION
    channel.status_message = network_message
    notifications.notify(session, channel.workspace_id, "channel_needs_reconnection",
                         f"{channel.name} needs reconnecting: {network_message} Its posts wait until then.",
                         subject=channel.id, link=f"/w/{channel.workspace_id}/channels", level="error")


# Expiring credentials ---------------------------------------------------------------------------------

# Refresh this long before a token expires, so no call goes out with a token about to die.
REFRESH_AHEAD = timedelta(minutes=10)


def call_network(db: Database, channel_id: str, call: Callable[[NetworkAdapter], T], *,
                 loaded: NetworkAdapter | None = None) -> T:
    """Run `call` with the channel's adapter; on an auth error, refresh the credentials once and try again
    (an expired token), and if the refresh is refused the channel is marked for reconnection.
    `loaded`: an adapter the caller built from the channel's row just now (saves reading it again)."""
    current = loaded if loaded is not None and not _expiring(loaded) else fresh_adapter(db, channel_id)
    try:
        return call(current)
    except AuthError:
        if current.credentials_expire_at() is None:
            raise  # nothing to refresh: the token was revoked
        return call(fresh_adapter(db, channel_id, force=True))


def fresh_adapter(db: Database, channel_id: str, *, force: bool = False) -> NetworkAdapter:
    """The channel's adapter with credentials that will not expire in the next minutes (or, with `force`,
    just refreshed).

    Refreshes are serialised per channel by a row lock, and whoever gets the lock second finds the
    credentials already replaced: networks that rotate single-use refresh tokens (Bluesky, TikTok) would
    otherwise reject the second refresh and lose the account.
    """
    with db.unit_of_work(read_only=True) as session:
        channel = session.get(Channel, channel_id)
        if channel is None:
            raise NotFound(f"No channel with id {channel_id}.")
        seen = channel.credentials_encrypted
        current = adapter(channel)
    if not force and not _expiring(current):
        return current
    refused: NetworkError | None = None
    with db.unit_of_work() as session:
        channel = session.scalars(select(Channel).where(Channel.id == channel_id).with_for_update()).one()
        if channel.credentials_encrypted != seen:
            return adapter(channel)  # another worker refreshed them while we waited for the lock
        current = adapter(channel)
        try:
            fresh = current.refresh_credentials()
        except AuthError as error:
            mark_needs_reconnection(session, channel, error.network_message)
            refused = error
        else:
            old = decrypt_json(channel.credentials_encrypted)
            # Never replace a stored token with an empty one: some networks omit what did not change.
            merged = {**old, **{k: v for k, v in fresh.items() if v not in (None, "")}}
            channel.credentials_encrypted = encrypt_json(merged)
            current = registry.adapter_for(channel.network, account_of(channel, merged))
    if refused is not None:
        raise refused  # after the commit, so the channel stays marked
    return current


def _expiring(found: NetworkAdapter) -> bool:
    expires = found.credentials_expire_at()
    return expires is not None and expires - clock.now() < REFRESH_AHEAD
