"""One HTTP call to the Threads API (graph.threads.net), with every failure sorted into the protocol's classes.

Threads has no maintained Python SDK (`meta-threads-sdk` is unofficial, `pythreads` stale; Meta's
`facebook-business` SDK has no Threads module), so this is httpx through the outbound policy. The API
answers errors in the Graph API's shape (`{"error": {"message", "type", "code", "error_subcode"}}`), so
they are sorted like Facebook's and Instagram's: 190 → AuthError, 4/17/32/613 → RateLimited, 100 →
PermanentNetworkError, a request that went out without an answer → OutcomeUnknown.

The access token travels as the `access_token` parameter, as every example in Meta's Threads documentation
sends it (query string for GET and DELETE, form field for POST).
"""

from __future__ import annotations

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

API_VERSION = "v1.0"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
SITE = "Threads"
# Graph error codes (https://developers.facebook.com/docs/graph-api/guides/error-handling).
AUTH_CODES = frozenset({102, 190})
RATE_CODES = frozenset({4, 17, 32, 613})
TRANSIENT_CODES = frozenset({1, 2})
# When a rate-limit answer names no time to come back: Meta's windows are rolling hours.
DEFAULT_RETRY_AFTER = 15 * 60.0


def api_base() -> str:
    return get_settings().threads_api_url.rstrip("/")


def graph_error(response: httpx.Response) -> NetworkError:
    """The protocol's error for a refused Graph-style request, keeping Threads' own message."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    message = str(error.get("error_user_msg") or error.get("message") or response.text.strip()[:500]
                  or f"{SITE} answered HTTP {response.status_code} {response.reason_phrase}")
    status = response.status_code
    details = {"code": error.get("code"), "error_subcode": error.get("error_subcode"), "type": error.get("type"),
               "fbtrace_id": error.get("fbtrace_id")}
    try:
        code = int(error.get("code")) if error.get("code") is not None else None
    except (TypeError, ValueError):
        code = None
    if code in AUTH_CODES or (code is None and status == 401):
        return AuthError(message, status_code=status, details=details)
    if code in RATE_CODES or status == 429:
        retry = response.headers.get("Retry-After")
        try:
            after = float(retry) if retry else DEFAULT_RETRY_AFTER
        except ValueError:
            after = DEFAULT_RETRY_AFTER
        return RateLimited(message, status_code=status, retry_after=after, details=details)
    if code in TRANSIENT_CODES or error.get("is_transient") or status >= 500:
        return TransientNetworkError(message, status_code=status, details=details)
    return PermanentNetworkError(message, status_code=status, details=details)


class ThreadsClient:
    """Calls for one access token. `base` defaults to SOCIALDESK_THREADS_API_URL."""

    def __init__(self, access_token: str, *, base: str | None = None) -> None:
        self.access_token = access_token
        self.base = (base or api_base()).rstrip("/")
        self._http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = outbound.http_client(timeout=TIMEOUT)
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def url(self, path: str, *, versioned: bool = True) -> str:
        prefix = f"/{API_VERSION}" if versioned else ""
        return f"{self.base}{prefix}/{path.lstrip('/')}"

    def get(self, path: str, params: dict[str, Any] | None = None, *, versioned: bool = True,
            token: bool = True) -> Any:
        query = dict(params or {})
        if token:
            query["access_token"] = self.access_token
        return self.send("GET", self.url(path, versioned=versioned), params=query)

    def post(self, path: str, data: dict[str, Any] | None = None, *, creates: bool = False,
             versioned: bool = True, token: bool = True) -> Any:
        form = {k: _form_value(v) for k, v in (data or {}).items() if v is not None}
        if token:
            form["access_token"] = self.access_token
        return self.send("POST", self.url(path, versioned=versioned), data=form, creates=creates)

    def delete(self, path: str) -> Any:
        return self.send("DELETE", self.url(path), params={"access_token": self.access_token})

    def send(self, method: str, url: str, *, creates: bool = False, **kwargs: Any) -> Any:
        """`creates`: the request makes something visible on Threads (a post, a reply). If it went out and
        no answer came back, it may exist: OutcomeUnknown, so the publisher looks for it first."""
        try:
            response = self.http.request(method, url, **kwargs)
        except outbound.OutboundRefused:
            raise
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            refused = outbound.refusal_in(exc)
            if refused is not None:
                raise refused from exc
            raise TransientNetworkError(f"Cannot reach {SITE}: {exc}") from exc
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError,
                httpx.WriteError) as exc:
            if creates:
                raise OutcomeUnknown(f"{SITE} did not answer ({type(exc).__name__}: {exc})") from exc
            raise TransientNetworkError(f"{SITE} did not answer ({type(exc).__name__}: {exc})") from exc
        except httpx.HTTPError as exc:
            raise PermanentNetworkError(f"Cannot talk to {SITE}: {exc}") from exc
        if response.status_code >= 400:
            raise graph_error(response)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError as exc:
            if creates:
                raise OutcomeUnknown(f"{SITE} answered with something that is not JSON "
                                     f"(HTTP {response.status_code})") from exc
            raise TransientNetworkError(f"{SITE} answered with something that is not JSON "
                                        f"(HTTP {response.status_code})") from exc


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)
