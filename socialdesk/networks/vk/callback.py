"""VK's Callback API: events of one community POSTed to `/webhooks/vk/<channel id>`.

https://dev.vk.com/api/callback/getting-started

- `{"type": "confirmation", "group_id": …}` when the address is confirmed in the community's settings:
  the answer is the community's confirmation code (read at connect time with
  groups.getCallbackConfirmationCode, or pasted), as plain text.
- Every other request carries `secret` (the key set in the community's Callback API settings, stored as
  the channel's `callback_secret`), `group_id`, `event_id`, `type`, `v` and `object`. A wrong or missing
  secret, or another community's id, is refused; VK repeats an event it got no `ok` for, with the same
  `event_id`, which the service uses to store it once.
- `wall_reply_new` (a new wall comment: the comment object, with `post_id` and `owner_id`) and
  `message_new` (`object.message`) become inbox items; other events are answered `ok` and dropped.
"""

from __future__ import annotations

import json
from typing import Any

from socialdesk.networks.base import ChannelAccount, IncomingItem
from socialdesk.networks.vk.adapter import VkAdapter
from socialdesk.networks.webhooks import (
    WebhookEvent,
    WebhookRefused,
    WebhookReply,
    WebhookRequest,
    signature_matches,
)

EVENTS = ("wall_reply_new", "message_new")


def _body(request: WebhookRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise WebhookRefused("not a VK Callback API event (no JSON body)") from None
    if not isinstance(body, dict) or not body.get("type"):
        raise WebhookRefused("not a VK Callback API event (no type)")
    return body


def _own_community(body: dict[str, Any], channel: ChannelAccount | None) -> ChannelAccount:
    if channel is None:
        raise WebhookRefused("VK events go to /webhooks/vk/<channel id>")
    if str(body.get("group_id")) != str(channel.external_id):
        raise WebhookRefused("this event is for another community")
    return channel


class VkCallback:
    def answer(self, request: WebhookRequest, channel: ChannelAccount | None) -> WebhookReply | None:
        if request.method.upper() != "POST":
            return None
        body = _body(request)
        if body["type"] != "confirmation":
            return None
        own = _own_community(body, channel)
        if body.get("secret") is not None:
            self.verify(request, own)
        code = own.credentials.get("confirmation_code")
        if not code:
            raise WebhookRefused("the channel has no Callback API confirmation code; connect it with a token that "
                                 "has the manage right, or paste the code")
        return WebhookReply(body=str(code))

    def verify(self, request: WebhookRequest, channel: ChannelAccount | None) -> None:
        body = _body(request)
        own = _own_community(body, channel)
        secret = str(own.credentials.get("callback_secret") or "")
        if not secret:
            raise WebhookRefused("the channel has no Callback API secret key; set one to receive events")
        if not signature_matches(secret, str(body.get("secret") or "")):
            raise WebhookRefused("wrong Callback API secret key")

    def events(self, request: WebhookRequest, channel: ChannelAccount | None) -> list[WebhookEvent]:
        body = _body(request)
        own = _own_community(body, channel)
        kind, found = body["type"], body.get("object") or {}
        adapter = VkAdapter(own)
        item: IncomingItem | None = None
        if kind == "wall_reply_new" and int(found.get("from_id") or 0) != adapter.owner_id:
            item = adapter.comment_item(found, int(found["post_id"]))
        elif kind == "message_new":
            message = found.get("message") or found  # 5.103+ wraps the message with client_info
            if not message.get("out") and int(message.get("from_id") or 0) > 0:
                item = adapter.message_item(message)
        if item is None:
            return []
        event_id = str(body.get("event_id") or f"{kind}:{item.external_id}")
        return [WebhookEvent(event_id=event_id, account_external_id=str(own.external_id), items=(item,))]


HANDLER = VkCallback()
