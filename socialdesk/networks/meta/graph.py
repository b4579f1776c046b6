"""Meta's Graph API: one thin httpx client and one sorting of Graph error bodies into the protocol's classes.

Facebook Pages and Instagram (with Facebook Login) use graph.facebook.com; Threads uses graph.threads.net
with the same request conventions and the same error body, so everything here takes its base address and
version as parameters (`GraphClient(token, base_url=..., version=...)`); the defaults come from
SOCIALDESK_META_GRAPH_URL and SOCIALDESK_META_GRAPH_VERSION.

Why plain httpx and not Meta's `facebook-business` SDK: that SDK is built around the Marketing API (ad
accounts, campaigns); its Page and Instagram objects are generated wrappers over the same Graph calls,
it sends through `requests` with a process-wide default session and its own retry habits, and it has
nothing for Threads. The calls socialdesk makes are a few form posts and GETs, and one client for the
three networks keeps the outbound policy, the error sorting and the contract tests in one place.

Errors (https://developers.facebook.com/docs/graph-api/guides/error-handling): a failed call answers
`{"error": {"message", "type", "code", "error_subcode", "error_user_title", "error_user_msg",
"fbtrace_id", "is_transient"}}`.

- 190 (any subcode) and 102: the token expired, was revoked or is invalid → AuthError (the channel needs
  reconnecting).
- 4, 17, 32, 341, 613 and the Business Use Case codes 80001–80014 → RateLimited, with `retry_after`
  from `X-Business-Use-Case-Usage` (`estimated_time_to_regain_access`, minutes) when the answer has it
  (https://developers.facebook.com/docs/graph-api/overview/rate-limiting/).
- 1, 2, `is_transient: true`, and HTTP 5xx → TransientNetworkError.
- Everything else (100 invalid parameter, 368 blocked for policy, 506 duplicate post, 10/200–299
  permissions, Instagram's 9004/9007/2207xxx publishing subcodes …) → PermanentNetworkError, with Meta's
  words for the user (`error_user_title: error_user_msg` when given, else `message`).
- A request that went out and got no answer → OutcomeUnknown when it creates something (a post may
  exist), TransientNetworkError when it does not (a read).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
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

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
UPLOAD_TIMEOUT = httpx.Timeout(300.0, connect=10.0)

AUTH_CODES = frozenset({190, 102})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613}) | frozenset(range(80001, 80015))
TRANSIENT_CODES = frozenset({1, 2})
# When a rate-limit answer says nothing about when access returns: the platform limits are counted over
# a rolling hour, so a quarter of it is a fair first wait (the publisher backs off further if refused).
RATE_LIMIT_FALLBACK_SECONDS = 15 * 60.0

USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage", "x-ad-account-usage")


def graph_base(base_url: str | None = None, version: str | None = None) -> str:
    """`https://graph.facebook.com/v24.0` (or the configured stand-in), without a trailing slash."""
    settings = get_settings()
    base = (base_url or settings.meta_graph_url).rstrip("/")
    version = settings.meta_graph_version if version is None else version
    return f"{base}/{version.strip('/')}" if version else base


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the token keyed by the app secret, which an app with "Require App Secret" needs
    (https://developers.facebook.com/docs/facebook-login/security#appsecret)."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def _json_header(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def usage_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds until access returns, from `X-Business-Use-Case-Usage` (per business id, a list of
    `{type, call_count, total_cputime, total_time, estimated_time_to_regain_access}` in minutes) or
    `X-Ad-Account-Usage` (`reset_time_duration`, seconds). None when no header says."""
    lowered = {k.lower(): v for k, v in headers.items()}
    minutes: list[float] = []
    buc = _json_header(lowered.get("x-business-use-case-usage"))
    if isinstance(buc, dict):
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else [entries]:
                if isinstance(entry, dict):
                    try:
                        minutes.append(float(entry.get("estimated_time_to_regain_access") or 0))
                    except (TypeError, ValueError):
                        continue
    seconds = [m * 60.0 for m in minutes if m > 0]
    ad = _json_header(lowered.get("x-ad-account-usage"))
    if isinstance(ad, dict):
        try:
            if float(ad.get("reset_time_duration") or 0) > 0:
                seconds.append(float(ad["reset_time_duration"]))
        except (TypeError, ValueError):
            pass
    return max(seconds) if seconds else None


