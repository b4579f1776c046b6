"""One call to the VK API (version 5.199), with VK's errors sorted into the protocol's classes.

VK answers every method at `<base>/method/<name>` with HTTP 200 and either `{"response": …}` or
`{"error": {"error_code", "error_msg", "request_params"}}` (https://dev.vk.com/reference/errors).
Parameters go as a form (POST), the token and version among them. Plain httpx through the outbound
policy: the `vk_api` package would bring requests and its own retries on error 6 and captcha prompts,
which socialdesk must not do blindly (see docs/networks/vk.md).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from typing import Any

import httpx

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

VERSION = "5.199"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
UPLOAD_TIMEOUT = httpx.Timeout(300.0, connect=10.0)
USER_AGENT = "socialdesk"

# https://dev.vk.com/reference/errors
AUTH_FAILED = 5
TOO_MANY_PER_SECOND = 6
PERMISSION_DENIED = 7
FLOOD_CONTROL = 9
INTERNAL = 10
CAPTCHA = 14
ACCESS_DENIED = 15
GROUP_AUTH = 27
APP_AUTH = 28
RATE_LIMIT_REACHED = 29
ACCESS_TO_POST_DENIED = 214
_TRANSIENT = {1, 10, 13}  # unknown error, internal server error, execute's runtime error
_PERMISSION = {PERMISSION_DENIED, ACCESS_DENIED, ACCESS_TO_POST_DENIED, 203, 219, 220, 222, 224, 260, 901, 902}
# How long to wait on VK's own "slow down" answers, which carry no Retry-After.
PER_SECOND_WAIT = 1.0
FLOOD_WAIT = 15 * 60.0  # flood control: too many identical actions; VK does not say for how long
DAILY_LIMIT_WAIT = 60 * 60.0


# VK's request limits per token: 3 a second for user tokens, 20 for community tokens
# (https://dev.vk.com/api/api-requests). Kept per process, so one worker's burst does not meet error 6.
USER_PER_SECOND = 3
COMMUNITY_PER_SECOND = 20
_recent: dict[str, deque[float]] = {}
_recent_lock = threading.Lock()


def _wait_turn(token: str, per_second: int) -> None:
    while True:
        with _recent_lock:
            calls = _recent.setdefault(hashlib.sha256(token.encode()).hexdigest(), deque())
            now = time.monotonic()
            while calls and now - calls[0] >= 1.0:
                calls.popleft()
            if len(calls) < per_second:
                calls.append(now)
                return
            wait = 1.0 - (now - calls[0])
        time.sleep(max(wait, 0.01))


def api_base() -> str:
    return get_settings().vk_api_url.rstrip("/")


def error_for(error: dict[str, Any], method: str) -> NetworkError:
    """The protocol's error for VK's `error` object, keeping VK's own message."""
    code = int(error.get("error_code") or 0)
    message = str(error.get("error_msg") or f"VK error {code}")
    details = {"vk_error_code": code, "method": method}
    if code in (AUTH_FAILED, APP_AUTH):
        return AuthError(f"{message} (VK error {code}: the token is invalid, expired or revoked; "
                         "reconnect the channel)", details=details)
    if code == GROUP_AUTH:
        return AuthError(f"{message} (VK error 27: {method} needs the user token of a community administrator, "
                         "not a community token; reconnect the channel with a user token)", details=details)
    if code == TOO_MANY_PER_SECOND:
        return RateLimited(message, retry_after=PER_SECOND_WAIT, details=details)
    if code == FLOOD_CONTROL:
        return RateLimited(f"{message} (VK error 9: too many identical actions; socialdesk waits before "
                           "trying again)", retry_after=FLOOD_WAIT, details=details)
    if code == RATE_LIMIT_REACHED:
        return RateLimited(message, retry_after=DAILY_LIMIT_WAIT, details=details)
    if code == CAPTCHA:
        details |= {"captcha_sid": error.get("captcha_sid"), "captcha_img": error.get("captcha_img"),
                    "redirect_uri": error.get("redirect_uri")}
        return PermanentNetworkError(
            f"{message} (VK error 14: VK wants a person to solve a captcha before it accepts more of this. "
            "socialdesk does not retry it: open VK in a browser as the community's administrator, do one such "
            "action by hand (VK shows the captcha there), wait a while, then publish again.)", details=details)
    if code in _TRANSIENT:
        return TransientNetworkError(message, details=details)
    if code in _PERMISSION:
        return PermanentNetworkError(f"{message} (VK error {code}: the token lacks the right, or the community "
                                     "does not allow this)", details=details)
    return PermanentNetworkError(f"{message} (VK error {code})", details=details)


