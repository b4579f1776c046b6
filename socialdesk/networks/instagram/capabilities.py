"""What the composer shows and checks for an Instagram channel: the Instagram profile of
networks/profiles.py, narrowed to what the Content Publishing API documents, and the per-post options
(post kind feed/reel/story, first comment, collaborators, how images outside 4:5–1.91:1 are fitted)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from socialdesk.networks.base import Capabilities, MediaRules, PublishOption, RateLimit
from socialdesk.networks.instagram import rules
from socialdesk.networks.profiles import NETWORK_PROFILES

DAY = 24 * 3600


def publish_options() -> tuple[PublishOption, ...]:
    return (
        PublishOption("kind", "Post as", kind="select", choices=rules.KINDS, default=rules.FEED,
                      help="feed: a photo, a video (published as a Reel) or a carousel of 2 to 10; reel: one "
                           "video; story: one image or video, gone after 24 hours (no caption)"),
        PublishOption("first_comment", "First comment", kind="textarea", max_length=rules.CAPTION_LIMIT,
                      help="Posted by the account right after the post, e.g. to keep hashtags out of the caption"),
        PublishOption("collaborators", "Collaborators", kind="text",
                      help="Up to 3 Instagram usernames invited as collaborators (not on Stories)"),
        PublishOption("fit", "Images outside 4:5 to 1.91:1", kind="select", choices=("pad", "crop"),
                      help="pad: white bars, nothing lost; crop: fill the frame from the centre. Default: the "
                           "channel's setting (pad)"),
        PublishOption("share_to_feed", "Show the Reel in the feed too", kind="bool", default=True),
    )


def capabilities(settings: dict[str, Any]) -> Capabilities:
    base = NETWORK_PROFILES["instagram"]
    media = replace(base.media, max_count=rules.CAROUSEL_MAX, required=True,
                    max_image_bytes=rules.IMAGE_MAX_BYTES,
                    # PNG and WebP are converted to JPEG before Instagram fetches them (media.py).
                    image_types=frozenset({"image/jpeg", "image/png", "image/webp"}))
    assert isinstance(media, MediaRules)
    limit = settings.get("publishing_limit") or {}
    total = limit.get("quota_total") if isinstance(limit, dict) else None
    caps = replace(base, media=media, text=replace(base.text, limit=rules.CAPTION_LIMIT),
                   rate_limit=RateLimit(posts=int(total) if isinstance(total, int) and total > 0 else 50,
                                        per_seconds=DAY),
                   like_comments=False, block_authors=False,
                   # Instagram Direct goes through the linked Page (its id comes with sign-in, or the
                   # `page_id` connect field) and needs instagram_manage_messages (docs/networks/instagram.md).
                   direct_messages=bool(settings.get("page_id")), messaging_window_hours=24)
    return replace(caps, options=publish_options())
