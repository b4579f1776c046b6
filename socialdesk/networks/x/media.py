"""Uploading a post's media with the v2 media endpoints.

- An image: one `POST /2/media/upload` (multipart: `media`, `media_category=tweet_image`, `media_type`),
  https://docs.x.com/x-api/media/upload-media
- A GIF or a video: chunked, `POST /2/media/upload/initialize` (JSON: media_type, total_bytes,
  media_category tweet_gif / tweet_video) https://docs.x.com/x-api/media/initialize-media-upload, then
  `POST /2/media/upload/{id}/append` per chunk (multipart: `media`, `segment_index`)
  https://docs.x.com/x-api/media/append-media-upload, then `POST /2/media/upload/{id}/finalize`
  https://docs.x.com/x-api/media/media-upload-finalize; when the answer carries `processing_info`,
  `GET /2/media/upload?command=STATUS&media_id=…` until `succeeded`, waiting `check_after_secs` between
  looks https://docs.x.com/x-api/media/get-media-upload-status.
- Alt text: `POST /2/media/metadata` with `{"id", "metadata": {"alt_text": {"text"}}}` (≤ 1,000
  characters) https://docs.x.com/x-api/media/create-media-metadata.

Uploading makes nothing anyone sees (an unused media id expires), so a failed upload is safe to repeat.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from socialdesk.networks.base import MediaKind, OutgoingMedia, PermanentNetworkError, TransientNetworkError
from socialdesk.networks.x.api import UPLOAD_TIMEOUT, XApi

CHUNK_BYTES = 4 * 1024 * 1024  # appends are at most 5 MB each
ALT_TEXT_LIMIT = 1000
# How long a publish waits for X to process a video before giving up (nothing has been posted then).
PROCESSING_WAIT_SECONDS = 90.0
CATEGORY = {MediaKind.IMAGE: "tweet_image", MediaKind.GIF: "tweet_gif", MediaKind.VIDEO: "tweet_video"}

# Tests replace it to skip the waits X asks for.
sleep: Callable[[float], None] = time.sleep


def upload(api: XApi, media: OutgoingMedia) -> str:
    """Upload one file; returns the media id to attach."""
    if media.kind is MediaKind.IMAGE and media.content_type != "image/gif":
        media_id = _simple(api, media)
    else:
        media_id = _chunked(api, media)
    if media.alt_text.strip() and media.kind in (MediaKind.IMAGE, MediaKind.GIF):
        api.call("POST", "/2/media/metadata",
                 json={"id": media_id, "metadata": {"alt_text": {"text": media.alt_text.strip()[:ALT_TEXT_LIMIT]}}})
    return media_id


def _id_of(body: object) -> str:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not data.get("id"):
        raise PermanentNetworkError("X's media upload answered without a media id.")
    return str(data["id"])


def _simple(api: XApi, media: OutgoingMedia) -> str:
    content = media.path.read_bytes()
    body = api.call("POST", "/2/media/upload", timeout=UPLOAD_TIMEOUT,
                    data={"media_category": "tweet_image", "media_type": media.content_type},
                    files={"media": (media.path.name, content, media.content_type)})
    return _id_of(body)


def _chunked(api: XApi, media: OutgoingMedia) -> str:
    kind = MediaKind.GIF if media.content_type == "image/gif" else media.kind
    size = media.path.stat().st_size
    media_id = _id_of(api.call("POST", "/2/media/upload/initialize", json={
        "media_type": media.content_type, "total_bytes": size, "media_category": CATEGORY[kind]}))
    with media.path.open("rb") as handle:
        index = 0
        while chunk := handle.read(CHUNK_BYTES):
            api.call("POST", f"/2/media/upload/{media_id}/append", timeout=UPLOAD_TIMEOUT,
                     data={"segment_index": str(index)},
                     files={"media": (media.path.name, chunk, "application/octet-stream")})
            index += 1
    finished = api.call("POST", f"/2/media/upload/{media_id}/finalize")
    _wait_until_processed(api, media_id, (finished or {}).get("data") or {})
    return media_id


def _wait_until_processed(api: XApi, media_id: str, data: dict) -> None:
    waited = 0.0
    while True:
        info = data.get("processing_info") or {}
        state = info.get("state")
        if not info or state == "succeeded":
            return
        if state == "failed":
            error = info.get("error") or {}
            words = error.get("message") or error.get("name") or "failed"
            raise PermanentNetworkError(f"X could not process the media: {words}")
        pause = max(0.0, float(info.get("check_after_secs") or 1))
        if waited + pause > PROCESSING_WAIT_SECONDS:
            raise TransientNetworkError(f"X is still processing the media after {waited:.0f} s; trying again later.",
                                        retry_after=60)
        sleep(pause)
        waited += pause
        status = api.call("GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id})
        data = (status or {}).get("data") or {}
