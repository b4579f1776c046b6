"""Connecting channels, their state, and the adapter that acts for each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.networks import registry
from socialdesk.networks.base import Capabilities, ChannelAccount, NetworkAdapter, NetworkError
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission


def connect(ctx: WorkspaceContext, network: str, name: str | None = None, **fields: Any) -> Channel:
    ctx.require(Permission.CHANNELS_MANAGE)
    registry.spec(network)
    missing = [f.label for f in registry.connect_fields(network) if f.required and not fields.get(f.name)]
    if missing:
        raise ValidationFailed(f"To connect {network}, fill in: {', '.join(missing)}.")
    try:
        account = registry.connect(network, **{k: v for k, v in fields.items() if v not in (None, "")})
    except NetworkError as exc:
        raise ValidationFailed(f"{network} refused the connection: {exc.network_message}") from exc
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"Cannot connect {network}: {exc}") from exc
    existing = ctx.session.scalars(ctx.select(Channel).where(
        Channel.network == network, Channel.external_id == account.external_id)).first()
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


def list_channels(ctx: WorkspaceContext) -> list[Channel]:
    return list(ctx.session.scalars(ctx.select(Channel).order_by(Channel.name)))


def get(ctx: WorkspaceContext, channel_id: str) -> Channel:
    return ctx.get(Channel, channel_id, what="channel")


def capabilities(channel: Channel) -> Capabilities:
    return registry.capabilities_for(channel.network, channel.settings)


def adapter(channel: Channel) -> NetworkAdapter:
    account = ChannelAccount(channel_id=channel.id, external_id=channel.external_id, handle=channel.handle,
                             credentials=decrypt_json(channel.credentials_encrypted), settings=channel.settings)
    return registry.adapter_for(channel.network, account)


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


def mark_needs_reconnection(channel: Channel, network_message: str) -> None:
    channel.status = ChannelStatus.NEEDS_RECONNECTION
    channel.status_message = network_message
