"""Building the records a post is made of: the text with its facets, images, a link card, the thread
it continues, its languages, and socialdesk's marker for finding it again."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from socialdesk.networks.base import Capabilities, MediaKind, OutgoingMedia, PermanentNetworkError
from socialdesk.networks.bluesky.facets import LINK, Facet
from socialdesk.text.counting import graphemes

# A field of our own in the post record (lexicon objects are open, so servers keep it). It holds a hash
# of the publication's id, not the id, so nothing about the workspace is published.
MARKER_FIELD = "socialdeskKey"
MAX_LANGS = 3  # app.bsky.feed.post#langs maxLength


def marker(idempotency_key: str) -> str:
    return hashlib.sha256(f"socialdesk:{idempotency_key}".encode()).hexdigest()[:32]


def timestamp(at: datetime) -> str:
    """RFC 3339 in UTC with milliseconds, as Bluesky writes createdAt (a naive time is taken as UTC)."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def check_text(text: str, caps: Capabilities, what: str = "post") -> None:
    """Bluesky's limits, checked before anything is sent (the server would refuse the same)."""
    count = graphemes(text)
    if count > caps.text.limit:
        raise PermanentNetworkError(f"The {what} is {count} characters long; Bluesky allows {caps.text.limit}.",
                                    status_code=400)
    size = len(text.encode("utf-8"))
    if caps.text.byte_limit and size > caps.text.byte_limit:
        raise PermanentNetworkError(f"The {what} is {size} bytes long; Bluesky allows {caps.text.byte_limit}.",
                                    status_code=400)


def check_media(media: Sequence[OutgoingMedia], caps: Capabilities) -> None:
    if not media:
        return
    if any(m.kind != MediaKind.IMAGE for m in media):
        raise PermanentNetworkError("socialdesk publishes images to Bluesky; videos and GIFs are not supported "
                                    "yet.", status_code=400)
    if len(media) > caps.media.max_count:
        raise PermanentNetworkError(f"Bluesky takes up to {caps.media.max_count} images per post; this post has "
                                    f"{len(media)}.", status_code=400)
    for m in media:
        limit = caps.media.max_image_bytes
        if limit and m.size_bytes > limit:
            raise PermanentNetworkError(f"{m.path.name} is {m.size_bytes:,} bytes; Bluesky takes images up to "
                                        f"{limit:,} bytes.", status_code=400)
        if m.content_type not in caps.media.image_types:
            raise PermanentNetworkError(f"{m.path.name} is {m.content_type}; Bluesky takes "
                                        f"{', '.join(sorted(caps.media.image_types))}.", status_code=400)


def images_embed(media: Sequence[OutgoingMedia], upload: Callable[[OutgoingMedia], Any]) -> dict[str, Any]:
    images = []
    for m in media:
        image: dict[str, Any] = {"image": upload(m), "alt": m.alt_text}  # alt is required; "" means none
        if m.width and m.height:
            image["aspectRatio"] = {"width": m.width, "height": m.height}  # keeps the layout from jumping
        images.append(image)
    return {"$type": "app.bsky.embed.images", "images": images}


def link_card(facets: Sequence[Facet]) -> dict[str, Any] | None:
    """A card for the first link. Bluesky's app fills title and picture from the page; socialdesk does
    not fetch pages on the publisher's behalf, so the card names the site and the address."""
    link = next((f for f in facets if f.kind == LINK), None)
    if link is None:
        return None
    host = urlsplit(link.value).hostname or link.value
    return {"$type": "app.bsky.embed.external",
            "external": {"uri": link.value, "title": host.removeprefix("www."), "description": link.value}}


def post_record(text: str, facets: Sequence[Facet], created_at: datetime, *, language: str | None = None,
                embed: dict[str, Any] | None = None, reply: dict[str, Any] | None = None,
                idempotency_key: str = "") -> dict[str, Any]:
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": timestamp(created_at)}
    if facets:
        record["facets"] = [f.to_record() for f in facets]
    if language:
        record["langs"] = [language][:MAX_LANGS]
    if embed:
        record["embed"] = embed
    if reply:
        record["reply"] = reply
    if idempotency_key:
        record[MARKER_FIELD] = marker(idempotency_key)
    return record
