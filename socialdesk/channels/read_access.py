"""Whose access reads public data from networks that want an account for it: Instagram's Business
Discovery asks as the workspace's own connected Instagram professional account; X's paid reads use the
operator's pasted app-only bearer token (SOCIALDESK_X_BEARER_TOKEN) when set, else the workspace's
connected X channel's token. A workspace without one is told what to connect."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.core.config import get_settings
from socialdesk.core.crypto import decrypt_json

NO_INSTAGRAM = ("Instagram competitors are read with Business Discovery through your own Instagram business or "
                "creator account: connect one on the Channels page first (Channels → Connect → Instagram).")
NO_X = ("Reading X is paid by the operator: connect an X channel to this workspace (Channels → Connect → X) or "
        "set SOCIALDESK_X_BEARER_TOKEN to the app's bearer token (see docs/listening.md, \"X\").")


@dataclass(frozen=True)
class InstagramAccess:
    ig_user_id: str
    token: str
    channel_name: str


def _channels(session: Session, workspace_id: str, network: str) -> list[Channel]:
    return list(session.scalars(select(Channel).where(
        Channel.workspace_id == workspace_id, Channel.network == network,
        Channel.status != ChannelStatus.NEEDS_RECONNECTION).order_by(Channel.created_at, Channel.id)))


def instagram(session: Session, workspace_id: str) -> InstagramAccess | None:
    for channel in _channels(session, workspace_id, "instagram"):
        token = decrypt_json(channel.credentials_encrypted).get("access_token")
        ig_user_id = (channel.settings or {}).get("ig_user_id") or channel.external_id
        if token and ig_user_id:
            return InstagramAccess(str(ig_user_id), str(token), channel.name)
    return None


def x_token(session: Session, workspace_id: str) -> str | None:
    pasted = (get_settings().x_bearer_token or "").strip()
    if pasted:
        return pasted
    for channel in _channels(session, workspace_id, "x"):
        token = decrypt_json(channel.credentials_encrypted).get("access_token")
        if token:
            return str(token)
    return None
