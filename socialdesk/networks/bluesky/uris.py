"""AT URIs (at://did/collection/rkey): the external id of every post, reply and record here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from socialdesk.networks.base import PermanentNetworkError

POST = "app.bsky.feed.post"
LIKE = "app.bsky.feed.like"
REPOST = "app.bsky.feed.repost"
BLOCK = "app.bsky.graph.block"
THREADGATE = "app.bsky.feed.threadgate"


@dataclass(frozen=True)
class AtUri:
    repo: str
    collection: str
    rkey: str

    def __str__(self) -> str:
        return f"at://{self.repo}/{self.collection}/{self.rkey}"


def parse(uri: str, *, collection: str | None = POST) -> AtUri:
    parts = uri.removeprefix("at://").split("/") if uri.startswith("at://") else []
    if len(parts) != 3 or not all(parts) or (collection is not None and parts[1] != collection):
        what = "a Bluesky post" if collection == POST else "a Bluesky record"
        raise PermanentNetworkError(f"{uri!r} is not the address of {what}.", status_code=400)
    return AtUri(*parts)


def web_url(web: str, handle_or_did: str, uri: str) -> str:
    """Where a person opens the post in a browser."""
    return f"{web.rstrip('/')}/profile/{handle_or_did}/post/{parse(uri).rkey}"


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable


def tid_time(rkey: str) -> datetime | None:
    """When the server made a record with a TID key (13 characters: microseconds since 1970, then a
    10-bit clock id). Unlike `createdAt`, which the client writes, it cannot be backdated."""
    if len(rkey) != 13 or any(c not in _TID_ALPHABET for c in rkey):
        return None
    value = 0
    for c in rkey:
        value = value * 32 + _TID_ALPHABET.index(c)
    return datetime.fromtimestamp((value >> 10) / 1_000_000, UTC)
