"""Refuse what the imitated network would refuse, in the words a network uses."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np

from socialdesk.networks.base import Capabilities, MediaKind, OutgoingPost, PermanentNetworkError
from socialdesk.text.counting import count


def _refuse(message: str, field: str, status: int = 400) -> PermanentNetworkError:
    return PermanentNetworkError(message, status_code=status, details={"field": field})


def check_text(text: str, caps: Capabilities, *, has_media: bool, what: str = "text") -> None:
    measured = count(text, caps.text, has_media=has_media)
    if measured.over_by:
        raise _refuse(f"The {what} is too long: {measured.length} characters, the maximum is {measured.limit}.",
                      "text", 422)
    if measured.bytes_over_by:
        raise _refuse(f"The {what} is too large: {measured.bytes} bytes, the maximum is {measured.byte_limit}.",
                      "text", 422)


def check_post(post: OutgoingPost, caps: Capabilities) -> None:
    """Raise PermanentNetworkError for the first rule `post` breaks."""
    media = list(post.media)
    if not post.text.strip() and not media:
        raise _refuse("A post needs text or at least one attachment.", "text")
    if caps.text.required and not post.text.strip():
        raise _refuse("Text is required on this network.", "text")
    if caps.media.required and not media:
        raise _refuse("This network requires an image or a video.", "media")
    check_text(post.text, caps, has_media=bool(media))
    if not media:
        return
    rules = caps.media
    if not rules.kinds:
        raise _refuse("This network does not accept attachments.", "media")
    if len(media) > rules.max_count:
        raise _refuse(f"Too many attachments: {len(media)}, the maximum is {rules.max_count}.", "media")
    if rules.video_alone and len(media) > 1 and any(m.kind != MediaKind.IMAGE for m in media):
        raise _refuse("A video or GIF must be the only attachment.", "media")
    for item in media:
        if item.kind not in rules.kinds:
            raise _refuse(f"Attachments of type {item.kind.value} are not supported.", "media")
        types = rules.video_types if item.kind == MediaKind.VIDEO else rules.image_types
        if item.content_type not in types:
            raise _refuse(f"Unsupported media type {item.content_type}; accepted: {', '.join(sorted(types))}.",
                          "media", 415)
        limit = {MediaKind.IMAGE: rules.max_image_bytes, MediaKind.GIF: rules.max_gif_bytes or rules.max_image_bytes,
                 MediaKind.VIDEO: rules.max_video_bytes}[item.kind]
        if limit is not None and item.size_bytes > limit:
            raise _refuse(f"The file {item.path.name} is too large: {item.size_bytes} bytes, "
                          f"the maximum is {limit}.", "media", 413)
        if (item.kind == MediaKind.VIDEO and rules.max_video_seconds is not None
                and item.duration_seconds is not None and item.duration_seconds > rules.max_video_seconds):
            raise _refuse(f"The video is too long: {item.duration_seconds:g} s, "
                          f"the maximum is {rules.max_video_seconds:g} s.", "media")


def check_features(post: OutgoingPost, caps: Capabilities) -> dict[str, Any]:
    """Refuse a poll, content warning or visibility the imitated network does not have; what to keep of them."""
    extra: dict[str, Any] = {}
    if post.poll is not None:
        options = [str(o) for o in post.poll.options]
        if not caps.polls:
            raise _refuse("Polls are not supported on this network.", "poll")
        if post.media:
            raise _refuse("A poll cannot be posted together with media.", "poll", 422)
        if not 2 <= len(options) <= caps.poll_max_options:
            raise _refuse(f"A poll has 2 to {caps.poll_max_options} options.", "poll", 422)
        if any(len(o) > caps.poll_option_length for o in options):
            raise _refuse(f"A poll option has at most {caps.poll_option_length} characters.", "poll", 422)
        if not 300 <= post.poll.expires_in_seconds <= 30 * 24 * 3600:
            raise _refuse("A poll runs from 5 minutes to 30 days.", "poll", 422)
        extra["poll"] = {"options": options, "multiple": bool(post.poll.multiple)}
    if post.content_warning:
        if not caps.content_warnings:
            raise _refuse("Content warnings are not supported on this network.", "content_warning")
        extra["content_warning"] = post.content_warning
    if post.visibility:
        if post.visibility not in caps.visibilities:
            raise _refuse(f"Unknown visibility {post.visibility!r}; this network has "
                          f"{', '.join(caps.visibilities) or 'none'}.", "visibility", 422)
        extra["visibility"] = post.visibility
    if post.comment:
        extra["comment"] = True
    return extra


# Of the people who saw a poll, this share votes (polls draw more answers than likes do).
POLL_TURNOUT = 0.12


def poll_closes(poll: Mapping[str, Any]) -> float | None:
    expires = poll.get("expires_at")
    return datetime.fromisoformat(expires).timestamp() if expires else None


def poll_votes(seed: int, seq: int, poll: Mapping[str, Any], counts: Mapping[str, int]) -> list[int]:
    """Votes per option: a share of the people who saw the post (`counts` taken when the poll closed, or now
    while it runs), split by preferences drawn from the world seed and the post (the same every time)."""
    seen = counts.get("reach") or counts.get("views") or counts.get("impressions") or 5 * counts.get("likes", 0)
    options = list(poll.get("options") or [])
    digest = hashlib.sha256(f"poll:{seed}:{seq}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
    weights = rng.dirichlet(np.full(len(options), 1.5))
    voters = round(seen * POLL_TURNOUT)
    # Largest remainder: the counts add up to the voters exactly.
    raw = weights * voters
    votes = np.floor(raw).astype(int)
    for index in np.argsort(-(raw - votes))[: voters - int(votes.sum())]:
        votes[index] += 1
    return [int(v) for v in votes]
