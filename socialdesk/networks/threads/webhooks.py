"""Threads webhooks (https://developers.facebook.com/docs/threads/webhooks): replies and mentions in real time.

Delivered through the operator's Meta app to the network-wide address `/webhooks/threads`, with Meta's usual
handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: networks/meta/webhooks.py answers
it, as for Facebook and Instagram) and signature (`X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body with
the app secret>`). Which of the app's two secrets signs Threads deliveries the documentation does not say, so
the Threads app secret and the Meta app secret are both accepted.

A delivery is one change: `{"app_id", "topic", "target_id", "time", "values": {"field": "replies" |
"mentions", "value": {id, username, text, timestamp, permalink, replied_to, root_post, …}}}` (the
documentation's example; a list of such objects is read too). Polling stays the fallback: Meta sends
these only to a Live app with Advanced Access and a verified business, and never for private accounts.
"""

from __future__ import annotations

from typing import Any

from socialdesk.core.config import get_settings
from socialdesk.networks.base import ChannelAccount, IncomingItem, IncomingKind
from socialdesk.networks.meta.webhooks import MetaWebhooks
from socialdesk.networks.threads.adapter import parse_time
from socialdesk.networks.webhooks import (
    WebhookEvent,
    WebhookRefused,
    WebhookRequest,
    hmac_sha256_hex,
    signature_matches,
)

FIELDS = {"replies": IncomingKind.COMMENT, "mentions": IncomingKind.MENTION}


def _body(request: WebhookRequest) -> Any:
    import json

    try:
        return json.loads(request.body or b"null")
    except ValueError:
        raise WebhookRefused("The delivery is not JSON.") from None


def _changes(body: Any) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(field, value, envelope) for every change in a delivery."""
    envelopes = body if isinstance(body, list) else [body]
    found = []
    for envelope in envelopes:
        if not isinstance(envelope, dict):
            continue
        values = envelope.get("values")
        for change in values if isinstance(values, list) else [values]:
            if isinstance(change, dict) and isinstance(change.get("value"), dict) and change.get("field"):
                found.append((str(change["field"]), change["value"], envelope))
    return found


def incoming(field: str, value: dict[str, Any]) -> IncomingItem | None:
    kind = FIELDS.get(field)
    created = parse_time(value.get("timestamp"))
    if kind is None or created is None or not value.get("id"):
        return None
    username = str(value.get("username") or "")
    root = (value.get("root_post") or {}).get("id") if kind == IncomingKind.COMMENT else None
    parent = (value.get("replied_to") or {}).get("id") if kind == IncomingKind.COMMENT else None
    return IncomingItem(
        external_id=str(value["id"]), kind=kind, text=str(value.get("text") or ""), created_at=created,
        author_external_id=username, author_handle=username, post_external_id=str(root) if root else None,
        parent_external_id=str(parent) if parent and parent != root else None,
        url=str(value["permalink"]) if value.get("permalink") else None)


class ThreadsWebhooks(MetaWebhooks):
    """Meta's handshake (inherited); Threads' own signature secrets and delivery shape."""

    def verify(self, request: WebhookRequest, channel: ChannelAccount | None) -> None:
        settings = get_settings()
        given = request.headers.get("x-hub-signature-256", "")
        if not given.startswith("sha256="):
            raise WebhookRefused("The delivery carries no X-Hub-Signature-256.")
        secrets = [s for s in (settings.threads_app_secret, settings.meta_app_secret) if s]
        if not secrets:
            raise WebhookRefused("No app secret is set to check Threads deliveries with.")
        if not any(signature_matches(hmac_sha256_hex(secret, request.body), given.removeprefix("sha256="))
                   for secret in secrets):
            raise WebhookRefused("The delivery's signature does not match the app secret.")

    def events(self, request: WebhookRequest, channel: ChannelAccount | None) -> list[WebhookEvent]:
        events = []
        for field, value, envelope in _changes(_body(request)):
            item = incoming(field, value)
            if item is None:
                continue
            owner = (value.get("root_post") or {}).get("owner_id") if field == "replies" else None
            account = str(envelope.get("target_id") or owner or "")
            if not account:
                continue
            events.append(WebhookEvent(event_id=f"{field}:{item.external_id}", account_external_id=account,
                                       items=(item,)))
        return events


handler = ThreadsWebhooks()
