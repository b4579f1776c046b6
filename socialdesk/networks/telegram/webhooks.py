"""Telegram's webhook: updates POSTed to /webhooks/telegram/<channel id>.

Telegram sends each Update as JSON with the channel's `secret_token` (given to setWebhook) in the
`X-Telegram-Bot-Api-Secret-Token` header (https://core.telegram.org/bots/api#setwebhook); a request
without the right secret is refused. An update's `update_id` is unique per bot, so the event id is
the channel's id with it: the shared webhook service stores a repeated delivery only once.
"""

from __future__ import annotations

import json
from typing import Any

from socialdesk.networks.base import ChannelAccount
from socialdesk.networks.telegram import updates
from socialdesk.networks.webhooks import (
    WebhookEvent,
    WebhookRefused,
    WebhookReply,
    WebhookRequest,
    signature_matches,
)

HEADER = "x-telegram-bot-api-secret-token"


class TelegramWebhooks:
    def answer(self, request: WebhookRequest, channel: ChannelAccount | None) -> WebhookReply | None:
        return None  # Telegram has no handshake: setWebhook is the whole registration

    def verify(self, request: WebhookRequest, channel: ChannelAccount | None) -> None:
        if channel is None:
            raise WebhookRefused("Telegram webhooks are addressed to one channel.")
        expected = str(channel.credentials.get("webhook_secret") or "")
        given = str(request.headers.get(HEADER) or "")
        if not expected or not signature_matches(expected, given):
            raise WebhookRefused("The X-Telegram-Bot-Api-Secret-Token header does not match this channel's secret.")

    def events(self, request: WebhookRequest, channel: ChannelAccount | None) -> list[WebhookEvent]:
        assert channel is not None  # verify() refused the rest
        try:
            update: Any = json.loads(request.body or b"null")
        except ValueError:
            return []
        if not isinstance(update, dict) or "update_id" not in update:
            return []
        settings = channel.settings
        discussion, bot = settings.get("discussion_chat_id"), settings.get("bot_id")
        items = updates.items_from(update, channel_id=str(settings.get("chat_id") or channel.external_id),
                                   discussion_id=str(discussion) if discussion else None,
                                   bot_id=str(bot) if bot else None)
        return [WebhookEvent(event_id=f"{channel.channel_id}:{update['update_id']}",
                             account_external_id=channel.external_id, items=tuple(items))]


HANDLER = TelegramWebhooks()
