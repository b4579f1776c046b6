"""Meta's webhooks (Facebook Pages and Instagram) behind socialdesk's WebhookHandler protocol.

https://developers.facebook.com/docs/graph-api/webhooks/getting-started

- Verification: Meta calls the callback with `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`;
  the answer is the challenge when the token is SOCIALDESK_META_WEBHOOK_VERIFY_TOKEN, a refusal otherwise.
- Deliveries: `POST` with a JSON body `{"object": "page"|"instagram", "entry": [...]}`, signed in
  `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body keyed by the app secret>`; anything unsigned
  or signed with another key is refused.
- `object=page`: each entry is one Page (`id`); `changes` with `field=feed` carry comments
  (https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed), `messaging` carries
  Messenger messages. Parsing is the Facebook module's (networks/facebook/items.py).
- `object=instagram`: each entry goes to `socialdesk.networks.instagram.webhooks.events_from_entry`.

Meta sends no delivery id, and may deliver the same change more than once: each item becomes its own event
whose id is the item's (a comment's id never names anything else), so a replay stores nothing twice.

Meta's dashboard takes one callback address per product: set the Page one to `/webhooks/facebook` and the
Instagram one to `/webhooks/instagram` (each network finds its own channels by the entry's id).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from socialdesk.core.config import get_settings
from socialdesk.networks.base import ChannelAccount
from socialdesk.networks.facebook.items import feed_change_item, messaging_item
from socialdesk.networks.webhooks import (
    WebhookEvent,
    WebhookRefused,
    WebhookReply,
    WebhookRequest,
    hmac_sha256_hex,
    signature_matches,
)

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-hub-signature-256"


def page_events(entry: dict[str, Any]) -> list[WebhookEvent]:
    """The inbox events of one `object=page` entry."""
    page_id = str(entry.get("id") or "")
    if not page_id:
        return []
    items = []
    for change in entry.get("changes") or []:
        if isinstance(change, dict) and change.get("field") == "feed" and isinstance(change.get("value"), dict):
            item = feed_change_item(change["value"], page_id)
            if item is not None:
                items.append(item)
    for message in entry.get("messaging") or []:
        if isinstance(message, dict):
            item = messaging_item(message, page_id)
            if item is not None:
                items.append(item)
    return [WebhookEvent(event_id=f"page:{item.external_id}", account_external_id=page_id, items=(item,))
            for item in items]


class MetaWebhooks:
    def answer(self, request: WebhookRequest, channel: ChannelAccount | None) -> WebhookReply | None:
        if request.method.upper() != "GET":
            return None
        if request.query.get("hub.mode") != "subscribe":
            return WebhookReply(status=400, body="expected hub.mode=subscribe")
        expected = get_settings().meta_webhook_verify_token
        given = request.query.get("hub.verify_token") or ""
        if not expected or not signature_matches(expected, given):
            return WebhookReply(status=403, body="verify token mismatch")
        return WebhookReply(status=200, body=request.query.get("hub.challenge") or "", content_type="text/plain")

    def verify(self, request: WebhookRequest, channel: ChannelAccount | None) -> None:
        secret = get_settings().meta_app_secret
        if not secret:
            raise WebhookRefused("SOCIALDESK_META_APP_SECRET is not set: Meta's deliveries cannot be checked")
        given = request.headers.get(SIGNATURE_HEADER) or ""
        if not given.startswith("sha256="):
            raise WebhookRefused("missing X-Hub-Signature-256")
        if not signature_matches(hmac_sha256_hex(secret, request.body), given.removeprefix("sha256=")):
            raise WebhookRefused("X-Hub-Signature-256 does not match the body")

    def events(self, request: WebhookRequest, channel: ChannelAccount | None) -> list[WebhookEvent]:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise WebhookRefused("the body is not JSON") from exc
        if not isinstance(body, dict):
            return []
        kind = body.get("object")
        entries = [e for e in body.get("entry") or [] if isinstance(e, dict)]
        events: list[WebhookEvent] = []
        if kind == "page":
            for entry in entries:
                events.extend(page_events(entry))
        elif kind == "instagram":
            try:
                from socialdesk.networks.instagram.webhooks import events_from_entry  # type: ignore[import-not-found]
            except ImportError:
                log.warning("Instagram webhook delivery ignored: no Instagram support in this build")
                return []
            for entry in entries:
                events.extend(events_from_entry(entry))
        else:
            log.info("Meta webhook for object %r ignored", kind)
        return events


handler = MetaWebhooks()
