"""One HTTP call to the X API v2, with every failure sorted into the protocol's error classes.

Plain httpx through the outbound policy rather than an SDK (docs/networks/x.md says why). X answers
errors as RFC 7807 problems (`{"title", "detail", "type", "status"}`), sometimes with an `errors` list;
the text users read is X's own. Rate limits come back on every answer as `x-rate-limit-limit`,
`-remaining` and `-reset` (a Unix time): a 429 becomes RateLimited with `retry_after` up to that reset
(https://docs.x.com/fundamentals/rate-limits).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
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

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
UPLOAD_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
USER_AGENT = "socialdesk (+https://github.com/socialdesk/socialdesk)"


def api_url() -> str:
    return get_settings().x_api_url.rstrip("/")


@dataclass(frozen=True)
class RateState:
    """What the last answer of an endpoint said about its window."""

    limit: int | None
    remaining: int | None
    reset_at: float | None  # Unix time


def rate_state(headers: httpx.Headers) -> RateState:
    def number(name: str) -> int | None:
        try:
            return int(headers[name])
        except (KeyError, ValueError):
            return None

    reset = number("x-rate-limit-reset")
    return RateState(number("x-rate-limit-limit"), number("x-rate-limit-remaining"),
                     float(reset) if reset is not None else None)


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds until `x-rate-limit-reset` (Retry-After when X sends that instead)."""
    state = rate_state(headers)
    if state.reset_at is not None:
        return max(1.0, state.reset_at - clock.now().timestamp())
    try:
        return max(1.0, float(headers["retry-after"]))
    except (KeyError, ValueError):
        return None


def problem_message(body: Any) -> str | None:
    """X's own words from a problem (`detail`, `title`) and its `errors` list (`message` or `detail`)."""
    if not isinstance(body, dict):
        return None
    parts: list[str] = []
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            text = error.get("message") or error.get("detail") or error.get("title")
            if text and str(text) not in parts:
                parts.append(str(text))
    head = body.get("detail") or body.get("title") or body.get("error_description") or body.get("error")
    if head and str(head) not in parts:
        parts.insert(0, str(head))
    return "; ".join(parts) or None


def error_for(response: httpx.Response, *, creates: bool = False) -> NetworkError:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    status = response.status_code
    message = problem_message(body) or response.text.strip()[:500] or f"X answered HTTP {status}"
    details = {"body": body} if isinstance(body, dict) else {}
    if status == 401:
        return AuthError(message, status_code=status, details=details)
    if status == 429:
        # Refused before anything was done (a rate limit or the monthly usage cap): safe to come back.
        return RateLimited(message, status_code=status, retry_after=retry_after(response.headers), details=details)
    if status >= 500:
        if creates:
            # X may have made the post before failing (and bills per request): never send it again blindly.
            return OutcomeUnknown(f"X answered HTTP {status} to a post: {message}", status_code=status,
                                  details=details)
        return TransientNetworkError(message, status_code=status, details=details)
    return PermanentNetworkError(message, status_code=status, details=details)


class XApi:
    """The X API with one user's access token."""

    def __init__(self, access_token: str, *, base_url: str | None = None) -> None:
        self.base_url = (base_url or api_url()).rstrip("/")
        self.access_token = access_token
        self.rates: dict[str, RateState] = {}  # "METHOD /path" -> its last rate-limit headers

    def call(self, method: str, path: str, *, creates: bool = False, timeout: httpx.Timeout = TIMEOUT,
             **kwargs: Any) -> Any:
        """Send one request; returns its JSON body (None when empty).

        `creates`: the request makes something on X (a post). If it went out and no answer came back, the
        post may exist: OutcomeUnknown, so the publisher looks it up before anything is sent again."""
        if not self.access_token:
            raise AuthError("This X channel has no access token; reconnect it.")
        known = self.rates.get(f"{method} {path}")
        if known is not None and known.remaining == 0 and known.reset_at and known.reset_at > clock.now().timestamp():
            # X said this window is spent: asking again would only be refused (and may still be billed).
            raise RateLimited(f"X's rate limit for {method} {path} is used up until its reset.",
                              retry_after=known.reset_at - clock.now().timestamp())
        headers = {"Authorization": f"Bearer {self.access_token}", "User-Agent": USER_AGENT}
        response = send(method, f"{self.base_url}{path}", creates=creates, timeout=timeout, headers=headers,
                        **kwargs)
        self.rates[f"{method} {path}"] = rate_state(response.headers)
        if response.status_code >= 400:
            raise error_for(response, creates=creates)
        if not response.content:
            return None
        try:
            body = response.json()
        except ValueError as exc:
            raise PermanentNetworkError(f"X did not answer with JSON at {path} (HTTP {response.status_code}); "
                                        "check SOCIALDESK_X_API_URL.") from exc
        if isinstance(body, dict) and "data" not in body and body.get("errors") and method != "GET":
            raise PermanentNetworkError(problem_message(body) or "X refused the request", details={"body": body})
        return body


def send(method: str, url: str, *, creates: bool = False, timeout: httpx.Timeout = TIMEOUT,
         **kwargs: Any) -> httpx.Response:
    try:
        with outbound.http_client(timeout=timeout) as client:
            return client.request(method, url, **kwargs)
    except outbound.OutboundRefused:
        raise
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise TransientNetworkError(f"Cannot reach X: {exc}") from exc  # nothing reached X
    except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError,
            httpx.WriteError) as exc:
        if creates:
            raise OutcomeUnknown(f"No answer from X ({type(exc).__name__}: {exc})") from exc
        raise TransientNetworkError(f"X did not answer ({type(exc).__name__}: {exc})") from exc
    except httpx.HTTPError as exc:
        raise PermanentNetworkError(f"Cannot talk to X: {exc}") from exc


def basic_auth(client_id: str, client_secret: str | None) -> dict[str, str]:
    """A confidential client authenticates to the token endpoint with HTTP Basic (client id:secret)."""
    if not client_secret:
        return {}
    pair = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}
