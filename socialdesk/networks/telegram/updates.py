"""Reading Telegram updates (from getUpdates or a webhook) as inbox items.

- A comment on a channel post is a `message` in the channel's linked discussion group that replies to
  the post's automatic forward there (`is_automatic_forward`, whose `forward_origin.message_id` is the
  post's id in the channel), or to another comment.
- A direct message is a `message` in a private chat with the bot (only people who started the bot).
- Everything else (the automatic forwards themselves, service messages, the bot's own messages, other
  chats the bot is in) is not an inbox item.

External ids are `<chat id>:<message id>` (message ids are unique only inside one chat).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from socialdesk.networks.base import IncomingItem, IncomingKind

# What socialdesk asks Telegram for (https://core.telegram.org/bots/api#getupdates, allowed_updates).
ALLOWED_UPDATES = ["message"]


def message_id(chat_id: int | str, message: int | str) -> str:
    return f"{chat_id}:{message}"


def split_id(external_id: str) -> tuple[str, int]:
    """(chat id, message id) of `<chat id>:<message id>`; an album's `<chat>:<id>,<id>…` gives the first."""
    chat, _, rest = external_id.rpartition(":")
    if not chat:
        raise ValueError(f"not a Telegram message id: {external_id!r}")
    return chat, int(rest.split(",")[0])


def album_ids(external_id: str) -> tuple[str, list[int]]:
    chat, _, rest = external_id.rpartition(":")
    return chat, [int(part) for part in rest.split(",") if part]


def _text(message: dict[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")


def _author(message: dict[str, Any]) -> tuple[str, str, str]:
    person = message.get("from") or {}
    sender_chat = message.get("sender_chat")
    if sender_chat:  # someone commenting as a channel, or an anonymous group admin
        return (str(sender_chat.get("id")), str(sender_chat.get("username") or sender_chat.get("title") or ""),
                str(sender_chat.get("title") or ""))
    name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p)
    return str(person.get("id", "")), str(person.get("username") or name), name


def _origin_post(message: dict[str, Any], channel_id: str) -> str | None:
    """The channel post an automatic forward stands for."""
    if not message.get("is_automatic_forward"):
        return None
    origin = message.get("forward_origin") or {}
    chat = origin.get("chat") or {}
    if origin.get("type") == "channel" and str(chat.get("id")) == channel_id and origin.get("message_id"):
        return message_id(channel_id, origin["message_id"])
    return None


def items_from(update: dict[str, Any], *, channel_id: str, discussion_id: str | None,
               bot_id: str | None) -> list[IncomingItem]:
    """The inbox items in one Update object."""
    message = update.get("message")
    if not isinstance(message, dict):
        return []
    chat = message.get("chat") or {}
    chat_id = str(chat.get("id"))
    author_id, handle, name = _author(message)
    if bot_id and author_id == bot_id:
        return []
    text = _text(message)
    created = datetime.fromtimestamp(int(message.get("date") or 0), UTC)
    own_id = message_id(chat_id, message["message_id"])
    if chat.get("type") == "private":
        return [IncomingItem(external_id=own_id, kind=IncomingKind.DIRECT_MESSAGE, text=text, created_at=created,
                             author_external_id=author_id, author_handle=handle, author_name=name)]
    if discussion_id is None or chat_id != discussion_id or message.get("is_automatic_forward"):
        return []
    if author_id == channel_id:
        return []  # the channel's own messages in its group
    replied = message.get("reply_to_message") or {}
    post = _origin_post(replied, channel_id) if replied else None
    parent = None
    if replied and post is None:
        parent = message_id(chat_id, replied["message_id"])
    if post is None and parent is None:
        return []  # a message in the group, not under any post: not a comment
    username = chat.get("username")
    url = f"https://t.me/{username}/{message['message_id']}" if username else None
    return [IncomingItem(external_id=own_id, kind=IncomingKind.COMMENT, text=text, created_at=created,
                         author_external_id=author_id, author_handle=handle, author_name=name,
                         post_external_id=post, parent_external_id=parent, url=url)]

