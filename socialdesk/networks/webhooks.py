"""What a network that pushes events (webhooks) implements, and the signature checks they share.

The app serves `GET|POST /webhooks/<network>` for networks whose deliveries are signed with one app secret
(Meta, X) and `/webhooks/<network>/<channel id>` for those where each channel has its own secret (Telegram's
`secret_token`, VK's Callback API `secret`). The inbox's webhook service (inbox/webhooks.py) calls the
network's handler in this order: `answer` (handshakes and challenges), `verify` (refuse what is not
signed by the network), `events` (what arrived), then stores the items through the same ingestion as
polling, dropping events it has already seen.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from socialdesk.networks.base import ChannelAccount, IncomingItem


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class WebhookReply:
    status: int = 200
    body: str = "ok"
    content_type: str = "text/plain"


@dataclass(frozen=True)
class WebhookEvent:
    """One delivery's news for one account: `event_id` is what the network repeats when it delivers the same
    event again (an update id, a hash of the entry), so a replay is recognised."""

    event_id: str
    account_external_id: str
    items: tuple[IncomingItem, ...]


class WebhookRefused(Exception):
    """The request is not from the network (bad signature, wrong secret): answered 403, stored nowhere."""


class WebhookHandler(Protocol):
    def answer(self, request: WebhookRequest, channel: ChannelAccount | None) -> WebhookReply | None:
        """The reply to a handshake or challenge (Meta's hub.challenge, X's CRC, VK's confirmation); None
        for a delivery."""
        ...

    def verify(self, request: WebhookRequest, channel: ChannelAccount | None) -> None:
        """Raise WebhookRefused unless the request is signed by the network."""
        ...

    def events(self, request: WebhookRequest, channel: ChannelAccount | None) -> list[WebhookEvent]: ...


def hmac_sha256_hex(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison, so the time taken tells nothing about how much of a forgery was right."""
    return given is not None and hmac.compare_digest(expected.encode(), given.strip().encode())
