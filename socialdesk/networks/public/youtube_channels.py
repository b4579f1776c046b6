"""Public YouTube channels as competitors: subscribers and the recent uploads with their views, likes and
comments, from the YouTube Data API v3 through the same client as every other YouTube read
(networks/youtube/api.py: the outbound policy, Google's errors sorted, each call charged to the quota
ledger at its documented cost before it goes — https://developers.google.com/youtube/v3/determine_quota_cost).

A snapshot is three calls of 1 unit each, charged as background reads (they stop at 90 % of the day's
units, leaving the rest for publishing and replies):
- channels.list part=snippet,statistics,contentDetails by `forHandle` or `id`
  (https://developers.google.com/youtube/v3/docs/channels/list): title, statistics.subscriberCount (YouTube
  abbreviates it to three significant figures; absent when statistics.hiddenSubscriberCount is true) and the
  uploads playlist (contentDetails.relatedPlaylists.uploads);
- playlistItems.list part=contentDetails on that playlist, 50 newest
  (https://developers.google.com/youtube/v3/docs/playlistItems/list);
- videos.list part=snippet,statistics,contentDetails for those ids (at most 50 a call)
  (https://developers.google.com/youtube/v3/docs/videos/list): views, likes, comments, duration.

Formats: "short" for videos of at most SHORT_SECONDS (YouTube's Shorts limit since 15 October 2024; the API
does not say whether a video is a Short, so a long Short or a short regular video is misfiled — an
approximation), "video" otherwise or when no duration is given. A video counts as posted at
snippet.publishedAt; upcoming live streams (no numbers yet) are left out.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.base import PermanentNetworkError
from socialdesk.networks.public.profiles import PublicPost, PublicProfile, hashtags
from socialdesk.networks.youtube.api import YouTubeApi

RECENT = 50  # uploads read per snapshot: one playlistItems page, one videos.list call
SHORT_SECONDS = 180
CALLS_PER_SNAPSHOT = 3  # units, at 1 unit a call
_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
# YouTube handles: 3-30 characters, letters (any script), digits, underscore, hyphen and period.
_HANDLE = re.compile(r"^@[\w.-]{3,30}$")
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def channel_key(text: str) -> str:
    """`@handle` or a `UC…` channel id from what a person pasted: a handle, an id, or a channel URL
    (youtube.com/@name, youtube.com/channel/UC…). Raises ValidationFailed saying what to give instead."""
    value = (text or "").strip()
    if "youtube.com" in value.lower() or value.lower().startswith(("http://", "https://", "www.", "m.")):
        parts = urlsplit(value if "://" in value else f"https://{value}")
        host = (parts.hostname or "").lower()
        if host not in ("youtube.com", "www.youtube.com", "m.youtube.com"):
            raise ValidationFailed(f"{value!r} is not a YouTube channel address: give @handle, a UC… channel id "
                                   "or https://www.youtube.com/@handle.")
        segments = [s for s in parts.path.split("/") if s]
        if segments and segments[0].startswith("@"):
            value = segments[0]
        elif len(segments) >= 2 and segments[0] == "channel":
            value = segments[1]
        else:
            raise ValidationFailed(f"{value!r} is not a channel address YouTube's API can look up (/c/ and /user/ "
                                   "addresses are not): open the channel and give its @handle or "
                                   "youtube.com/channel/UC… address.")
    if _CHANNEL_ID.match(value):
        return value
    handle = value if value.startswith("@") else f"@{value}"
    if not _HANDLE.match(handle):
        raise ValidationFailed(f"{text!r} is not a YouTube channel: give @handle (3 to 30 letters, digits, _ - .), "
                               "a UC… channel id (24 characters) or the channel's address.")
    return handle.lower()


def seconds(duration: str | None) -> int | None:
    """ISO 8601 duration as YouTube gives it (PT1M5S, P1DT2H) in seconds; None when absent or unreadable."""
    found = _DURATION.match(duration or "")
    if not found or not any(found.groups()):
        return None
    days, hours, minutes, secs = (int(g or 0) for g in found.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + secs


def video_format(duration: str | None) -> str:
    length = seconds(duration)
    return "short" if length is not None and 0 < length <= SHORT_SECONDS else "video"


def _count(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _time(text: Any) -> datetime | None:
    try:
        return clock.utc(datetime.fromisoformat(str(text).replace("Z", "+00:00")))
    except ValueError:
        return None


def parse_video(video: dict[str, Any]) -> PublicPost | None:
    """One videos.list item as a post; None for what has no numbers yet (an upcoming live stream)."""
    snippet = video.get("snippet") or {}
    if snippet.get("liveBroadcastContent") == "upcoming":
        return None
    posted = _time(snippet.get("publishedAt"))
    if posted is None or not video.get("id"):
        return None
    stats = video.get("statistics") or {}
    title, description = str(snippet.get("title") or ""), str(snippet.get("description") or "")
    tags = hashtags(f"{title}\n{description}")
    return PublicPost(external_id=str(video["id"]), url=f"https://www.youtube.com/watch?v={video['id']}",
                      posted_at=posted, likes=_count(stats.get("likeCount")) or 0, reposts=0,
                      replies=_count(stats.get("commentCount")) or 0,
                      format=video_format((video.get("contentDetails") or {}).get("duration")),
                      hashtags=tags, text=title if not description else f"{title}\n{description}",
                      views=_count(stats.get("viewCount")))


def channel_profile(api: YouTubeApi, key: str) -> PublicProfile:
    """Read a public channel now (3 quota units)."""
    lookup = {"id": key} if _CHANNEL_ID.match(key) else {"forHandle": key}
    # Background reads: they stop at BACKGROUND_SHARE of the day's units, keeping the rest for publishing.
    found = api.get("channels.list", "channels", background=True, part="snippet,statistics,contentDetails",
                    **lookup).get("items")
    if not found:
        raise PermanentNetworkError(f"YouTube has no channel {key} (check the @handle or channel id).",
                                    status_code=404)
    channel = found[0]
    stats = channel.get("statistics") or {}
    snippet = channel.get("snippet") or {}
    hidden = bool(stats.get("hiddenSubscriberCount"))
    uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
    posts: list[PublicPost] = []
    if uploads:
        items = api.get("playlistItems.list", "playlistItems", background=True, part="contentDetails",
                        playlistId=uploads, maxResults=RECENT).get("items") or []
        ids = [str((i.get("contentDetails") or {}).get("videoId")) for i in items
               if (i.get("contentDetails") or {}).get("videoId")]
        if ids:
            videos = api.get("videos.list", "videos", background=True, part="snippet,statistics,contentDetails",
                             id=",".join(ids[:RECENT])).get("items") or []
            posts = [p for p in (parse_video(v) for v in videos) if p is not None]
    return PublicProfile(handle=str(snippet.get("customUrl") or key), display_name=str(snippet.get("title") or ""),
                         followers=None if hidden else _count(stats.get("subscriberCount")),
                         posts_count=_count(stats.get("videoCount")), posts=posts, followers_hidden=hidden)
