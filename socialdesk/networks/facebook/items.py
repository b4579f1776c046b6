"""Graph objects (Page comments, Messenger messages, webhook changes) as inbox items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from socialdesk.core import clock
from socialdesk.networks.base import IncomingItem, IncomingKind


def graph_time(value: Any) -> datetime:
    """Graph's `2026-03-02T09:00:00+0000`, an ISO time, or a Unix time (webhooks) as an aware datetime."""
    if value in (None, ""):
        return clock.now()
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        seconds = float(value)
        if seconds > 10_000_000_000:  # Messenger webhooks send milliseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC)
    text = str(value).replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 -> +00:00
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        return clock.now()


def is_message_id(external_id: str) -> bool:
    """Messenger message ids start with `m_`; comment ids are `{post}_{comment}` numbers."""
    return external_id.startswith("m_")


def comment_item(comment: dict[str, Any], post_id: str | None, *, ad: bool = False) -> IncomingItem:
    """A comment (or a reply under one) on one of the Page's posts; `ad`: under an ad's dark post."""
    author = comment.get("from") or {}
    parent = (comment.get("parent") or {}).get("id") or post_id
    return IncomingItem(
        external_id=str(comment["id"]), kind=IncomingKind.COMMENT, text=str(comment.get("message") or ""),
        created_at=graph_time(comment.get("created_time")), author_external_id=str(author.get("id") or ""),
        author_handle=str(author.get("name") or author.get("id") or ""), author_name=str(author.get("name") or ""),
        post_external_id=post_id, parent_external_id=str(parent) if parent else None,
        url=comment.get("permalink_url") or None, ad_comment=ad)


def message_item(message: dict[str, Any]) -> IncomingItem:
    """A Messenger message a person sent the Page."""
    author = message.get("from") or {}
    return IncomingItem(
        external_id=str(message["id"]), kind=IncomingKind.DIRECT_MESSAGE, text=str(message.get("message") or ""),
        created_at=graph_time(message.get("created_time")), author_external_id=str(author.get("id") or ""),
        author_handle=str(author.get("name") or author.get("id") or ""), author_name=str(author.get("name") or ""))


def feed_change_item(value: dict[str, Any], page_id: str) -> IncomingItem | None:
    """A `feed` webhook change (https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed)
    as an inbox item: only a comment someone else added; posts, reactions, edits and removals are not."""
    if value.get("item") != "comment" or value.get("verb") != "add" or not value.get("comment_id"):
        return None
    author = value.get("from") or {}
    if str(author.get("id") or "") == page_id:
        return None  # the Page's own comment (a reply sent from socialdesk or by hand)
    post_id = str(value.get("post_id") or "") or None
    parent = str(value.get("parent_id") or "") or post_id
    return IncomingItem(
        external_id=str(value["comment_id"]), kind=IncomingKind.COMMENT, text=str(value.get("message") or ""),
        created_at=graph_time(value.get("created_time")), author_external_id=str(author.get("id") or ""),
        author_handle=str(author.get("name") or author.get("id") or ""), author_name=str(author.get("name") or ""),
        post_external_id=post_id, parent_external_id=parent)


def messaging_item(event: dict[str, Any], page_id: str) -> IncomingItem | None:
    """A `messages` webhook event (Messenger) as an inbox item; echoes of the Page's own messages are not."""
    message = event.get("message") or {}
    sender = str((event.get("sender") or {}).get("id") or "")
    if not message.get("mid") or message.get("is_echo") or sender == page_id:
        return None
    return IncomingItem(
        external_id=str(message["mid"]), kind=IncomingKind.DIRECT_MESSAGE, text=str(message.get("text") or ""),
        created_at=graph_time(event.get("timestamp")), author_external_id=sender, author_handle=sender)
