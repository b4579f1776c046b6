"""A competitor's Instagram professional account through Business Discovery, asked as the workspace's own
connected Instagram account: `GET /{ig-user-id}?fields=business_discovery.username(NAME){followers_count,
media_count,media{timestamp,like_count,comments_count,media_type,media_product_type,caption,permalink}}`
(https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/business_discovery,
https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/business-discovery)
on SOCIALDESK_META_GRAPH_URL with the Meta core's GraphClient (outbound policy, Graph error sorting).

Only business and creator accounts answer; anything else (a personal or age-gated account, a wrong
name) is refused by Meta, and Meta's own words ("Cannot find User: The user with username: … cannot be
found.") are what the user reads. `like_count` is left out by Meta where the owner hides likes: 0 then.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from socialdesk.core import clock
from socialdesk.networks.base import PermanentNetworkError
from socialdesk.networks.instagram.adapter import parse_time
from socialdesk.networks.meta.graph import GraphClient
from socialdesk.networks.public.profiles import PublicPost, PublicProfile, hashtags

USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")  # Instagram's usernames
MEDIA_FIELDS = "timestamp,like_count,comments_count,media_type,media_product_type,caption,permalink"
FIELDS = "followers_count,media_count,username,name,media{" + MEDIA_FIELDS + "}"


def _format(media: dict[str, Any]) -> str:
    if media.get("media_type") == "VIDEO" or media.get("media_product_type") == "REELS":
        return "video"
    return "image"  # IMAGE and CAROUSEL_ALBUM: every Instagram post has a picture


def business_discovery(ig_user_id: str, token: str, username: str) -> PublicProfile:
    name = username.strip().lstrip("@")
    if not USERNAME.match(name):
        raise PermanentNetworkError(f"{username!r} is not an Instagram username (letters, digits, . and _).")
    with GraphClient(token, site="Instagram") as graph:
        body = graph.get(ig_user_id, {"fields": f"business_discovery.username({name}){{{FIELDS}}}"}) or {}
    found = body.get("business_discovery") if isinstance(body, dict) else None
    if not isinstance(found, dict):
        raise PermanentNetworkError(f"Instagram answered without business_discovery for {name}.")
    posts = []
    for media in (found.get("media") or {}).get("data") or []:
        if not isinstance(media, dict) or not media.get("id"):
            continue
        caption = str(media.get("caption") or "")
        posted: datetime = parse_time(media.get("timestamp")) or clock.now()
        posts.append(PublicPost(
            external_id=str(media["id"]), url=str(media.get("permalink") or ""), posted_at=posted,
            likes=int(media.get("like_count") or 0), reposts=0, replies=int(media.get("comments_count") or 0),
            format=_format(media), hashtags=hashtags(caption), text=caption))
    return PublicProfile(handle=str(found.get("username") or name), display_name=str(found.get("name") or ""),
                         followers=found.get("followers_count"), posts_count=found.get("media_count"), posts=posts)
