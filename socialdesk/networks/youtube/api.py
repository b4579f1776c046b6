"""Talking to the YouTube Data API v3 and the YouTube Analytics API: one httpx client through the outbound
policy, every call charged to the Google project's daily quota before it is sent, every failure sorted
into the protocol's classes with Google's own message.

Why httpx rather than google-api-python-client: the SDK sends through httplib2, which the outbound policy
does not cover, and its resumable upload keeps the session URI to itself, while socialdesk must record
that URI before the first byte goes (docs/networks/youtube.md → SDK).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import httpx

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks import outbound
from socialdesk.networks.base import (
    AuthError,
    NetworkError,
    OutcomeUnknown,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.quota import PACIFIC, Ledger, QuotaExhausted, Usage

log = logging.getLogger("socialdesk.networks.youtube")

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
# Sending one upload chunk (8 MiB) on a slow line: 5 minutes is 220 kbit/s.
WRITE_TIMEOUT = 300.0
USER_AGENT = "socialdesk (+https://github.com/socialdesk/socialdesk)"

# Units per call, from https://developers.google.com/youtube/v3/determine_quota_cost (checked 2026-12-07).
# videos.insert is not here: it has a bucket of its own (100 calls a day, 1 per call), see UPLOAD_BUCKET.
COSTS: dict[str, int] = {
    "channels.list": 1,
    "playlistItems.list": 1,
    "videos.list": 1,
    "videos.delete": 50,
    "thumbnails.set": 50,
    "commentThreads.list": 1,
    "comments.list": 1,
    "comments.insert": 50,
    "comments.setModerationStatus": 50,
    "comments.delete": 50,
    "search.list": 100,
    # Resumable upload chunks and status queries belong to the videos.insert call that opened the session.
    "upload.chunk": 0,
}
UNITS = "units"
# Background reads (inbox polling, metrics) may use this share of the day's units; the rest is kept for what a
# person asked for (publishing, replies, moderation).
BACKGROUND_SHARE = 0.9
UPLOAD_BUCKET = "videos.insert"

LEDGER = Ledger("youtube", PACIFIC, label="YouTube Data API daily quota")


def limits() -> dict[str, int]:
    settings = get_settings()
    return {UNITS: settings.youtube_daily_quota, UPLOAD_BUCKET: settings.youtube_daily_uploads}


def quota_usage(project: str) -> list[Usage]:
    """Today's use of the project's quota (both buckets), for the channel page."""
    return LEDGER.usage(project, limits())


def data_url(path: str) -> str:
    return f"{get_settings().youtube_api_url.rstrip('/')}/youtube/v3/{path.lstrip('/')}"


def upload_url() -> str:
    return f"{get_settings().youtube_api_url.rstrip('/')}/upload/youtube/v3/videos"


def analytics_url() -> str:
    return f"{get_settings().youtube_analytics_url.rstrip('/')}/v2/reports"


def google_message(response: httpx.Response) -> tuple[str, str]:
    """(message, reason) from Google's error body: {"error": {"code", "message", "errors": [{"reason"}]}}."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()[:300]
        return text or f"HTTP {response.status_code} {response.reason_phrase}", ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        reasons = [e.get("reason", "") for e in error.get("errors") or [] if isinstance(e, dict)]
        return str(error.get("message") or f"HTTP {response.status_code}"), (reasons[0] if reasons else "")
    if isinstance(error, str):  # OAuth endpoints: {"error": "invalid_grant", "error_description": "..."}
        return str(body.get("error_description") or error), error
    return f"HTTP {response.status_code} {response.reason_phrase}", ""


RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "uploadRateLimitExceeded"}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
AUTH_REASONS = {"authError", "insufficientPermissions", "youtubeSignupRequired", "forbidden_token"}


def sort_response(response: httpx.Response, *, sends: bool = False) -> NetworkError:
    """The protocol's error for a Google error answer."""
    message, reason = google_message(response)
    status = response.status_code
    details = {"reason": reason} if reason else {}
    if status == 401 or reason in AUTH_REASONS:
        return AuthError(message, status_code=status, details=details)
    if reason in QUOTA_REASONS:
        reset = PACIFIC.resets_at()
        return QuotaExhausted(f"YouTube says the project's quota is used up: {message} It resets at midnight "
                              f"Pacific time ({reset:%Y-%m-%d %H:%M} UTC).", status_code=status,
                              retry_after=max(1.0, (reset - clock.now()).total_seconds()), details=details)
    if status == 429 or reason in RATE_REASONS:
        after = response.headers.get("Retry-After", "")
        return RateLimited(message, status_code=status, retry_after=float(after) if after.isdigit() else 60.0,
                           details=details)
    if status >= 500 or status == 408:
        return TransientNetworkError(message, status_code=status, details=details)
    if 200 <= status < 300 and sends:
        return OutcomeUnknown(message, status_code=status)
    return PermanentNetworkError(message, status_code=status, details=details)


