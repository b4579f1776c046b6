"""Mastodon hashtag timelines on the instances a monitor names (public, no account needed):
https://docs.joinmastodon.org/methods/timelines/#tag"""

from __future__ import annotations

import html
from collections.abc import Sequence

import regex

from socialdesk.core import clock
from socialdesk.networks.mastodon.client import make_client, sorted_errors
from socialdesk.networks.public import FoundPost

PAGE = 40
_TAG = regex.compile(r"<[^>]+>")
_NOT_TAG = regex.compile(r"[^\p{L}\p{N}_]")


def plain(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", markup.replace("</p>", "\n"))).split())


def hashtag(term: str) -> str:
    """The hashtag a term is followed by: its letters and digits ("Brand Café" → "BrandCafé")."""
    return _NOT_TAG.sub("", term)


def base_url(instance: str) -> str:
    instance = instance.strip().rstrip("/")
    return instance if "://" in instance else f"https://{instance}"


def tag_timeline(instance: str, tags: Sequence[str], *, since_ids: dict[str, str] | None = None
                 ) -> tuple[list[FoundPost], dict[str, str]]:
    """New public posts under each hashtag; returns them and the newest id seen per tag (for next time)."""
    url = base_url(instance)
    client = make_client(url, None)
    newest = dict(since_ids or {})
    found: list[FoundPost] = []
    for tag in {hashtag(t) for t in tags if hashtag(t)}:
        with sorted_errors(client):
            statuses = client.timeline_hashtag(tag, limit=PAGE, since_id=newest.get(tag))
        for status in statuses:
            newest[tag] = max(str(status["id"]), newest.get(tag, ""), key=lambda s: (len(s), s))
            account = status.get("account") or {}
            found.append(FoundPost(
                source=f"mastodon:{url.split('://', 1)[1]}", external_id=str(status.get("uri") or status["id"]),
                url=str(status.get("url") or status.get("uri") or ""), author=str(account.get("acct") or ""),
                text=plain(str(status.get("content") or "")), posted_at=status.get("created_at") or clock.now(),
                language=status.get("language")))
    return found, newest
