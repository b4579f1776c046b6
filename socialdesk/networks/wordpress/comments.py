"""WordPress comments as inbox items, and moderating them: reply, hold (hide), approve, trash.

Comments waiting for moderation are fetched too (`status=all`): deciding on them is the moderator's
job. The channel's own comments (its replies) are not inbox items. Comment bodies are HTML; the inbox
gets their text.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from socialdesk.networks.base import InboxPage, IncomingItem, IncomingKind
from socialdesk.networks.wordpress.api import WordPressSite

PAGE_SIZE = 100
_INVISIBLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAKS = re.compile(r"<br\s*/?>|</p\s*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def text_of(body: str) -> str:
    text = _TAGS.sub("", _BREAKS.sub("\n", _INVISIBLE.sub("", body)))
    return re.sub(r"\n{3,}", "\n\n", html.unescape(text)).strip()


def html_of(text: str) -> str:
    """A reply typed as plain text, as comment HTML: escaped, line breaks kept."""
    return "<br>\n".join(html.escape(line, quote=False) for line in text.strip().splitlines())


def _author_id(item: dict[str, Any]) -> str:
    if item.get("author"):
        return f"user:{item['author']}"
    # A guest: known by e-mail to WordPress; socialdesk keeps a digest, never the address.
    email = str(item.get("author_email") or item.get("author_name") or "").strip().lower()
    return "guest:" + hashlib.sha256(email.encode()).hexdigest()[:16]


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def fetch(site: WordPressSite, own_user_id: int | None, cursor: str | None) -> InboxPage:
    params: dict[str, Any] = {"context": "edit", "status": "all", "type": "comment", "orderby": "date_gmt",
                              "order": "asc", "per_page": PAGE_SIZE}
    if cursor:
        # A second of overlap: comments of the same second are not lost; the inbox drops repeats.
        params["after"] = (_when(cursor) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    found = site.call("GET", "wp/v2/comments", params=params) or []
    items = [IncomingItem(
        external_id=str(c["id"]), kind=IncomingKind.COMMENT, text=text_of(str((c.get("content") or {}).get("raw")
                                                                              or "")),
        created_at=_when(c["date_gmt"]), author_external_id=_author_id(c),
        author_handle=str(c.get("author_name") or ""), author_name=str(c.get("author_name") or ""),
        post_external_id=str(c["post"]), parent_external_id=str(c["parent"]) if c.get("parent") else None,
        url=c.get("link")) for c in found if not (own_user_id and c.get("author") == own_user_id)]
    newest = max((str(c["date_gmt"]) for c in found), default=None)
    if len(found) == PAGE_SIZE and newest == cursor:
        # A whole page within one second: step past it rather than read the same page forever.
        newest = (_when(newest) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    return InboxPage(items=items, cursor=newest or cursor)


def reply(site: WordPressSite, comment_id: str, text: str) -> str:
    parent = site.call("GET", f"wp/v2/comments/{int(comment_id)}", params={"context": "edit"})
    made = site.call("POST", "wp/v2/comments", creates=True,
                     json={"post": parent["post"], "parent": parent["id"], "content": html_of(text)})
    return str(made["id"])


def set_status(site: WordPressSite, comment_id: str, status: str) -> None:
    site.call("POST", f"wp/v2/comments/{int(comment_id)}", json={"status": status})


def trash(site: WordPressSite, comment_id: str) -> None:
    site.call("DELETE", f"wp/v2/comments/{int(comment_id)}")


def total(site: WordPressSite, route: str, params: dict[str, Any]) -> int | None:
    """How many items a listing holds, from WordPress's X-WP-Total header (one item is fetched)."""
    headers: dict[str, str] = {}
    site.call("GET", route, params={**params, "per_page": 1}, headers_out=headers)
    value = headers.get("x-wp-total")
    return int(value) if value and value.isdigit() else None
