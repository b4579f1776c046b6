"""A server's own limits (`GET /api/v2/instance` → `configuration`), stored in the channel's settings
so that the composer checks a post against the instance it goes to, not against Mastodon's defaults."""

from __future__ import annotations

import dataclasses
from typing import Any

from socialdesk.networks.base import FIRST_COMMENT, Capabilities, MediaKind
from socialdesk.networks.profiles import NETWORK_PROFILES

VISIBILITIES = ("public", "unlisted", "private", "direct")


def _int(value: Any) -> int | None:
    # Servers that imitate the API sometimes send numbers as strings, or nothing at all.
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def limits_from_instance(instance: dict[str, Any]) -> dict[str, Any]:
    """The limits a post must respect, from an instance document; only what the server states."""
    config = instance.get("configuration") or {}
    statuses = config.get("statuses") or {}
    media = config.get("media_attachments") or {}
    polls = config.get("polls") or {}
    found = {
        "max_characters": _int(statuses.get("max_characters")),
        "characters_reserved_per_url": _int(statuses.get("characters_reserved_per_url")),
        "max_media_attachments": _int(statuses.get("max_media_attachments")),
        "image_size_limit": _int(media.get("image_size_limit")),
        "image_matrix_limit": _int(media.get("image_matrix_limit")),
        "video_size_limit": _int(media.get("video_size_limit")),
        "poll_max_options": _int(polls.get("max_options")),
        "poll_max_characters_per_option": _int(polls.get("max_characters_per_option")),
        "poll_min_expiration": _int(polls.get("min_expiration")),
        "poll_max_expiration": _int(polls.get("max_expiration")),
    }
    types = media.get("supported_mime_types")
    if isinstance(types, list) and all(isinstance(t, str) for t in types):
        found["supported_mime_types"] = sorted(types)
    return {k: v for k, v in found.items() if v is not None}


def capabilities(settings: dict[str, Any]) -> Capabilities:
    """Mastodon's profile, narrowed (or widened) by what this channel's instance reported."""
    # A first comment is a reply to the status, posted by the publisher as a step of its own.
    base = dataclasses.replace(NETWORK_PROFILES["mastodon"], options=(*NETWORK_PROFILES["mastodon"].options,
                                                                    FIRST_COMMENT), first_comment_step=True)
    limits: dict[str, Any] = settings.get("limits") or {}
    if not limits:
        return base
    text = dataclasses.replace(
        base.text, limit=limits.get("max_characters", base.text.limit),
        url_length=limits.get("characters_reserved_per_url", base.text.url_length))
    media = base.media
    changes: dict[str, Any] = {}
    if "max_media_attachments" in limits:
        changes["max_count"] = limits["max_media_attachments"]
    if "image_size_limit" in limits:
        changes["max_image_bytes"] = limits["image_size_limit"]
    if "image_matrix_limit" in limits:
        changes["max_image_pixels"] = limits["image_matrix_limit"]
    if "video_size_limit" in limits:
        # A GIF is turned into a video there, so it gets the video limit.
        changes["max_video_bytes"] = changes["max_gif_bytes"] = limits["video_size_limit"]
    types = limits.get("supported_mime_types")
    if types:
        changes["image_types"] = frozenset(t for t in types if t.startswith("image/"))
        changes["video_types"] = frozenset(t for t in types if t.startswith("video/"))
        kinds = set(media.kinds)
        if not changes["video_types"]:
            kinds.discard(MediaKind.VIDEO)
        if "image/gif" not in types:
            kinds.discard(MediaKind.GIF)
        changes["kinds"] = frozenset(kinds)
    if changes:
        media = dataclasses.replace(media, **changes)
    return dataclasses.replace(base, text=text, media=media,
                               polls=limits.get("poll_max_options", 4) >= 2,
                               poll_max_options=limits.get("poll_max_options", base.poll_max_options),
                               poll_option_length=limits.get("poll_max_characters_per_option",
                                                             base.poll_option_length))