def _never_sent(error: httpx.HTTPError) -> bool:
    return isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))


class YouTubeApi:
    """Calls for one access token, charged to `project` (the Google OAuth client the token was issued to);
    or, with `api_key` and no token, public reads with the operator's API key (search, public channels and
    videos), charged to the key's project (`key_project`)."""

    def __init__(self, access_token: str | None, project: str, *, client: httpx.Client | None = None,
                 api_key: str | None = None) -> None:
        self.access_token = access_token
        self.api_key = api_key
        self.project = project
        self.client = client or outbound.http_client(
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT, write=WRITE_TIMEOUT),
            headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self.client.close()

    def charge(self, name: str, *, background: bool = False) -> None:
        """Spend the call's units before it goes (a refused call still costs Google quota). Background reads
        (inbox polling, metrics) stop at BACKGROUND_SHARE of the day's units, so publishing, replies and
        moderation keep the rest."""
        if name == UPLOAD_BUCKET:
            settings = get_settings()
            LEDGER.charge(self.project, UPLOAD_BUCKET, 1, settings.youtube_daily_uploads, what="an upload")
            if settings.youtube_upload_units:
                LEDGER.charge(self.project, UNITS, settings.youtube_upload_units, settings.youtube_daily_quota,
                              what="an upload")
            return
        units = COSTS.get(name, 1)
        if units:
            quota = get_settings().youtube_daily_quota
            limit = int(quota * BACKGROUND_SHARE) if background else quota
            LEDGER.charge(self.project, UNITS, units, limit,
                          what=f"{name} (reading stops at {BACKGROUND_SHARE:.0%} of the units, keeping the rest "
                               "for publishing and replies)" if background else name)

    def send(self, name: str, method: str, url: str, *, params: dict[str, Any] | None = None,
             json: Any = None, content: bytes | None = None, headers: dict[str, str] | None = None,
             sends: bool = False, charge: bool = True, background: bool = False) -> httpx.Response:
        """One request. `sends`: it creates something, so a lost answer is an unknown outcome.
        Returns the response for 2xx and 308 (resumable uploads); raises the sorted error otherwise."""
        if charge:
            self.charge(name, background=background)
        all_headers = {**({"Authorization": f"Bearer {self.access_token}"} if self.access_token else {}),
                       **(headers or {})}
        if not self.access_token and self.api_key:
            params = {**(params or {}), "key": self.api_key}
        try:
            response = self.client.request(method, url, params=params, json=json, content=content,
                                           headers=all_headers)
        except outbound.OutboundRefused:
            raise
        except httpx.HTTPError as error:
            refused = outbound.refusal_in(error)
            if refused is not None:
                raise refused from error
            text = f"No answer from YouTube ({name}): {error}"
            if sends and not _never_sent(error):
                raise OutcomeUnknown(text) from error
            raise TransientNetworkError(text) from error
        if response.status_code < 300 or response.status_code == 308:
            return response
        raise sort_response(response, sends=sends)

    def get(self, name: str, path: str, *, background: bool = False, **params: Any) -> dict[str, Any]:
        response = self.send(name, "GET", data_url(path), params={k: v for k, v in params.items() if v is not None},
                             background=background)
        return _json(response)

    def post(self, name: str, path: str, body: Any = None, *, sends: bool = True, **params: Any) -> dict[str, Any]:
        response = self.send(name, "POST", data_url(path), params=params, json=body, sends=sends)
        return _json(response) if response.content else {}

    def delete(self, name: str, path: str, **params: Any) -> None:
        self.send(name, "DELETE", data_url(path), params=params)

    def analytics(self, **params: Any) -> dict[str, Any]:
        """YouTube Analytics API reports.query (its own quota, not the Data API's units)."""
        response = self.send("reports.query", "GET", analytics_url(), params=params, charge=False)
        return _json(response)


def key_project(api_key: str) -> str:
    """The quota ledger's name for the Google project behind an API key (never the key itself)."""
    return "key-" + hashlib.sha256(api_key.encode()).hexdigest()[:12]


def keyed(api_key: str) -> YouTubeApi:
    """Public reads with the operator's API key (no channel needed)."""
    return YouTubeApi(None, key_project(api_key), api_key=api_key)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as error:
        raise TransientNetworkError(f"YouTube answered with something that is not JSON: {error}") from error
    return body if isinstance(body, dict) else {}
