"""Talking to one Ghost site's Admin API: short-lived tokens signed with the key, errors sorted.

An Admin API key is "<id>:<secret>", the secret in hex. Each request carries a JWT (HS256, signed with
the secret's bytes, `kid` = the id, audience `/admin/`) that Ghost accepts for at most five minutes; a
fresh one is made for every client, so no expired token is ever reused.
"""

from __future__ import annotations

import time
from typing import Any

import jwt

from socialdesk.networks import outbound
from socialdesk.networks.base import AuthError, NetworkError
from socialdesk.networks.blog.http import TIMEOUT, send

# The oldest Admin API version whose shapes this adapter uses; Ghost 5 and 6 both answer it.
ACCEPT_VERSION = "v5.0"
TOKEN_SECONDS = 300
# Ghost's answers to a bad or expired token: not always 401 (a malformed JWT is "400 INVALID_JWT").
_AUTH_CODES = {"INVALID_JWT", "INVALID_API_KEY", "UNKNOWN_ADMIN_API_KEY"}
_AUTH_TYPES = {"UnauthorizedError", "NoPermissionError"}


def message_of(body: Any) -> str | None:
    """Ghost answers errors as {"errors": [{"message": ..., "context": ..., "type": ...}]}."""
    if not isinstance(body, dict) or not body.get("errors"):
        return None
    parts = []
    for error in body["errors"]:
        text = str(error.get("message") or "")
        if error.get("context"):
            text = f"{text} {error['context']}".strip()
        parts.append(text)
    return " ".join(p for p in parts if p) or None


def split_key(admin_api_key: str) -> tuple[str, bytes]:
    key_id, _, secret = (admin_api_key or "").strip().partition(":")
    try:
        secret_bytes = bytes.fromhex(secret)
    except ValueError:
        secret_bytes = b""
    if not key_id or not secret_bytes:
        raise ValueError("an Admin API key looks like 24 hex digits, a colon, and 64 hex digits "
                         "(Ghost admin → Settings → Integrations → your custom integration)")
    return key_id, secret_bytes


def normalise_admin_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValueError("the admin address must start with https:// (for example https://blog.example.com)")
    # People paste the admin page's address; the API lives beside it.
    for suffix in ("/ghost/#", "/ghost"):
        if url.endswith(suffix):
            url = url[: -len(suffix)]
    return url.rstrip("/")


class GhostSite:
    def __init__(self, admin_url: str, admin_api_key: str) -> None:
        self.admin_url = normalise_admin_url(admin_url)
        key_id, secret = split_key(admin_api_key)
        # Ghost checks iat/exp against its own clock: this is wall-clock time, not socialdesk's clock
        # (which tests and the demo's replay move).
        now = int(time.time())
        token = jwt.encode({"iat": now, "exp": now + TOKEN_SECONDS, "aud": "/admin/"}, secret, algorithm="HS256",
                           headers={"kid": key_id})
        self.client = outbound.http_client(timeout=TIMEOUT, headers={
            "Authorization": f"Ghost {token}", "Accept-Version": ACCEPT_VERSION, "User-Agent": "socialdesk"})

    @property
    def label(self) -> str:
        return f"Ghost at {self.admin_url}"

    def url(self, route: str) -> str:
        return f"{self.admin_url}/ghost/api/admin/{route.lstrip('/')}"

    def call(self, method: str, route: str, *, creates: bool = False, **kwargs: Any) -> Any:
        try:
            return send(self.client, method, self.url(route), message_of=message_of, site=self.label,
                        creates=creates, **kwargs)
        except NetworkError as error:
            sorted_error = _sorted(error)
            if sorted_error is error:
                raise
            raise sorted_error from error

    def close(self) -> None:
        self.client.close()


def _sorted(error: NetworkError) -> NetworkError:
    if isinstance(error, AuthError):
        return error
    body = error.details.get("body")
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors and any(e.get("code") in _AUTH_CODES or e.get("type") in _AUTH_TYPES for e in errors):
        return AuthError(error.network_message, status_code=error.status_code, details=error.details)
    return error
