"""Mastodon statuses as socialdesk sees them: plain text out of the server's HTML, and inbox items."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from socialdesk.networks.base import IncomingItem, IncomingKind


class _Text(HTMLParser):
    """Status HTML → the text a person wrote: paragraphs and line breaks kept, links as their text.

    Nothing of the markup survives, so a hostile status cannot bring HTML into our pages; what remains is
    text, escaped wherever it is shown.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0  # Mastodon wraps the hidden part of long URLs in <span class="invisible">

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")
        elif tag == "span" and self._hidden:
            self._hidden += 1
        elif tag == "span" and "invisible" in (dict(attrs).get("class") or "").split():
            self._hidden = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def plain_text(html: str | None) -> str:
    if not html:
        return ""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).strip()


def when(value: Any) -> datetime:
    """Mastodon.py gives aware datetimes; a server imitating the API may give strings."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return datetime.now(UTC)


def incoming(status: dict[str, Any], own_account_id: str, post_id: str | None) -> IncomingItem:
    """A status that reached the account (a reply, a mention or a direct message) as an inbox item.

    `post_id` is the account's own status the conversation hangs under, when known.
    """
    account = status.get("account") or {}
    if status.get("visibility") == "direct":
        kind = IncomingKind.DIRECT_MESSAGE
    elif str(status.get("in_reply_to_account_id") or "") == own_account_id or post_id:
        kind = IncomingKind.COMMENT
    else:
        kind = IncomingKind.MENTION
    text = plain_text(status.get("content"))
    if status.get("spoiler_text"):
        # The warning is part of what the person said, and a moderator should read it first.
        text = f"[CW: {status['spoiler_text']}]\n{text}"
    parent = status.get("in_reply_to_id")
    return IncomingItem(
        external_id=str(status["id"]), kind=kind, text=text, created_at=when(status.get("created_at")),
        author_external_id=str(account.get("id") or ""), author_handle=str(account.get("acct") or ""),
        author_name=str(account.get("display_name") or ""), post_external_id=post_id,
        parent_external_id=str(parent) if parent else None, language=status.get("language") or None,
        url=status.get("url") or status.get("uri") or None)
