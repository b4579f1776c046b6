"""What Instagram refuses, said before anything is sent.

Sources (Meta's reference pages, read 2026-12):
- caption: "Maximum 2200 characters, 30 hashtags, and 20 @ tags" — IG User Media, `caption` parameter,
  https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
- carousel: up to 10 images, videos or a mix; the children are containers made with `is_carousel_item`
  (same page, "Carousel posts"; the Content Publishing guide), at least 2 (a carousel of one is refused).
- images: JPEG only; aspect ratio from 4:5 to 1.91:1; at most 8 MB (IG User Media, "Image specifications").
- `alt_text`: image containers only (not Reels, not Stories), since 2025-03-24 (same page).
- `collaborators`: up to 3 usernames, on feed images, Reels and carousels, not Stories (same page,
  and the Collaboration guide).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from socialdesk.networks.base import MediaKind, OutgoingMedia, PermanentNetworkError
from socialdesk.text import entities
from socialdesk.text.counting import graphemes

CAPTION_LIMIT = 2_200
HASHTAG_LIMIT = 30
MENTION_LIMIT = 20
CAROUSEL_MIN = 2
CAROUSEL_MAX = 10
COLLABORATOR_LIMIT = 3
IMAGE_MAX_BYTES = 8 * 1024 * 1024  # "8 MB"; read as MiB here, the conversion aims well below either reading
MIN_RATIO = 4 / 5  # width / height
MAX_RATIO = 1.91

FEED, REEL, STORY = "feed", "reel", "story"
KINDS = (FEED, REEL, STORY)

# Hashtags and mentions are found as the composer finds them (text/entities.py); Instagram's own
# tokenisation is not published.
_USERNAME = re.compile(r"^@?([A-Za-z0-9._]{1,30})$")


def hashtags(caption: str) -> list[str]:
    return [span.value for span in entities.hashtags(caption)]


def mentions(caption: str) -> list[str]:
    return [span.value for span in entities.mentions(caption)]


def caption_problems(caption: str) -> list[str]:
    """Every rule the caption breaks, in words a person can act on ([] when it is fine)."""
    problems = []
    length = graphemes(caption)
    if length > CAPTION_LIMIT:
        problems.append(f"The caption has {length:,} characters; Instagram allows {CAPTION_LIMIT:,}.")
    tags = hashtags(caption)
    if len(tags) > HASHTAG_LIMIT:
        problems.append(f"The caption has {len(tags)} hashtags; Instagram allows {HASHTAG_LIMIT}.")
    named = mentions(caption)
    if len(named) > MENTION_LIMIT:
        problems.append(f"The caption mentions {len(named)} accounts (@); Instagram allows {MENTION_LIMIT}.")
    return problems


def publish_kind(options: Mapping[str, Any]) -> str:
    kind = str(options.get("kind") or FEED).strip().lower()
    if kind not in KINDS:
        raise PermanentNetworkError(f"Unknown Instagram post kind {kind!r}; choose feed, reel or story.")
    return kind


def collaborators(options: Mapping[str, Any]) -> list[str]:
    """The `collaborators` option: usernames separated by commas or spaces, with or without @."""
    raw = options.get("collaborators") or ""
    parts = raw if isinstance(raw, list | tuple) else re.split(r"[,\s]+", str(raw))
    names = []
    for part in parts:
        part = str(part).strip()
        if not part:
            continue
        found = _USERNAME.match(part)
        if not found:
            raise PermanentNetworkError(f"{part!r} is not an Instagram username (collaborators).")
        names.append(found.group(1))
    if len(names) > COLLABORATOR_LIMIT:
        raise PermanentNetworkError(f"Instagram takes at most {COLLABORATOR_LIMIT} collaborators; "
                                    f"{len(names)} were given.")
    return names


def check_post(text: str, media: Sequence[OutgoingMedia], options: Mapping[str, Any]) -> str:
    """Refuse what Instagram would refuse; returns the post kind (feed, reel or story)."""
    kind = publish_kind(options)
    problems = caption_problems(text) if kind != STORY else []
    if not media:
        problems.append("Instagram posts need at least one image or video; text alone cannot be published.")
    elif kind == REEL:
        if len(media) != 1 or media[0].kind != MediaKind.VIDEO:
            problems.append("A Reel is exactly one video.")
    elif kind == STORY:
        if len(media) != 1:
            problems.append("A Story is one image or one video; publish several as several Stories.")
    elif len(media) > CAROUSEL_MAX:
        problems.append(f"An Instagram carousel has {CAROUSEL_MIN} to {CAROUSEL_MAX} items; this post has "
                        f"{len(media)}.")
    for item in media:
        if item.kind not in (MediaKind.IMAGE, MediaKind.VIDEO):
            problems.append(f"{item.path.name}: Instagram takes images and videos (a GIF is not published as "
                            "one; convert it to a video).")
    if kind == STORY and collaborators(options):
        problems.append("Stories cannot have collaborators.")
    collaborators(options)  # refuses malformed names and more than three
    if problems:
        raise PermanentNetworkError(" ".join(problems))
    return kind
