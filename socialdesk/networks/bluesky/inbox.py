"""Replies, mentions and quotes from Bluesky's notifications (app.bsky.notification.listNotifications).

Notifications come newest first and their cursor pages backwards in time, so socialdesk's cursor is
the newest `indexedAt` already read: each fetch reads back until it reaches that time. Items at that
very time are read again and dropped by the inbox (it keys items by their URI). Likes, reposts and
follows are notifications too, but they are numbers (metrics), not messages.
"""

from __future__ import annotations

import json
from typing import Any

from socialdesk.networks.base import InboxPage, IncomingItem, IncomingKind
from socialdesk.networks.bluesky.errors import calling
from socialdesk.networks.bluesky.reading import parse_time
from socialdesk.networks.bluesky.uris import web_url

PAGE_SIZE = 100  # listNotifications limit maximum
MAX_PAGES = 10  # per fetch; the inbox asks again for more
KINDS = {"reply": IncomingKind.COMMENT, "mention": IncomingKind.MENTION, "quote": IncomingKind.MENTION}


def _since(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        value = json.loads(cursor).get("since")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def fetch(client: Any, did: str, cursor: str | None, web: str = "https://bsky.app") -> InboxPage:
    since = _since(cursor)
    since_at = parse_time(since)
    newest = since
    items: list[IncomingItem] = []
    page_cursor = None
    for _ in range(MAX_PAGES):
        with calling():
            page = client.app.bsky.notification.list_notifications({"limit": PAGE_SIZE, "cursor": page_cursor})
        reached_old = False
        for note in page.notifications:
            at = parse_time(note.indexed_at)
            if since_at is not None and at is not None and at < since_at:
                reached_old = True
                break
            if newest is None or (at is not None and (parse_time(newest) or at) < at):
                newest = note.indexed_at
            item = incoming(note, did, web)
            if item is not None:
                items.append(item)
        page_cursor = page.cursor
        if reached_old or not page_cursor or not page.notifications:
            break
    return InboxPage(items, json.dumps({"since": newest}) if newest else cursor)


def incoming(note: Any, did: str, web: str) -> IncomingItem | None:
    kind = KINDS.get(note.reason)
    record = note.record
    if kind is None or note.author.did == did:
        return None
    text = getattr(record, "text", None)
    if not isinstance(text, str):
        return None
    reply = getattr(record, "reply", None)
    post_id = parent_id = None
    if note.reason == "reply" and reply is not None:
        post_id = reply.root.uri  # the thread's first post: ours, or one we replied under
        parent_id = reply.parent.uri if reply.parent.uri != reply.root.uri else None
    elif note.reason == "quote":
        post_id = note.reason_subject
    langs = getattr(record, "langs", None) or []
    created = parse_time(getattr(record, "created_at", None)) or parse_time(note.indexed_at)
    assert created is not None
    author = note.author
    return IncomingItem(
        external_id=note.uri, kind=kind, text=text, created_at=created, author_external_id=author.did,
        author_handle=author.handle, author_name=author.display_name or "", post_external_id=post_id,
        parent_external_id=parent_id, language=langs[0] if langs else None,
        url=web_url(web, author.handle, note.uri))
