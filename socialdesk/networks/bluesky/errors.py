"""Sorting what the atproto SDK raises into socialdesk's error classes, with the server's own words.

XRPC servers answer errors as JSON `{"error": name, "message": text}`. An expired or revoked access
token comes back as 400 `ExpiredToken` / `InvalidToken` (not 401), so the name decides, not the status.
A request that may have reached the server without an answer (a read timeout on a write) is
OutcomeUnknown; one that never left (connection refused, connect timeout) is safe to repeat.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
from atproto_client import exceptions as sdk
from atproto_client.models.common import XrpcError

from socialdesk.networks.base import (
    AuthError,
    NetworkError,
    OutcomeUnknown,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)

AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing",
                         "AccountTakedown", "AccountDeactivated", "InvalidSession"})


def server_words(error: sdk.RequestErrorBase) -> tuple[str, str]:
    """(error name, readable message) as the server sent them."""
    response = error.response
    if response is None:
        return "", ""
    content = response.content
    if isinstance(content, XrpcError):
        name = content.error or ""
        return name, f"{name}: {content.message}" if content.message else name
    if isinstance(content, bytes | bytearray):
        text = bytes(content[:300]).decode("utf-8", "replace").strip()
        return "", text or f"HTTP {response.status_code}"
    return "", str(content)[:300] if content else f"HTTP {response.status_code}"


def _not_sent(error: BaseException) -> bool:
    """The request never reached the server: repeating it cannot make a duplicate."""
    cause = error.__cause__
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.UnsupportedProtocol)


def _retry_after(error: sdk.RateLimitExceededError) -> float | None:
    if error.retry_after is not None:
        return error.retry_after
    if error.reset_at is not None:
        return max(1.0, (error.reset_at - datetime.now(UTC)).total_seconds())
    return None


def translate(error: sdk.AtProtocolError, *, write: bool) -> NetworkError:
    """The socialdesk error for an SDK error. `write`: the call creates something on the network."""
    if isinstance(error, sdk.RequestErrorBase) and error.response is None:
        cause = error.__cause__
        why = f"{type(cause).__name__}: {cause}" if cause else str(error) or type(error).__name__
        if write and not _not_sent(error):
            return OutcomeUnknown(f"No answer from the Bluesky server ({why}).")
        return TransientNetworkError(f"Cannot reach the Bluesky server ({why}).")
    if not isinstance(error, sdk.RequestErrorBase):
        return PermanentNetworkError(f"Unexpected answer from the Bluesky server: {error}")
    assert error.response is not None
    status = error.response.status_code
    name, message = server_words(error)
    message = message or f"HTTP {status}"
    if isinstance(error, sdk.RateLimitExceededError) or status == 429:
        retry = _retry_after(error) if isinstance(error, sdk.RateLimitExceededError) else None
        return RateLimited(message, status_code=status, retry_after=retry)
    if name in AUTH_ERRORS or status == 401:
        return AuthError(message, status_code=status, details={"error": name})
    if status >= 500 or status == 408:
        return TransientNetworkError(message, status_code=status, details={"error": name})
    return PermanentNetworkError(message, status_code=status, details={"error": name})


@contextmanager
def calling(*, write: bool = False) -> Iterator[None]:
    """Run SDK calls, raising socialdesk's errors instead of the SDK's."""
    try:
        yield
    except sdk.AtProtocolError as error:
        raise translate(error, write=write) from error
    except httpx.HTTPError as error:  # the SDK lets a few transport errors through unwrapped
        if write and not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
            raise OutcomeUnknown(f"No answer from the Bluesky server ({error}).") from error
        raise TransientNetworkError(f"Cannot reach the Bluesky server ({error}).") from error
