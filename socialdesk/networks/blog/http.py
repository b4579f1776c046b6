"""One HTTP call to a blog's API, with every failure sorted into the protocol's error classes.

Both blogs speak JSON over plain HTTP and neither has a maintained Python SDK worth a dependency
(python-wordpress-xmlrpc speaks the retired XML-RPC API; the Ghost Admin API clients on PyPI are
unmaintained), so this is httpx with timeouts. The server's own message is kept for the user.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from socialdesk.core import clock
from socialdesk.networks.base import (
    AuthError,
    NetworkError,
    OutcomeUnknown,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Uploads of a large featured image may take a while on a slow link.
UPLOAD_TIMEOUT = httpx.Timeout(120.0, connect=10.0)

MessageOf = Callable[[Any], str | None]


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - clock.now()).total_seconds())
    except (TypeError, ValueError):
        return None


def error_for(response: httpx.Response, message_of: MessageOf, site: str) -> NetworkError:
    """The protocol's error for a refused request, carrying the server's own words."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    message = (message_of(body) if body is not None else None) or response.text.strip()[:500] \
        or f"{site} answered HTTP {response.status_code} {response.reason_phrase}"
    status = response.status_code
    details = {"body": body} if isinstance(body, dict) else {}
    if status in (401, 403):
        return AuthError(message, status_code=status, details=details)
    if status == 429:
        return RateLimited(message, status_code=status, retry_after=retry_after(response), details=details)
    if status >= 500 or status in (408, 425):
        return TransientNetworkError(message, status_code=status, retry_after=retry_after(response),
                                     details=details)
    return PermanentNetworkError(message, status_code=status, details=details)


def send(client: httpx.Client, method: str, url: str, *, message_of: MessageOf, site: str,
         creates: bool = False, timeout: httpx.Timeout = TIMEOUT, headers_out: dict[str, str] | None = None,
         **kwargs: Any) -> Any:
    """Send one request and return its JSON body (None for an empty one); `headers_out`, when given,
    receives the answer's headers (WordPress puts totals there).

    `creates`: the request makes something on the blog (a post). If it went out and no answer came
    back, the post may exist: that is OutcomeUnknown, not a transient error, so the pipeline looks for
    it before anything is sent again.
    """
    try:
        response = client.request(method, url, timeout=timeout, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        # Nothing reached the server: safe to try again.
        raise TransientNetworkError(f"Cannot reach {site}: {exc}") from exc
    except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError,
            httpx.WriteError) as exc:
        if creates:
            raise OutcomeUnknown(f"{site} did not answer in time ({type(exc).__name__}: {exc})") from exc
        raise TransientNetworkError(f"{site} did not answer ({type(exc).__name__}: {exc})") from exc
    except httpx.HTTPError as exc:
        raise PermanentNetworkError(f"Cannot talk to {site}: {exc}") from exc
    if response.status_code >= 400:
        raise error_for(response, message_of, site)
    if headers_out is not None:
        headers_out.update({k.lower(): v for k, v in response.headers.items()})
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        # A page instead of JSON: usually the site's front page, because the URL is not the API's.
        raise PermanentNetworkError(
            f"{site} did not answer with JSON at {url} (HTTP {response.status_code}); check the site address."
        ) from exc
