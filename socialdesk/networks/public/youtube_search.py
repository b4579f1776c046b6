"""YouTube search for listening: search.list of the YouTube Data API v3 with the operator's API key
(https://developers.google.com/youtube/v3/docs/search/list), through the outbound policy.

Each call costs 100 units of the Google project's daily quota
(https://developers.google.com/youtube/v3/determine_quota_cost), charged to socialdesk's quota ledger before
it is sent: a monitor's terms and their forms go in one query joined with `|` (the documented OR), newest
first, only videos published after the last fetch, and a monitor asks YouTube at most every
`SOCIALDESK_LISTENING_YOUTUBE_MINUTES` (60 by default: 2,400 units a day per monitor).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import httpx

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks import outbound
from socialdesk.networks.base import TransientNetworkError
from socialdesk.networks.public import FoundPost
from socialdesk.networks.public.search_terms import alternatives
from socialdesk.networks.youtube.api import LEDGER, UNITS, data_url, sort_response

SEARCH_UNITS = 100
PAGE = 50
MAX_QUERY = 500
TIMEOUT_SECONDS = 20.0


def project_of(api_key: str) -> str:
    """The quota ledger's name for the Google project behind an API key (never the key itself)."""
    return "key-" + hashlib.sha256(api_key.encode()).hexdigest()[:12]


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
    key = api_key or get_settings().listening_youtube_api_key
    if not key:
        raise ValidationFailed("YouTube search needs an API key of a Google project with the YouTube Data API "
                               "enabled: set SOCIALDESK_LISTENING_YOUTUBE_API_KEY.")
    q = query_of(queries)
    if not q:
        return []
    settings = get_settings()
    LEDGER.charge(project_of(key), UNITS, SEARCH_UNITS, settings.youtube_daily_quota,
                  what="search.list for listening (100 units a call)")
    params: dict[str, str | int] = {"part": "snippet", "q": q, "type": "video", "order": "date",
                                    "maxResults": PAGE, "key": key}
    if since is not None:
        params["publishedAfter"] = clock.utc(since).strftime("%Y-%m-%dT%H:%M:%SZ")
    if len(languages) == 1:
        params["relevanceLanguage"] = languages[0]
    try:
        with outbound.http_client(timeout=TIMEOUT_SECONDS) as client:
            response = client.get(data_url("search"), params=params)
    except outbound.OutboundRefused:
        raise
    except httpx.HTTPError as error:
        refused = outbound.refusal_in(error)
        if refused is not None:
            raise refused from error
        raise TransientNetworkError(f"No answer from YouTube search: {error}") from error
    if response.status_code >= 300:
        raise sort_response(response)
    try:
        items = response.json().get("items") or []
    except ValueError as error:
        raise TransientNetworkError("YouTube search answered something that is not JSON.") from error
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
