"""Expiring, rotating tokens, for testing what socialdesk does with networks whose tokens expire.

Off by default (a sandbox token never expires, like Mastodon's). `enable_expiry(handle, seconds)`
makes the account behave like an OAuth network with single-use refresh tokens (Bluesky, TikTok):
every access token lasts `seconds`; a refresh token works once and is replaced by a new one; using
an old refresh token fails (which is why refreshes must be serialised). The state lives in the
account's settings, so it is shared by every process.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from socialdesk.core import clock
from socialdesk.networks.base import AuthError
from socialdesk.networks.sandbox import store
from socialdesk.networks.sandbox.store import AccountRecord

TTL = "token_ttl_seconds"
EXPIRES = "token_expires_at"
REFRESH = "refresh_token"
REFRESHES = "token_refreshes"  # how many refreshes succeeded (tests count them)


def enable_expiry(handle: str, seconds: int) -> dict[str, Any]:
    """Turn on expiring tokens and issue a fresh pair; returns the credentials a channel should store."""
    record = _record(handle)
    settings = {**record.settings, TTL: int(seconds), REFRESH: secrets.token_urlsafe(24),
                EXPIRES: (clock.now() + timedelta(seconds=seconds)).isoformat(), REFRESHES: 0}
    access = secrets.token_urlsafe(24)
    store.update_account(handle, access_token=access, settings=settings)
    return credentials(_record(handle))


def credentials(record: AccountRecord) -> dict[str, Any]:
    found: dict[str, Any] = {"access_token": record.access_token}
    if record.settings.get(TTL):
        found["refresh_token"] = record.settings[REFRESH]
        found["expires_at"] = record.settings[EXPIRES]
    return found


def expires_at(creds: dict[str, Any]) -> datetime | None:
    value = creds.get("expires_at")
    return clock.utc(datetime.fromisoformat(value)) if value else None


def expired(record: AccountRecord, now: datetime) -> bool:
    value = record.settings.get(EXPIRES) if record.settings.get(TTL) else None
    return bool(value) and clock.utc(datetime.fromisoformat(value)) <= now


def refresh(handle: str, creds: dict[str, Any]) -> dict[str, Any]:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    new_access, new_refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)

    def rotate(settings: dict[str, Any]) -> dict[str, Any] | None:
        if not settings.get(TTL) or creds.get("refresh_token") != settings.get(REFRESH):
            return None
        return {**settings, REFRESH: new_refresh, REFRESHES: int(settings.get(REFRESHES, 0)) + 1,
                EXPIRES: (clock.now() + timedelta(seconds=int(settings[TTL]))).isoformat()}

    if not store.rotate_token(handle, rotate, new_access):
        raise AuthError("The refresh token is invalid or was already used. Reconnect the account.",
                        status_code=401, details={"reason": "refresh_token_reused"})
    return credentials(_record(handle))


def _record(handle: str) -> AccountRecord:
    record = store.find_account(handle)
    if record is None:
        raise ValueError(f"no sandbox account {handle!r}")
    return record