def usage(headers: Mapping[str, str]) -> dict[str, Any]:
    """The usage headers an answer carried, decoded (for logs and the channel's settings)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return {name: _json_header(lowered.get(name)) for name in USAGE_HEADERS if lowered.get(name)}


def user_message(error: Mapping[str, Any]) -> str:
    title = str(error.get("error_user_title") or "").strip()
    text = str(error.get("error_user_msg") or "").strip()
    message = str(error.get("message") or "").strip()
    if text:
        return f"{title}: {text}" if title else text
    return message


def error_for(status: int, body: Any, headers: Mapping[str, str], *, site: str = "Facebook") -> NetworkError:
    """The protocol's error for a Graph answer that failed, carrying Meta's own words.

    Works for graph.facebook.com, graph.instagram.com and graph.threads.net alike (same error body).
    """
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        text = body if isinstance(body, str) else ""
        message = text.strip()[:500] or f"{site} answered HTTP {status}"
        if status >= 500 or status in (408, 425):
            return TransientNetworkError(message, status_code=status)
        if status == 429:
            return RateLimited(message, status_code=status,
                               retry_after=usage_retry_after(headers) or RATE_LIMIT_FALLBACK_SECONDS)
        if status == 401:
            return AuthError(message, status_code=status)
        return PermanentNetworkError(message, status_code=status)
    try:
        code = int(error.get("code") or 0)
    except (TypeError, ValueError):
        code = 0
    try:
        subcode = int(error.get("error_subcode") or 0)
    except (TypeError, ValueError):
        subcode = 0
    message = user_message(error) or f"{site} answered HTTP {status}"
    details = {"code": code or None, "error_subcode": subcode or None, "type": error.get("type"),
               "fbtrace_id": error.get("fbtrace_id"), "meta_message": error.get("message"),
               "usage": usage(headers)}
    if code in AUTH_CODES:
        return AuthError(message, status_code=status, details=details)
    if code in RATE_LIMIT_CODES:
        return RateLimited(message, status_code=status, details=details,
                           retry_after=usage_retry_after(headers) or RATE_LIMIT_FALLBACK_SECONDS)
    if code in TRANSIENT_CODES or error.get("is_transient") is True or (status >= 500 and not code):
        return TransientNetworkError(message, status_code=status, details=details)
    if status >= 500 and code not in (100, 368):
        return TransientNetworkError(message, status_code=status, details=details)
    return PermanentNetworkError(message, status_code=status, details=details)


class GraphClient:
    """One access token's calls to a Graph API (Facebook's by default; pass `base_url`/`version` for
    Threads). The token goes as the documented `access_token` parameter: in the query of a GET or DELETE,
    in the form body of a POST."""

    def __init__(self, access_token: str | None, *, base_url: str | None = None, version: str | None = None,
                 site: str = "Facebook", app_secret: str | None = None, use_app_secret: bool = True,
                 timeout: httpx.Timeout = TIMEOUT) -> None:
        self.access_token = access_token
        self.base = graph_base(base_url, version)
        self.site = site
        secret = app_secret if app_secret is not None else (get_settings().meta_app_secret if use_app_secret
                                                            else None)
        self.app_secret = secret or None
        self.timeout = timeout
        self.last_headers: dict[str, str] = {}
        self._client: httpx.Client | None = None

    # -- plumbing --------------------------------------------------------------------------------------

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = outbound.http_client(timeout=self.timeout,
                                                headers={"User-Agent": "socialdesk (+Graph API)"})
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base}/{path.lstrip('/')}"

    def _auth(self, token: str | None) -> dict[str, str]:
        token = token if token is not None else self.access_token
        if not token:
            return {}
        auth = {"access_token": token}
        if self.app_secret:
            auth["appsecret_proof"] = appsecret_proof(token, self.app_secret)
        return auth

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                data: Mapping[str, Any] | None = None, files: Any = None, content: bytes | None = None,
                headers: Mapping[str, str] | None = None, creates: bool = False,
                timeout: httpx.Timeout | None = None, token: str | None = None, authenticate: bool = True) -> Any:
        """Send one call and return its decoded JSON body; raise the protocol's error otherwise.

        `creates`: the call makes something (a post, a comment, a message): a lost answer is then
        OutcomeUnknown and the publisher looks before trying again.
        """
        method = method.upper()
        query = {k: _plain(v) for k, v in (params or {}).items() if v is not None}
        form = {k: _plain(v) for k, v in (data or {}).items() if v is not None} if data is not None else None
        auth = self._auth(token) if authenticate else {}
        if method == "POST" and content is None:
            form = {**(form or {}), **auth}
        else:
            query = {**query, **auth}
        try:
            response = self.client.request(method, self.url(path), params=query or None, data=form,
                                           files=files, content=content, headers=dict(headers or {}),
                                           timeout=timeout or self.timeout)
        except outbound.OutboundRefused:
            raise
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            refused = outbound.refusal_in(exc)
            if refused is not None:
                raise refused from exc
            raise TransientNetworkError(f"Cannot reach {self.site}: {exc}") from exc
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError,
                httpx.WriteError) as exc:
            if creates:
                raise OutcomeUnknown(f"{self.site} did not answer ({type(exc).__name__}: {exc}); the "
                                     "request may have been carried out") from exc
            raise TransientNetworkError(f"{self.site} did not answer ({type(exc).__name__}: {exc})") from exc
        except httpx.HTTPError as exc:
            raise PermanentNetworkError(f"Cannot talk to {self.site}: {exc}") from exc
        self.last_headers = {k.lower(): v for k, v in response.headers.items()}
        try:
            body: Any = response.json() if response.content else None
        except ValueError:
            body = response.text
        if response.status_code >= 400 or (isinstance(body, dict) and isinstance(body.get("error"), dict)):
            raise error_for(response.status_code, body, response.headers, site=self.site)
        if isinstance(body, str):
            raise PermanentNetworkError(f"{self.site} did not answer with JSON at {path} "
                                        f"(HTTP {response.status_code}); check SOCIALDESK_META_GRAPH_URL.")
        return body

    # -- verbs -----------------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.request("GET", path, params=params, **kwargs)

    def post(self, path: str, data: Mapping[str, Any] | None = None, *, creates: bool = True,
             **kwargs: Any) -> Any:
        return self.request("POST", path, data=data or {}, creates=creates, **kwargs)

    def delete(self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.request("DELETE", path, params=params, **kwargs)

    def pages(self, path: str, params: Mapping[str, Any] | None = None, *, max_pages: int = 10,
              **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item of a cursor-paged edge (`data` + `paging.cursors.after`), at most `max_pages` pages.

        Paging uses the `after` cursor rather than the `paging.next` address, so the token is never
        taken from an answer and the configured base address stays the one used."""
        query = dict(params or {})
        for _ in range(max_pages):
            body = self.get(path, query, **kwargs) or {}
            for item in body.get("data") or []:
                if isinstance(item, dict):
                    yield item
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not after or not paging.get("next"):
                return
            query["after"] = after


def _plain(value: Any) -> Any:
    """Graph form and query values: lists and dicts as JSON text, booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, separators=(",", ":"))
    return value
