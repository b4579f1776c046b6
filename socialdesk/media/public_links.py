"""Signed, expiring public addresses for media files, for networks that fetch a post's media themselves.

Instagram and Threads do not take uploads: they are given an image or video URL and download it while a
media container is being made. socialdesk serves the file at `SOCIALDESK_PUBLIC_URL/public-media/<token>/
<name>`, where the token is the file's place and an expiry time, encrypted with the secret key: nobody can
guess or alter it, and it stops working after `lifetime` (by default an hour, long enough for a container).
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from pathlib import Path

from socialdesk.core.config import get_settings
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.errors import ConfigurationError, NotFound, ValidationFailed

LIFETIME = timedelta(hours=1)


def public_url(path: Path, *, lifetime: timedelta = LIFETIME) -> str:
    """Where a network can GET the file at `path` (under the media folder) until `lifetime` has passed."""
    settings = get_settings()
    if not settings.public_url:
        raise ValidationFailed("This network fetches media from a public address, and SOCIALDESK_PUBLIC_URL is "
                               "not set: set it to the https:// address this server is reached at "
                               "(docs/operations.md).")
    key = _key_of(path)
    token = encrypt_json({"k": key, "e": int(time.time() + lifetime.total_seconds())})
    return f"{settings.public_url.rstrip('/')}/public-media/{token}/{Path(key).name}"


def resolve(token: str) -> Path:
    """The file a token names, or NotFound when it is forged, expired or gone (the same answer for all)."""
    gone = NotFound("This media link has expired or does not exist.")
    try:
        found = decrypt_json(token)
    except (ConfigurationError, ValueError):
        raise gone from None
    if not isinstance(found, dict) or found.get("e", 0) < time.time():
        raise gone
    path = get_settings().media_dir / str(found.get("k", ""))
    if not path.is_file():
        raise gone
    return path


def derived_path(source: Path, suffix: str) -> Path:
    """Where a converted copy of `source` goes (e.g. a PNG made a JPEG for Instagram): under the media
    folder's `derived/`, named after the source's place and the conversion, so it is made once."""
    key = _key_of(source)
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    target = get_settings().media_dir / "derived" / f"{digest}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _key_of(path: Path) -> str:
    root = get_settings().media_dir.resolve()
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        raise ValidationFailed(f"{path.name} is not in the media library, so it cannot be given a public "
                               "address.") from None
