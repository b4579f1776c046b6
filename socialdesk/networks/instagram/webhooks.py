"""Instagram webhook deliveries (`object: instagram`) turned into inbox items.

Meta's Webhooks reference for Instagram
(https://developers.facebook.com/docs/graph-api/webhooks/reference/instagram) gives each entry as
`{"id": <IG user id>, "time": <unix>, "changes": [{"field": ..., "value": ...}]}`:
- `comments`: `value` is the comment: `id`, `text`, `from {id, username}`, `media {id, media_product_type}`
  and `parent_id` when it answers another comment.
- `messages` (entry `messaging`, Messenger API for Instagram,
  https://developers.facebook.com/docs/messenger-platform/instagram/features/webhook): Direct messages.
- `mentions`: `value` is `{media_id, comment_id}` only (a comment @mentioning the account, or with no
  comment_id a caption doing so); the text is read with `GET /{ig-user-id}?fields=mentioned_comment...`
  (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/mentioned_comment),
  which needs the channel's token: the item carries a placeholder text until then.

Signatures, the verify-token handshake and the fan-out of `entry` are the Meta handler's
(networks/meta/webhooks.py), shared with Facebook Pages; this module only reads Instagram's changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from socialdesk.networks.base import IncomingItem, IncomingKind
from socialdesk.networks.webhooks import WebhookEvent

MENTION_PLACEHOLDER = "Mentioned @{account} (Instagram's notice carries no text; the poll reads it)."


def _when(entry: Mapping[str, Any]) -> datetime:
    stamp = entry.get("time")
    try:
        return datetime.fromtimestamp(int(stamp), UTC) if stamp else datetime.now(UTC)
    except (TypeError, ValueError, OverflowError):
        return datetime.now(UTC)


def events_from_entry(entry: Mapping[str, Any]) -> list[WebhookEvent]:
    """One event per change the inbox cares about (comments, mentions); other fields are ignored."""
    account = str(entry.get("id") or "")
    when = _when(entry)
    events: list[WebhookEvent] = []
    for change in entry.get("changes") or ():
        field, value = change.get("field"), change.get("value") or {}
        if field in ("comments", "live_comments") and value.get("id"):
            item = comment_item(value, when)
            events.append(WebhookEvent(event_id=f"instagram:comment:{item.external_id}",
                                       account_external_id=account, items=(item,)))
        elif field == "mentions" and (value.get("comment_id") or value.get("media_id")):
            # The same inbox id as the poll's (adapter.MENTION_PREFIX), which reply() reads back.
            target = f"m:{value.get('media_id') or ''}" + (f":{value['comment_id']}" if value.get("comment_id") else "")
            item = IncomingItem(
                external_id=target, kind=IncomingKind.MENTION,
                text=MENTION_PLACEHOLDER.format(account=account), created_at=when,
                author_external_id="", author_handle="", post_external_id=None,
                parent_external_id=None)
            events.append(WebhookEvent(event_id=f"instagram:mention:{target[2:]}", account_external_id=account,
                                       items=(item,)))
    for event in entry.get("messaging") or ():
        item = message_item(event, account)
        if item is not None:
            events.append(WebhookEvent(event_id=f"instagram:message:{item.external_id}",
                                       account_external_id=account, items=(item,)))
    return events


def message_item(event: Mapping[str, Any], account: str) -> IncomingItem | None:
    """A `messages` delivery (Instagram Direct): `{sender {id}, recipient {id}, timestamp (ms), message {mid,
    text}}`, with the inbox id the poll gives it ("dm:<sender>:<mid>"); the account's own (echoes) are not."""
    message = event.get("message") or {}
    sender = str((event.get("sender") or {}).get("id") or "")
    if not message.get("mid") or message.get("is_echo") or not sender or sender == account:
        return None
    stamp = event.get("timestamp")
    try:
        when = datetime.fromtimestamp(int(stamp) / 1000, UTC) if stamp else datetime.now(UTC)
    except (TypeError, ValueError, OverflowError):
        when = datetime.now(UTC)
    return IncomingItem(external_id=f"dm:{sender}:{message['mid']}", kind=IncomingKind.DIRECT_MESSAGE,
                        text=str(message.get("text") or ""), created_at=when, author_external_id=sender,
                        author_handle=sender)


def comment_item(value: Mapping[str, Any], when: datetime) -> IncomingItem:
    author = value.get("from") or {}
    media = value.get("media") or {}
    media_id = str(media.get("id")) if media.get("id") else None
    parent = str(value["parent_id"]) if value.get("parent_id") else None  # top level: under the post
    return IncomingItem(
        external_id=str(value["id"]), kind=IncomingKind.COMMENT, text=str(value.get("text") or ""),
        created_at=when, author_external_id=str(author.get("id") or ""),
        author_handle=str(author.get("username") or ""), post_external_id=media_id,
        parent_external_id=parent)
