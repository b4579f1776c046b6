"""Refuse what the imitated network would refuse, in the words a network uses."""

from __future__ import annotations

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
