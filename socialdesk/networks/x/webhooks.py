"""X's webhook deliveries (Account Activity API), taken in at `/webhooks/x`.

- CRC: X sends `GET ?crc_token=…` at registration and about hourly; the answer is
  `{"response_token": "sha256=" + base64(HMAC-SHA256(consumer secret, crc_token))}`.
- Each POST carries `x-twitter-webhooks-signature: sha256=` + base64(HMAC-SHA256(consumer secret, body));
  anything else is refused.
https://docs.x.com/x-api/webhooks/quickstart

The key is the app's **consumer secret** (API secret key, SOCIALDESK_X_CONSUMER_SECRET), not the OAuth 2.0
client secret. Deliveries name the account in `for_user_id`; `tweet_create_events` (v1.1 post objects) give
replies and mentions, `direct_message_events` the DMs. Polling stays on: a webhook is an accelerator, and
an item fetched both ways is stored once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from socialdesk.core.config import get_settings
from socialdesk.networks.base import ChannelAccount, IncomingItem, IncomingKind
from socialdesk.networks.webhooks import (
    WebhookEvent,
    WebhookRefused,
    WebhookReply,
    WebhookRequest,
    signature_matches,
)
from socialdesk.networks.x.inbox import DM_PREFIX


def _secret() -> str:
    secret = get_settings().x_consumer_secret
    if not secret:
        raise WebhookRefused("SOCIALDESK_X_CONSUMER_SECRET is not set: X webhooks cannot be checked.")
    return secret


def sign(secret: str, message: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def _time(value: Any) -> datetime:
    try:
        if isinstance(value, str) and not value.isdigit():
            return parsedate_to_datetime(value).astimezone(UTC)  # "Wed Oct 10 20:19:24 +0000 2018"
        return datetime.fromtimestamp(int(value) / 1000, UTC)  # created_timestamp, milliseconds
    except (TypeError, ValueError):
        return datetime.now(UTC)


def _tweet_item(tweet: dict[str, Any], me: str, handle: str) -> IncomingItem | None:
    user = tweet.get("user") or {}
    author = str(user.get("id_str") or user.get("id") or "")
    if not tweet.get("id_str") or author == me or tweet.get("retweeted_status"):
        return None
    text = str((tweet.get("extended_tweet") or {}).get("full_text") or tweet.get("text") or "")
    parent = tweet.get("in_reply_to_status_id_str")
    to_us = str(tweet.get("in_reply_to_user_id_str") or "") == me
    named = {str(m.get("id_str") or m.get("id")) for m in (tweet.get("entities") or {}).get("user_mentions") or []}
    mentions_us = me in named or (bool(handle) and re.search(rf"(?<!\w)@{re.escape(handle)}\b", text,
                                                             re.IGNORECASE) is not None)
    if not to_us and not mentions_us:
        return None
    screen = str(user.get("screen_name") or author)
    return IncomingItem(
        external_id=str(tweet["id_str"]), kind=IncomingKind.COMMENT if to_us and parent else IncomingKind.MENTION,
        text=text, created_at=_time(tweet.get("created_at")), author_external_id=author, author_handle=screen,
        author_name=str(user.get("name") or ""), post_external_id=str(parent) if to_us and parent else None,
        parent_external_id=str(parent) if parent else None, language=tweet.get("lang") or None,
        url=f"https://x.com/{screen}/status/{tweet['id_str']}")


def _dm_item(event: dict[str, Any], me: str, users: dict[str, Any]) -> IncomingItem | None:
    if event.get("type") != "message_create":
        return None
    create = event.get("message_create") or {}
    sender = str(create.get("sender_id") or "")
    recipient = str((create.get("target") or {}).get("recipient_id") or "")
    if not sender or sender == me:
        return None
    first, second = sorted([sender, recipient or me], key=int)
    user = users.get(sender) or {}
    return IncomingItem(
        external_id=f"{DM_PREFIX}{first}-{second}:{event['id']}", kind=IncomingKind.DIRECT_MESSAGE,
        text=str((create.get("message_data") or {}).get("text") or ""),
        created_at=_time(event.get("created_timestamp")), author_external_id=sender,
        author_handle=str(user.get("screen_name") or sender), author_name=str(user.get("name") or ""))


class XWebhooks:
    def answer(self, request: WebhookRequest, channel: ChannelAccount | None) -> WebhookReply | None:
        token = request.query.get("crc_token")
        if request.method != "GET" or not token:
            return None
        body = json.dumps({"response_token": sign(_secret(), token.encode())})
        return WebhookReply(200, body, "application/json")

    def verify(self, request: WebhookRequest, channel: ChannelAccount | None) -> None:
        given = request.headers.get("x-twitter-webhooks-signature")
        if not signature_matches(sign(_secret(), request.body), given):
            raise WebhookRefused("The X webhook signature does not match.")

    def events(self, request: WebhookRequest, channel: ChannelAccount | None) -> list[WebhookEvent]:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise WebhookRefused("An X delivery that is not JSON.") from exc
        me = str(body.get("for_user_id") or "")
        if not me:
            return []
        handle = str(((body.get("users") or {}).get(me) or {}).get("screen_name") or "")
        if not handle and channel is not None:
            handle = channel.handle
        items = [i for t in body.get("tweet_create_events") or [] if (i := _tweet_item(t, me, handle))]
        items += [i for e in body.get("direct_message_events") or []
                  if (i := _dm_item(e, me, body.get("users") or {}))]
        if not items:
            return []
        event_id = hashlib.sha256(request.body).hexdigest()
        return [WebhookEvent(event_id=event_id, account_external_id=me, items=tuple(items))]


HANDLER = XWebhooks()
