"""Bluesky search (app.bsky.feed.searchPosts) on an AppView: https://docs.bsky.app/docs/api/app-bsky-feed-search-posts
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from atproto_client.exceptions import AtProtocolError, NetworkError, RequestException

from socialdesk.core import clock
from socialdesk.networks.base import PermanentNetworkError, TransientNetworkError
from socialdesk.networks.bluesky import session
from socialdesk.networks.bluesky.reading import parse_time
from socialdesk.networks.public import FoundPost

PAGE = 50


def web_url(uri: str, handle: str) -> str:
    # at://did/app.bsky.feed.post/rkey → https://bsky.app/profile/handle/post/rkey
    parts = uri.split("/")
    return f"https://bsky.app/profile/{handle}/post/{parts[-1]}" if len(parts) >= 5 else uri


def search(service: str, queries: Sequence[str], *, since: datetime | None = None,
           languages: Sequence[str] = ()) -> list[FoundPost]:
    """Posts matching any of the queries, newest first, posted after `since` (when given)."""
    service = session.normalise_service(service)
    client = session.client_for(service)
    found: dict[str, FoundPost] = {}
    for query in queries:
        params: dict[str, object] = {"q": query, "limit": PAGE, "sort": "latest"}
        if since is not None:
            params["since"] = since.isoformat().replace("+00:00", "Z")
        if len(languages) == 1:
            params["lang"] = languages[0]
        try:
            answer = client.app.bsky.feed.search_posts(params)
        except RequestException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            content = getattr(getattr(exc, "response", None), "content", None)
            message = getattr(content, "message", None) or str(exc)
            if status in (401, 403):
                raise PermanentNetworkError(f"{service} refused the search ({status}): {message}. Name an AppView "
                                            "that serves public search, e.g. bluesky:https://api.bsky.app") from exc
            if status is not None and 400 <= status < 500 and status != 429:
                raise PermanentNetworkError(f"{service} refused the search ({status}): {message}") from exc
            raise TransientNetworkError(f"{service} search failed: {message}") from exc
        except (NetworkError, AtProtocolError) as exc:
            raise TransientNetworkError(f"{service} could not be reached: {exc}") from exc
        for post in answer.posts:
            record = post.record
            text = str(getattr(record, "text", "") or "")
            langs = list(getattr(record, "langs", None) or [])
            found[post.uri] = FoundPost(
                source="bluesky", external_id=post.uri, url=web_url(post.uri, post.author.handle),
                author=post.author.handle, text=text,
                posted_at=parse_time(getattr(record, "created_at", None)) or parse_time(post.indexed_at) or clock.now(),
                language=langs[0] if langs else None)
    return sorted(found.values(), key=lambda p: p.posted_at, reverse=True)