class VkApi:
    """Calls with one access token. `close()` when done (or use as a context manager)."""

    def __init__(self, access_token: str, *, base_url: str | None = None, per_second: int | None = None) -> None:
        self.access_token = access_token
        self.per_second = per_second or USER_PER_SECOND
        self.base_url = (base_url or api_base()).rstrip("/")
        self.client = outbound.http_client(timeout=TIMEOUT, headers={"User-Agent": USER_AGENT})

    def __enter__(self) -> VkApi:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, creates: bool = False, **params: Any) -> Any:
        """Call `method` and return its `response`. `creates`: the call makes something (a post, a
        message); if it went out and no answer came back, that is OutcomeUnknown, never a plain retry."""
        form = {k: _form_value(v) for k, v in params.items() if v is not None}
        form |= {"access_token": self.access_token, "v": VERSION}
        _wait_turn(self.access_token, self.per_second)
        body = self._send("POST", f"{self.base_url}/method/{method}", method, creates, data=form)
        if not isinstance(body, dict):
            raise PermanentNetworkError(f"VK answered {method} with something that is not JSON object")
        if "error" in body:
            raise error_for(body["error"] if isinstance(body["error"], dict) else {}, method)
        if "response" not in body:
            raise PermanentNetworkError(f"VK answered {method} without a response")
        return body["response"]

    def upload(self, upload_url: str, field: str, filename: str, content: bytes, content_type: str) -> Any:
        """POST a file as multipart/form-data to an upload address a method returned."""
        body = self._send("POST", upload_url, "upload", False, timeout=UPLOAD_TIMEOUT,
                          files={field: (filename, content, content_type)})
        if isinstance(body, dict) and body.get("error"):
            error = body["error"]
            if isinstance(error, dict):
                raise error_for(error, "upload")
            raise PermanentNetworkError(f"VK's upload server refused the file: {error}")
        return body

    def _send(self, http_method: str, url: str, method: str, creates: bool, *,
              timeout: httpx.Timeout = TIMEOUT, **kwargs: Any) -> Any:
        try:
            response = self.client.request(http_method, url, timeout=timeout, **kwargs)
        except outbound.OutboundRefused:
            raise
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise TransientNetworkError(f"Cannot reach VK ({method}): {exc}") from exc
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError,
                httpx.WriteError) as exc:
            if creates:
                raise OutcomeUnknown(f"VK did not answer {method} ({type(exc).__name__}: {exc})") from exc
            raise TransientNetworkError(f"VK did not answer {method} ({type(exc).__name__}: {exc})") from exc
        except httpx.HTTPError as exc:
            if creates:
                raise OutcomeUnknown(f"VK did not answer {method} ({type(exc).__name__}: {exc})") from exc
            raise PermanentNetworkError(f"Cannot talk to VK ({method}): {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            if creates and response.status_code >= 500:
                # The method may have run before the failure (a gateway gave up waiting, a crash after the
                # write): only a look-up can tell.
                raise OutcomeUnknown(f"VK answered HTTP {response.status_code} to {method}",
                                     status_code=response.status_code)
            error_class = RateLimited if response.status_code == 429 else TransientNetworkError
            raise error_class(f"VK answered HTTP {response.status_code} to {method}",
                              status_code=response.status_code)
        try:
            return response.json()
        except ValueError as exc:
            if creates and response.status_code < 400:
                raise OutcomeUnknown(f"VK answered {method} with something that is not JSON") from exc
            if response.status_code >= 400:
                raise PermanentNetworkError(f"VK answered HTTP {response.status_code} to {method}",
                                            status_code=response.status_code) from exc
            raise PermanentNetworkError(f"VK did not answer {method} with JSON (HTTP {response.status_code}); "
                                        "check SOCIALDESK_VK_API_URL") from exc


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)
