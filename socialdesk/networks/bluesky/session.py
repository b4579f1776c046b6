"""Bluesky sessions: logging in with an app password, reading a token's expiry, refreshing.

socialdesk keeps the session (access and refresh JWT) encrypted as the channel's credentials, never
the app password. The SDK's own `Client.login` is not used: it refreshes tokens by itself, and a
refresh token is single-use, so a refresh that socialdesk does not store would lose the account.
Refreshes go through `channels.service.fresh_adapter`, which serialises them per channel.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from atproto_client import Client
from atproto_client.request import Request

from socialdesk.networks import outbound
from socialdesk.networks.base import AuthError, PermanentNetworkError
from socialdesk.networks.bluesky.errors import calling

DEFAULT_SERVICE = "https://bsky.social"
TIMEOUT_SECONDS = 30.0
# The access token's scope says how the session was opened: an app password, or the account password.
APP_PASSWORD_SCOPES = frozenset({"com.atproto.appPass", "com.atproto.appPassPrivileged"})


def normalise_service(url: str | None) -> str:
    url = (url or "").strip().rstrip("/") or DEFAULT_SERVICE
    if "://" not in url:
        url = f"https://{url}"
    if not url.startswith(("https://", "http://")):
        raise PermanentNetworkError(f"{url} is not an http(s) address of a Bluesky server (PDS).")
    return url


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified: we only read our own token's expiry and scope."""
    try:
        payload = token.split(".")[1]
        return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    except (IndexError, ValueError, binascii.Error):
        return {}


def expires_at(token: str) -> datetime | None:
    exp = jwt_claims(token).get("exp")
    return datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None


# Tests put an httpx.MockTransport here to play a server's answers (timeouts, 429, 5xx) without one.
transport: httpx.BaseTransport | None = None


def client_for(service: str, access_jwt: str | None = None) -> Client:
    # Every request (the PDS named in a DID document included) goes through the outbound policy.
    options = outbound.client_options()
    if transport is not None:
        options["transport"] = transport
    client = Client(base_url=service, request=Request(timeout=TIMEOUT_SECONDS, **options))
    if access_jwt:
        client.request.add_additional_header("Authorization", f"Bearer {access_jwt}")
    return client


def pds_endpoint(did_doc: Any) -> str | None:
    """The account's own PDS from its DID document (bsky.social is an entryway in front of many)."""
    if not isinstance(did_doc, dict):
        return None
    for service in did_doc.get("service") or []:
        if isinstance(service, dict) and str(service.get("id", "")).endswith("#atproto_pds"):
            endpoint = service.get("serviceEndpoint")
            if isinstance(endpoint, str) and endpoint.startswith(("https://", "http://")):
                return endpoint.rstrip("/")
    return None


@dataclass(frozen=True)
class Session:
    did: str
    handle: str
    access_jwt: str
    refresh_jwt: str
    pds: str  # where this account's calls go

    def credentials(self) -> dict[str, Any]:
        return {"access_jwt": self.access_jwt, "refresh_jwt": self.refresh_jwt}


def login(service: str, identifier: str, app_password: str, *, allow_account_password: bool = False) -> Session:
    """Open a session with a handle (or DID, or e-mail) and an app password."""
    identifier = identifier.strip().lstrip("@")
    with calling():
        answer = client_for(service).com.atproto.server.create_session(
            {"identifier": identifier, "password": app_password})
    scope = jwt_claims(answer.access_jwt).get("scope")
    if not allow_account_password and scope not in APP_PASSWORD_SCOPES:
        # We would have to store a session as powerful as the account password (it can change the
        # password and delete the account); an app password can be revoked on its own.
        raise AuthError("This is the account's own password. Create an app password in Bluesky "
                        "(Settings → Privacy and security → App passwords) and use that instead.")
    pds = pds_endpoint(answer.did_doc) or service
    return Session(answer.did, answer.handle, answer.access_jwt, answer.refresh_jwt, pds)


def refresh(service: str, refresh_jwt: str) -> dict[str, str]:
    """New access and refresh tokens; the old refresh token stops working."""
    if not refresh_jwt:
        raise AuthError("No refresh token is stored for this account. Reconnect it.")
    with calling():
        answer = client_for(service).com.atproto.server.refresh_session(
            headers={"Authorization": f"Bearer {refresh_jwt}"})
    return {"access_jwt": answer.access_jwt, "refresh_jwt": answer.refresh_jwt}
