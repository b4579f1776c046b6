"""A channel: one connected account on one network, in one workspace."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class ChannelStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # the user paused its queue
    NEEDS_RECONNECTION = "needs_reconnection"  # the network refused our credentials


class Channel(IdMixin, TimestampMixin, Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "external_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str] = mapped_column(String(200))
    # Fernet token (see core.crypto); never returned by the API.
    credentials_encrypted: Mapped[str] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(32), default=ChannelStatus.ACTIVE)
    status_message: Mapped[str | None] = mapped_column(Text)
    inbox_cursor: Mapped[str | None] = mapped_column(Text)
    inbox_fetched_at: Mapped[datetime | None]
    metrics_collected_at: Mapped[datetime | None]
    # Set from a network's 429 / Retry-After: nothing is sent to the channel before then.
    rate_limited_until: Mapped[datetime | None]


class NetworkApp(IdMixin, TimestampMixin, Base):
    """socialdesk registered as an OAuth client on one server (a Mastodon instance). Registered once per
    server and callback address, then reused: instances limit how many apps may be registered."""

    __tablename__ = "network_apps"
    __table_args__ = (UniqueConstraint("network", "server_url", "redirect_uri"),)

    network: Mapped[str] = mapped_column(String(32))
    server_url: Mapped[str] = mapped_column(String(500))
    redirect_uri: Mapped[str] = mapped_column(String(1000))
    client_id: Mapped[str] = mapped_column(String(500))
    client_secret_encrypted: Mapped[str] = mapped_column(Text)  # Fernet, as channel credentials
    scopes: Mapped[str] = mapped_column(String(500))


class OAuthState(IdMixin, Base):
    """A browser authorization in flight: written when the user is sent to the server, used once by the
    callback. It binds the `state` the server sends back to the browser session and workspace that began
    the flow, so a callback forged or replayed in someone else's browser connects nothing."""

    __tablename__ = "oauth_states"

    state_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the state; never the state
    user_session_id: Mapped[str] = mapped_column(ForeignKey("user_sessions.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    app_id: Mapped[str] = mapped_column(ForeignKey("network_apps.id", ondelete="CASCADE"))
    channel_name: Mapped[str | None] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the form's other choices (visibility)
    code_verifier_encrypted: Mapped[str] = mapped_column(Text)  # PKCE
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
