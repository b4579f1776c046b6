"""A Mastodon.py client for one account, and the sorting of its failures into the protocol's classes.

Mastodon.py drops the response when it raises (a 429 becomes a bare "Hit rate limit."), so the client's
requests session keeps the last response it saw: its status, the server's `error` text and the rate-limit
headers are read from there.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonRatelimitError,
)

from socialdesk.networks import outbound
from socialdesk.networks.base import (
    AuthError,
    NetworkError,
    OutcomeUnknown,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)

# Seconds to wait for a server; a publish that hears nothing back in this time is "outcome unknown".
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
USER_AGENT = "socialdesk (+https://github.com/socialdesk/socialdesk)"
# When a 429 names no time to come back, wait this long (Mastodon's windows are 5 minutes).
DEFAULT_RETRY_AFTER = 60.0


class RecordingSession(requests.Session):
    """A requests session that remembers the last response, for the error sorting below."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        outbound.apply_to_session(self)
        self.timeout = timeout
        self.last_response: requests.Response | None = None
        self.hooks["response"].append(self._remember)

    def _remember(self, response: requests.Response, *_: Any, **__: Any) -> None:
        self.last_response = response

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        self.last_response = None
        # Mastodon.py passes one number; a separate, shorter connect timeout tells "never sent" apart.
        kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)


# Assumed when a server's version is not known: every Mastodon since 3.1.4 has the asynchronous media API.
DEFAULT_SERVER_VERSION = "4.0.0"


def api_version(reported: str | None) -> str:
    """The x.y.z Mastodon.py compares against, from a server's version text ("4.3.0+glitch" → "4.3.0")."""
    found = re.search(r"\d+\.\d+\.\d+", reported or "")
    return found.group(0) if found else DEFAULT_SERVER_VERSION


def make_client(base_url: str, access_token: str | None, *, read_timeout: float = READ_TIMEOUT,
                server_version: str | None = None) -> Mastodon:
    session = RecordingSession((CONNECT_TIMEOUT, read_timeout))
    # "throw": never sleep inside a worker; the publisher reschedules from RateLimited.retry_after.
    # A known version: without one, Mastodon.py asks the server for it before an upload (two more requests,
    # and an endless recursion in Mastodon.py 2.3 when the server does not answer them).
    version = api_version(server_version)
    client = Mastodon(access_token=access_token, api_base_url=base_url, ratelimit_method="throw",
                      request_timeout=read_timeout, session=session, user_agent=USER_AGENT,
                      version_check_mode="none", mastodon_version=version)
    # With version checks off, Mastodon.py marks the version known but does not read it (it would pick the
    # old synchronous /api/v1/media for "1.0.0"): set it as it would.
    client.mastodon_major, client.mastodon_minor, client.mastodon_patch = (int(n) for n in version.split("."))
    return client


def _server_message(response: requests.Response | None, fallback: str) -> str:
    if response is None:
        return fallback
    try:
        body = response.json()
    except ValueError:
        return (response.text or "").strip()[:500] or f"HTTP {response.status_code} {response.reason}"
    if isinstance(body, dict):
        text = body.get("error_description") or body.get("error")
        if isinstance(text, str) and text:
            return text
    return f"HTTP {response.status_code} {response.reason}"


def retry_after(response: requests.Response | None, now: float | None = None) -> float:
    """Seconds until the server takes requests again: Retry-After (seconds or a date), else
    X-RateLimit-Reset (an ISO time in Mastodon, epoch seconds in some other servers)."""
    if response is None:
        return DEFAULT_RETRY_AFTER
    now = time.time() if now is None else now
    header = response.headers.get("Retry-After")
    if header:
        if header.strip().isdigit():
            return max(1.0, float(header))
        try:
            return max(1.0, email.utils.parsedate_to_datetime(header).timestamp() - now)
        except (TypeError, ValueError):
            pass
    reset = response.headers.get("X-RateLimit-Reset")
    if reset:
        from dateutil import parser as dateparser

        try:
            at = float(reset) if reset.strip().isdigit() else dateparser.isoparse(reset).timestamp()
            return max(1.0, at - now)
        except (ValueError, OverflowError):
            pass
    return DEFAULT_RETRY_AFTER


def _never_sent(error: BaseException) -> bool:
    """Whether a transport failure happened before the request reached the server (safe to repeat)."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(cause, requests.exceptions.ConnectionError):
        text = str(cause)
        # urllib3 says so when it never got a connection: refused, no route, name not resolved.
        return any(mark in text for mark in ("NewConnectionError", "Failed to establish", "NameResolutionError",
                                             "Name or service not known"))
    return False


def sort_error(error: MastodonError, client: Mastodon, *, sends: bool) -> NetworkError:
    """The protocol's error for a Mastodon.py failure. `sends`: the call creates something (a status), so a
    lost answer means the outcome is unknown rather than safe to repeat."""
    refused = outbound.refusal_in(error)
    if refused is not None:
        return refused
    session = client.session
    response = session.last_response if isinstance(session, RecordingSession) else None
    if isinstance(error, MastodonRatelimitError) or (response is not None and response.status_code == 429):
        return RateLimited(_server_message(response, "Too many requests."), status_code=429,
                           retry_after=retry_after(response))
    if isinstance(error, MastodonNetworkError):
        message = f"No answer from the server: {error}"
        if sends and not _never_sent(error):
            return OutcomeUnknown(message)
        return TransientNetworkError(message)
    if isinstance(error, MastodonAPIError):
        status = response.status_code if response is not None else _status_of(error)
        message = _server_message(response, _api_message(error))
        if status in (401, 403):
            return AuthError(message, status_code=status)
        if status is not None and (status >= 500 or status in (408, 425)):
            return TransientNetworkError(message, status_code=status)
        if status is not None and status < 300:
            # A 2xx that did not parse (a truncated body): the server did act, we cannot tell the result.
            return OutcomeUnknown(message, status_code=status) if sends else TransientNetworkError(message)
        return PermanentNetworkError(message, status_code=status)
    if isinstance(error, MastodonIllegalArgumentError):
        return PermanentNetworkError(str(error))
    return PermanentNetworkError(str(error) or type(error).__name__)


def _status_of(error: MastodonAPIError) -> int | None:
    for arg in error.args:
        if isinstance(arg, int):
            return arg
    return None


def _api_message(error: MastodonAPIError) -> str:
    texts = [a for a in error.args if isinstance(a, str)]
    return texts[-1] if texts else str(error)


@contextmanager
def sorted_errors(client: Mastodon, *, sends: bool = False) -> Iterator[None]:
    """Run Mastodon.py calls, raising the protocol's errors instead of Mastodon.py's."""
    try:
        yield
    except NetworkError:
        raise
    except MastodonError as error:
        raise sort_error(error, client, sends=sends) from error
    except requests.RequestException as error:  # a few Mastodon.py paths let these through
        raise TransientNetworkError(f"No answer from the server: {error}") from error
