"""Counts and followers, read from the AppView through the PDS (app.bsky.feed/actor/graph)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from socialdesk.core import clock
from socialdesk.networks.base import AccountMetrics, Follower, FollowerPage, PostMetrics
from socialdesk.networks.bluesky.errors import calling

POSTS_PER_CALL = 25  # app.bsky.feed.getPosts: uris maxLength
MAX_FOLLOWER_PAGE = 100  # app.bsky.graph.getFollowers: limit maximum


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 time as Bluesky sends it (with Z, any number of fraction digits), in UTC."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "." in text:  # fromisoformat takes at most 6 fraction digits; servers may send 9
        head, _, rest = text.partition(".")
        count = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:min(count, 6)]}{rest[count:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def post_metrics(client: Any, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
    """Totals for each post still visible; deleted or unknown posts are left out. Bluesky has no views."""
    result: dict[str, PostMetrics] = {}
    ids = list(dict.fromkeys(external_ids))
    for start in range(0, len(ids), POSTS_PER_CALL):
        with calling():
            found = client.app.bsky.feed.get_posts({"uris": ids[start:start + POSTS_PER_CALL]})
        collected = clock.now()
        for view in found.posts:
            result[view.uri] = PostMetrics(collected_at=collected, likes=view.like_count, reposts=view.repost_count,
                                           comments=view.reply_count, quotes=view.quote_count,
                                           saves=view.bookmark_count)
    return result


def account_metrics(client: Any, did: str) -> AccountMetrics:
    with calling():
        profile = client.app.bsky.actor.get_profile({"actor": did})
    return AccountMetrics(collected_at=clock.now(), followers=profile.followers_count,
                          following=profile.follows_count, posts=profile.posts_count)


def followers(client: Any, did: str, cursor: str | None, limit: int) -> FollowerPage:
    with calling():
        page = client.app.bsky.graph.get_followers(
            {"actor": did, "cursor": cursor, "limit": max(1, min(limit, MAX_FOLLOWER_PAGE))})
    people = [Follower(external_id=p.did, handle=p.handle, name=p.display_name or "") for p in page.followers]
    # The page's `subject` is a basic profile without counts; account_metrics has the total.
    return FollowerPage(people, page.cursor or None, total=getattr(page.subject, "followers_count", None))
