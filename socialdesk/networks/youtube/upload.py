"""Resumable video upload (https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol).

1. `POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status` with the video resource opens
   a session; its address comes back in `Location`.
2. That address is written to disk (under the media directory, which every worker shares because they
   read the media from there) *before* any byte of the video goes: an upload session can only ever make
   one video, so whoever finds the record later resumes it or finds its video, and never opens a second.
3. The bytes go in chunks (`PUT` with `Content-Range: bytes a-b/total`); YouTube answers 308 with the
   `Range` it holds until the last chunk, which is answered with the video resource (200/201).
4. After a dropped connection or a 5xx, `PUT` with `Content-Range: bytes */total` and no body asks what
   arrived: 308 + `Range` (resume from there), 200/201 (it is complete: the video), 404/410 (the session
   expired: nothing was made, start again).

A video exists only once its last byte has arrived, so a failure before the final chunk is safely
retried (TransientNetworkError); a lost answer to the final chunk is asked after at once, and only if
that also fails is the outcome unknown.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks.base import (
    NetworkError,
    OutcomeUnknown,
    OutgoingMedia,
    PermanentNetworkError,
    TransientNetworkError,
)
from socialdesk.networks.youtube.api import UPLOAD_BUCKET, YouTubeApi, upload_url

log = logging.getLogger("socialdesk.networks.youtube.upload")

# Chunks must be multiples of 256 KiB (the protocol page); 8 MiB keeps the requests few and the resume cheap.
CHUNK_UNIT = 256 * 1024
DEFAULT_CHUNK = 32 * CHUNK_UNIT
# Resumes within one try before it is given back to the publisher to retry later.
MAX_RESUMES = 5
# Google keeps an unfinished session for about a week; older records are of no use.
SESSION_LIFETIME_SECONDS = 7 * 24 * 3600

Progress = Callable[[int, int], None]


class UploadSessions:
    """The session records, one small JSON file per publication, written atomically."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or get_settings().media_dir / "youtube-uploads"

    def _path(self, key: str) -> Path:
        return self.root / f"{hashlib.sha256(key.encode()).hexdigest()[:40]}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            record = json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None
        if time.time() - float(record.get("created", 0)) > SESSION_LIFETIME_SECONDS:
            return None
        return record if isinstance(record, dict) else None

    def put(self, key: str, record: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        target = self._path(key)
        temporary = target.with_suffix(".tmp")
        with open(temporary, "w") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)

    def update(self, key: str, **changes: Any) -> None:
        record = self.get(key)
        if record is not None:
            self.put(key, {**record, **changes})

    def drop(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def sweep(self) -> None:
        """Forget sessions Google no longer keeps."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("*.json"):
            try:
                if time.time() - path.stat().st_mtime > SESSION_LIFETIME_SECONDS:
                    path.unlink(missing_ok=True)
            except OSError:
                pass


def upload_progress(key: str) -> dict[str, Any] | None:
    """How far a publication's upload has got ({"sent", "size", "video_id"}), for a page that shows it."""
    record = UploadSessions().get(key)
    if record is None:
        return None
    return {"sent": record.get("sent", 0), "size": record.get("size"), "video_id": record.get("video_id")}


_RANGE = re.compile(r"bytes=0-(\d+)")


def _held(range_header: str | None) -> int:
    """How many bytes the server holds, from a 308's `Range: bytes=0-N` (none: nothing yet)."""
    found = _RANGE.fullmatch((range_header or "").strip())
    return int(found.group(1)) + 1 if found else 0


def _video(response: Any, error: type[NetworkError]) -> dict[str, Any]:
    """The video resource a finished upload answers with; a garbled answer raises `error`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise error(f"YouTube finished the upload but its answer could not be read (HTTP {response.status_code}).")
    return body


class Uploader:
    def __init__(self, api: YouTubeApi, *, sessions: UploadSessions | None = None, chunk_size: int = DEFAULT_CHUNK,
                 progress: Progress | None = None) -> None:
        if chunk_size % CHUNK_UNIT:
            raise ValueError("a chunk must be a multiple of 256 KiB")
        self.api = api
        self.sessions = sessions or UploadSessions()
        self.chunk_size = chunk_size
        self.progress = progress

    # The session ------------------------------------------------------------------------------------------

    def open_session(self, key: str, media: OutgoingMedia, video: dict[str, Any], *, notify: bool) -> str:
        params = {"uploadType": "resumable", "part": ",".join(p for p in ("snippet", "status") if p in video)}
        if not notify:
            params["notifySubscribers"] = "false"
        # Opening a session creates no video: a lost answer costs one unused session, safe to repeat.
        response = self.api.send(UPLOAD_BUCKET, "POST", upload_url(), params=params, json=video, headers={
            "X-Upload-Content-Length": str(media.size_bytes), "X-Upload-Content-Type": media.content_type})
        location = response.headers.get("Location")
        if not location:
            raise TransientNetworkError("YouTube opened no upload session (no Location in its answer).")
        self.sessions.put(key, {"uri": location, "path": str(media.path), "size": media.size_bytes, "sent": 0,
                                "created": time.time(), "opened_at": clock.now().isoformat()})
        self.sessions.sweep()
        log.info("YouTube upload session opened for %s (%d bytes)", media.path.name, media.size_bytes)
        return location

    def status(self, uri: str, size: int) -> dict[str, Any] | int | None:
        """The video (complete), the bytes held (incomplete), or None (the session is gone)."""
        try:
            response = self.api.send("upload.chunk", "PUT", uri, content=b"",
                                     headers={"Content-Range": f"bytes */{size}"}, charge=False)
        except PermanentNetworkError as error:
            if error.status_code in (404, 410):
                return None
            raise
        if response.status_code == 308:
            return _held(response.headers.get("Range"))
        return _video(response, TransientNetworkError)

    # The bytes ---------------------------------------------------------------------------------------------

    def upload(self, key: str, media: OutgoingMedia, video: dict[str, Any], *, notify: bool = True) -> dict[str, Any]:
        """Upload `media` as `video`, resuming the session recorded under `key` if there is one."""
        record = self.sessions.get(key)
        offset = 0
        uri = None
        if record is not None and record.get("size") == media.size_bytes:
            state = self.status(record["uri"], media.size_bytes)
            if isinstance(state, dict):
                return self._done(key, state)
            if state is None:
                self.sessions.drop(key)
            else:
                uri, offset = record["uri"], state
                log.info("resuming the YouTube upload of %s at byte %d of %d", media.path.name, offset,
                         media.size_bytes)
        if uri is None:
            uri = self.open_session(key, media, video, notify=notify)
        return self.send_from(key, uri, media, offset)

    def resume_only(self, key: str, media: OutgoingMedia) -> dict[str, Any] | None:
        """Finish the upload an earlier try recorded, if any; None when there is no live session.
        (Safe for a look-up: a session makes at most one video.)"""
        record = self.sessions.get(key)
        if record is None or record.get("size") != media.size_bytes:
            return None
        state = self.status(record["uri"], media.size_bytes)
        if isinstance(state, dict):
            return self._done(key, state)
        if state is None:
            self.sessions.drop(key)
            return None
        log.info("an earlier try's YouTube upload of %s stopped at byte %d of %d: resuming it", media.path.name,
                 state, media.size_bytes)
        return self.send_from(key, record["uri"], media, state)

    def send_from(self, key: str, uri: str, media: OutgoingMedia, offset: int) -> dict[str, Any]:
        size = media.size_bytes
        resumes = 0
        with open(media.path, "rb") as handle:
            while True:
                handle.seek(offset)
                chunk = handle.read(self.chunk_size)
                end = offset + len(chunk) - 1
                final = end >= size - 1
                try:
                    response = self.api.send("upload.chunk", "PUT", uri, content=chunk, sends=final, charge=False,
                                             headers={"Content-Range": f"bytes {offset}-{end}/{size}",
                                                      "Content-Type": media.content_type})
                except (TransientNetworkError, OutcomeUnknown) as error:
                    resumes += 1
                    offset = self._after_failure(key, uri, media, error, final=final, resumes=resumes)
                    if offset < 0:  # the status query found the video complete
                        record = self.sessions.get(key) or {}
                        return dict(record.get("video") or {})
                    continue
                if response.status_code == 308:
                    offset = _held(response.headers.get("Range"))
                    self._report(key, media, offset)
                    continue
                return self._done(key, _video(response, OutcomeUnknown))

    def _after_failure(self, key: str, uri: str, media: OutgoingMedia, error: NetworkError, *, final: bool,
                       resumes: int) -> int:
        """Where to go on after a chunk failed: the offset YouTube holds, or -1 when the video is complete."""
        if resumes > MAX_RESUMES:
            raise (OutcomeUnknown if final else TransientNetworkError)(
                f"The upload of {media.path.name} keeps failing ({error.network_message}); it resumes on the next "
                "try.")
        log.warning("YouTube upload of %s interrupted (%s); asking what arrived", media.path.name,
                    error.network_message)
        time.sleep(min(2 ** (resumes - 1), 8) * 0.1)
        try:
            state = self.status(uri, media.size_bytes)
        except NetworkError as again:
            if final:
                raise OutcomeUnknown(f"The last part of {media.path.name} went out and YouTube's answer was lost "
                                     f"({error.network_message}; asking again: {again.network_message}).") from again
            raise TransientNetworkError(f"The upload of {media.path.name} was interrupted "
                                        f"({error.network_message}); it resumes on the next try.") from again
        if state is None:
            self.sessions.drop(key)
            raise TransientNetworkError(f"YouTube's upload session for {media.path.name} expired; the next try "
                                        "starts the upload again.")
        if isinstance(state, dict):
            self._done(key, state)
            return -1
        log.info("YouTube holds %d of %d bytes of %s: resuming", state, media.size_bytes, media.path.name)
        return state

    def _report(self, key: str, media: OutgoingMedia, sent: int) -> None:
        size = max(1, media.size_bytes)
        log.info("YouTube upload of %s: %d%% (%d of %d bytes)", media.path.name, sent * 100 // size, sent,
                 media.size_bytes)
        self.sessions.update(key, sent=sent)
        if self.progress is not None:
            self.progress(sent, media.size_bytes)

    def _done(self, key: str, video: dict[str, Any]) -> dict[str, Any]:
        if not video.get("id"):
            raise OutcomeUnknown("YouTube finished the upload but its answer names no video.")
        # Kept (not dropped): a try that dies before recording the result finds the video here.
        record = self.sessions.get(key)
        if record is not None:
            self.sessions.put(key, {**record, "video_id": video["id"], "video": video, "sent": record.get("size")})
        log.info("YouTube upload complete: video %s", video["id"])
        return video
