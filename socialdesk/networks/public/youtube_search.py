"""YouTube search for listening: search.list of the YouTube Data API v3 with the operator's API key
(https://developers.google.com/youtube/v3/docs/search/list), through the outbound policy.

Each call costs 100 units of the Google project's daily quota
(https://developers.google.com/youtube/v3/determine_quota_cost), charged to socialdesk's quota ledger before
it is sent: a monitor's terms and their forms go in one query joined with `|` (the documented OR), newest
first, only videos published after the last fetch, and a monitor asks YouTube at most every
`SOCIALDESK_LISTENING_YOUTUBE_MINUTES` (60 by default: 2,400 units a day per monitor).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.public import FoundPost
from socialdesk.networks.public.search_terms import alternatives
from socialdesk.networks.youtube.api import COSTS, key_project, keyed

SEARCH_UNITS = COSTS["search.list"]
PAGE = 50
MAX_QUERY = 500


def project_of(api_key: str) -> str:
    """The quota ledger's name for the Google project behind an API key (never the key itself)."""
    return key_project(api_key)


def configured_key() -> str:
    """The operator's API key for public reads (listening search, competitor channels), or a clear error."""
    key = get_settings().listening_youtube_api_key
    if not key:
        raise ValidationFailed("YouTube search needs an API key of a Google project with the YouTube Data API "
                               "enabled: set SOCIALDESK_LISTENING_YOUTUBE_API_KEY.")
    return key


def query_of(queries: Sequence[str]) -> str:
    """The terms as one search: `a|b|"two words"` (YouTube's OR), cut at whole alternatives."""
    return alternatives(queries, "|", MAX_QUERY)


def _time(text: str | None) -> datetime:
    if not text:
        return clock.now()
    try:
        return clock.utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return clock.now()


def search(queries: Sequence[str], *, since: datetime | None = None, languages: Sequence[str] = (),
           api_key: str | None = None) -> list[FoundPost]:
    """Videos matching any of the queries, newest first, published after `since` (when given)."""
    key = api_key or configured_key()
    q = query_of(queries)
    if not q:
        return []
    params: dict[str, str | int] = {"part": "snippet", "q": q, "type": "video", "order": "date",
                                    "maxResults": PAGE}
    if since is not None:
        params["publishedAfter"] = clock.utc(since).strftime("%Y-%m-%dT%H:%M:%SZ")
    if len(languages) == 1:
        params["relevanceLanguage"] = languages[0]
    # One client for every public read with the key: the same quota ledger entry, policy and error sorting
    # as the channel reads (networks/youtube/api.py); search.list costs 100 units there.
    youtube = keyed(key)
    try:
        items = youtube.get("search.list", "search", **params).get("items") or []
    finally:
        youtube.close()
    found = []
    for item in items:
        video_id = (item.get("id") or {}).get("videoId") if isinstance(item, dict) else None
        if not video_id:
            continue
        snippet = item.get("snippet") or {}
        title = str(snippet.get("title") or "")
        description = str(snippet.get("description") or "")
        found.append(FoundPost(source="youtube", external_id=str(video_id),
                               url=f"https://www.youtube.com/watch?v={video_id}",
                               author=str(snippet.get("channelTitle") or snippet.get("channelId") or ""),
                               text=" ".join(p for p in (title, description) if p),
                               posted_at=_time(snippet.get("publishedAt")), title=title))
    return sorted(found, key=lambda p: p.posted_at, reverse=True)
