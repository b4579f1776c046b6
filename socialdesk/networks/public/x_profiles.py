"""A competitor's public X account, read with the operator's paid X access.

- `GET /2/users/by/username/:username` with `user.fields=public_metrics`
  (https://docs.x.com/x-api/users/lookup/integrate): followers_count, tweet_count. An unknown or suspended
  account answers 200 with an `errors` list and no `data`; a malformed username 400 (X's words are kept).
- `GET /2/users/:id/tweets` (https://docs.x.com/x-api/posts/timelines) with `exclude=retweets,replies`,
  `tweet.fields=created_at,public_metrics,entities,attachments` and the media's type as an expansion:
  likes, reposts (+ quotes), replies, hashtags (entities.hashtags) and the format of each post.

X bills each user and each post returned (x_costs): a snapshot is 1 user read + at most
SOCIALDESK_COMPETITORS_X_POSTS post reads, and `XProfile.reads` says what it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks.base import PermanentNetworkError
from socialdesk.networks.public import x_reads
from socialdesk.networks.public.profiles import PublicPost, PublicProfile
from socialdesk.networks.public.x_costs import Reads, competitor_snapshot
from socialdesk.networks.x.api import problem_message

USERNAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")  # X's own rule for the path parameter


@dataclass(frozen=True)
class XProfile(PublicProfile):
    reads: Reads = field(default_factory=Reads)


def estimate() -> Reads:
    """What one snapshot may be billed for, before it is taken."""
    return competitor_snapshot()


def _time(value: Any) -> datetime:
    try:
        return clock.utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        return clock.now()


def _format(tweet: dict[str, Any], media_types: dict[str, str]) -> str:
    keys = (tweet.get("attachments") or {}).get("media_keys") or []
    kinds = {media_types.get(str(k), "photo") for k in keys}
    if kinds & {"video", "animated_gif"}:
        return "video"
    if kinds:
        return "image"
    return "link" if (tweet.get("entities") or {}).get("urls") else "text"


def x_profile(username: str, token: str, *, posts: int | None = None) -> XProfile:
    name = username.strip().lstrip("@")
    if not USERNAME.match(name):
        raise PermanentNetworkError(f"{username!r} is not an X username (1 to 15 letters, digits or _).")
    size = posts or get_settings().competitors_x_posts
    found = x_reads.get(token, f"/2/users/by/username/{name}", "GET /2/users/by/username",
                        {"user.fields": "public_metrics,name"})
    user = (found or {}).get("data") if isinstance(found, dict) else None
    if not isinstance(user, dict) or not user.get("id"):
        raise PermanentNetworkError(problem_message(found) or f"X found no account @{name}.")
    metrics = user.get("public_metrics") or {}
    body = x_reads.get(token, f"/2/users/{user['id']}/tweets", "GET /2/users/:id/tweets",
                       {"max_results": max(5, min(size, 100)), "exclude": "retweets,replies",
                        "tweet.fields": "created_at,public_metrics,entities,attachments",
                        "expansions": "attachments.media_keys", "media.fields": "type"}) or {}
    media_types = {str(m.get("media_key")): str(m.get("type")) for m in (body.get("includes") or {}).get("media") or []
                   if isinstance(m, dict)}
    handle = str(user.get("username") or name)
    found_posts = []
    for tweet in body.get("data") or []:
        if not isinstance(tweet, dict) or not tweet.get("id"):
            continue
        counts = tweet.get("public_metrics") or {}
        tags = sorted({str(h.get("tag", "")).lower() for h in (tweet.get("entities") or {}).get("hashtags") or []
                       if isinstance(h, dict) and h.get("tag")})
        found_posts.append(PublicPost(
            external_id=str(tweet["id"]), url=f"https://x.com/{handle}/status/{tweet['id']}",
            posted_at=_time(tweet.get("created_at")), likes=int(counts.get("like_count") or 0),
            reposts=int((counts.get("retweet_count") or 0) + (counts.get("quote_count") or 0)),
            replies=int(counts.get("reply_count") or 0), format=_format(tweet, media_types), hashtags=tags,
            text=str(tweet.get("text") or "")))
    return XProfile(handle=handle, display_name=str(user.get("name") or ""),
                    followers=metrics.get("followers_count"), posts_count=metrics.get("tweet_count"),
                    posts=found_posts, reads=Reads(posts=len(found_posts), users=1))
