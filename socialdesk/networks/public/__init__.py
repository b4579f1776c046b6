"""Reading public posts for listening: news feeds, Bluesky search, Mastodon hashtag timelines and the
sandbox's public conversation. Each reader returns FoundPost values; every request goes through the
outbound policy (socialdesk/networks/outbound.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FoundPost:
    source: str  # "rss:URL", "bluesky", "mastodon:INSTANCE", "sandbox"
    external_id: str  # the network's own id (at:// URI, status URL, feed entry id)
    url: str
    author: str
    text: str
    posted_at: datetime
    title: str = ""
    language: str | None = None  # what the network said, if anything
