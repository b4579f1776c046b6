"""Public profiles of competitor accounts: followers, posts count and recent posts with their engagement.

Bluesky: app.bsky.actor.getProfile (https://docs.bsky.app/docs/api/app-bsky-actor-get-profile) and
app.bsky.feed.getAuthorFeed (https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed) on an AppView,
through the atproto client on the outbound-policy transport.
Mastodon: /api/v1/accounts/lookup (https://docs.joinmastodon.org/methods/accounts/#lookup) and
/api/v1/accounts/:id/statuses (https://docs.joinmastodon.org/methods/accounts/#statuses), through
Mastodon.py on the policy session. Neither needs an account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from atproto_client.exceptions import AtProtocolError, NetworkError, RequestException

from socialdesk.core import clock
from socialdesk.networks.base import PermanentNetworkError, TransientNetworkError
from socialdesk.networks.bluesky import session
from socialdesk.networks.bluesky.reading import parse_time
from socialdesk.networks.mastodon.client import make_client, sorted_errors
from socialdesk.networks.public.mastodon_tags import base_url, plain
from socialdesk.text import entities

RECENT = 50  # posts read per snapshot


@dataclass(frozen=True)
class PublicPost:
    external_id: str
    url: str
    posted_at: datetime
    likes: int
    reposts: int
    replies: int
    format: str  # text | image | video | short | link
    hashtags: list[str] = field(default_factory=list)
    text: str = ""
    views: int | None = None  # where the network shows them (YouTube, VK)

    def as_dict(self) -> dict[str, Any]:
        found = {"id": self.external_id, "url": self.url, "posted_at": self.posted_at.isoformat(),
                 "likes": self.likes, "reposts": self.reposts, "replies": self.replies, "format": self.format,
                 "hashtags": self.hashtags, "text": self.text[:500]}
        return found if self.views is None else {**found, "views": self.views}


@dataclass(frozen=True)
class PublicProfile:
    handle: str
    display_name: str
    followers: int | None
    posts_count: int | None
    posts: list[PublicPost]
    # Why `followers` is None although the profile was read (YouTube: the channel hides its subscriber count).
    followers_hidden: bool = False


def hashtags(text: str) -> list[str]:
    return sorted({h.value.lower() for h in entities.hashtags(text)}) if "#" in text else []


def _bluesky_format(embed: Any) -> str:
    kind = str(getattr(embed, "py_type", "") or "")
    if "recordWithMedia" in kind:
        return _bluesky_format(getattr(embed, "media", None))
    if "embed.video" in kind:
        return "video"
    if "embed.images" in kind:
        return "image"
    if "embed.external" in kind:
        return "link"
    return "text"


def _bluesky_error(service: str, exc: Exception) -> Exception:
    if isinstance(exc, RequestException):
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        message = getattr(getattr(response, "content", None), "message", None) or str(exc)
        if status is not None and 400 <= status < 500 and status != 429:
            return PermanentNetworkError(f"{service} refused ({status}): {message}")
        return TransientNetworkError(f"{service} failed: {message}")
    return TransientNetworkError(f"{service} could not be reached: {exc}")


def bluesky_profile(service: str, handle: str) -> PublicProfile:
    service = session.normalise_service(service)
    client = session.client_for(service)
    try:
        profile = client.app.bsky.actor.get_profile({"actor": handle})
        feed = client.app.bsky.feed.get_author_feed({"actor": handle, "limit": RECENT, "filter": "posts_no_replies"})
    except (RequestException, NetworkError, AtProtocolError) as exc:
        raise _bluesky_error(service, exc) from exc
    posts = []
    for item in feed.feed:
        post = item.post
        if getattr(item, "reason", None) is not None or post.author.did != profile.did:
            continue  # a repost of someone else's post is not the competitor's own content
        text = str(getattr(post.record, "text", "") or "")
        rkey = post.uri.rsplit("/", 1)[-1]
        posts.append(PublicPost(
            external_id=post.uri, url=f"https://bsky.app/profile/{profile.handle}/post/{rkey}",
            posted_at=(parse_time(getattr(post.record, "created_at", None)) or parse_time(post.indexed_at)
                       or clock.now()),
            likes=int(post.like_count or 0),
            reposts=int((post.repost_count or 0) + (getattr(post, "quote_count", 0) or 0)),
            replies=int(post.reply_count or 0), format=_bluesky_format(post.embed), hashtags=hashtags(text), text=text))
    return PublicProfile(handle=profile.handle, display_name=profile.display_name or "",
                         followers=profile.followers_count, posts_count=profile.posts_count, posts=posts)


def _mastodon_format(status: dict[str, Any]) -> str:
    kinds = {str(m.get("type")) for m in status.get("media_attachments") or []}
    if kinds & {"video", "gifv", "audio"}:
        return "video"
    if kinds:
        return "image"
    return "link" if status.get("card") else "text"


def mastodon_profile(instance: str, handle: str) -> PublicProfile:
    client = make_client(base_url(instance), None)
    with sorted_errors(client):
        account = client.account_lookup(handle.lstrip("@"))
        statuses = client.account_statuses(account["id"], limit=40, exclude_replies=True, exclude_reblogs=True)
    posts = []
    for status in statuses:
        if status.get("reblog"):
            continue
        text = plain(str(status.get("content") or ""))
        tags = sorted({str(t.get("name", "")).lower() for t in status.get("tags") or [] if t.get("name")}) \
            or hashtags(text)
        posts.append(PublicPost(
            external_id=str(status.get("uri") or status["id"]), url=str(status.get("url") or status.get("uri") or ""),
            posted_at=clock.utc(status.get("created_at") or clock.now()),
            likes=int(status.get("favourites_count") or 0),
            reposts=int(status.get("reblogs_count") or 0), replies=int(status.get("replies_count") or 0),
            format=_mastodon_format(status), hashtags=tags, text=text))
    return PublicProfile(handle=str(account.get("acct") or handle), display_name=str(account.get("display_name") or ""),
                         followers=account.get("followers_count"), posts_count=account.get("statuses_count"),
                         posts=posts)
