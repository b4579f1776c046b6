"""Events a network pushes (webhooks): checked, taken in once, stored like polled items.

The network's side (handshakes, signatures, payloads) is its `WebhookHandler` (networks/webhooks.py),
named by `NetworkSpec.webhooks`. Polling stays the fallback: an event missed here is fetched by the
next inbox fetch, and one fetched both ways is stored once (items are unique per channel and id).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.crypto import decrypt_json
from socialdesk.core.db import Database
from socialdesk.core.errors import Forbidden, NotFound, ValidationFailed
from socialdesk.inbox.models import WebhookDelivery
from socialdesk.inbox.service import store_incoming
from socialdesk.networks import registry
from socialdesk.networks.base import ChannelAccount
from socialdesk.networks.webhooks import WebhookEvent, WebhookHandler, WebhookRefused, WebhookReply, WebhookRequest

log = logging.getLogger("socialdesk.webhooks")


def webhook_url(network: str, channel_id: str | None = None) -> str:
    """The public address a network delivers `network`'s events to (needs SOCIALDESK_PUBLIC_URL)."""
    base = get_settings().public_url
    if not base:
        raise ValidationFailed("Webhooks need the address this server is reached at: set SOCIALDESK_PUBLIC_URL "
                               "(docs/operations.md). Until then the inbox is fetched by polling.")
    return f"{base.rstrip('/')}/webhooks/{network}" + (f"/{channel_id}" if channel_id else "")


def receive(db: Database, network: str, channel_id: str | None, request: WebhookRequest) -> WebhookReply:
    handler = _handler(network)
    with db.unit_of_work() as session:
        account = _account(session, network, channel_id) if channel_id else None
    reply = handler.answer(request, account)
    if reply is not None:
        return reply
    try:
        handler.verify(request, account)
    except WebhookRefused as exc:
        log.warning("webhook for %s refused: %s", network, exc)
        raise Forbidden(f"Refused: {exc}") from None
    events = handler.events(request, account)
    stored = 0
    with db.unit_of_work() as session:
        for event in events:
            if not _first_delivery(session, network, event):
                continue
            for channel in _channels_for(session, network, channel_id, event):
                stored += store_incoming(session, channel, list(event.items))
    log.info("webhook for %s: %d event(s), %d new item(s)", network, len(events), stored)
    return WebhookReply()


def _handler(network: str) -> WebhookHandler:
    spec = registry.NETWORKS.get(network)
    if spec is None or not spec.webhooks:
        raise NotFound(f"No webhooks are taken for {network!r}.")
    return registry.webhook_handler(network)


def _account(session: Session, network: str, channel_id: str) -> ChannelAccount:
    channel = session.get(Channel, channel_id)
    if channel is None or channel.network != network:
        raise NotFound("No such channel takes webhooks here.")
    credentials: dict[str, Any] = decrypt_json(channel.credentials_encrypted)
    return channels.account_of(channel, credentials)


def _first_delivery(session: Session, network: str, event: WebhookEvent) -> bool:
    try:
        with session.begin_nested():
            session.add(WebhookDelivery(network=network, event_id=event.event_id[:300], received_at=clock.now()))
    except IntegrityError:
        return False
    return True


def _channels_for(session: Session, network: str, channel_id: str | None, event: WebhookEvent) -> list[Channel]:
    """The channel the address names, or every channel (in any workspace) connected to the event's account."""
    where = [Channel.network == network]
    where.append(Channel.id == channel_id if channel_id else Channel.external_id == event.account_external_id)
    return list(session.scalars(select(Channel).where(*where)))
