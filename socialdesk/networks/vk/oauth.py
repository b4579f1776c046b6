"""Connecting a VK community through VK ID (OAuth 2.1, authorization code with PKCE).

https://id.vk.com/about/business/go/docs/ru/vkid/latest/vk-id/connection/api-integration/api-description

1. The browser goes to `<vk_id_url>/authorize` with the operator's app (SOCIALDESK_VK_APP_ID), the state,
   the S256 challenge and the scopes. An administrator of the community signs in and allows them.
2. VK ID sends the browser back with `code`, `state` and `device_id`; the code, the PKCE verifier and
   the device id go to `<vk_id_url>/oauth2/auth` (grant_type=authorization_code) for an access token
   (about an hour) and a refresh token, which `refresh` exchanges (grant_type=refresh_token, with the
   same device id) ahead of expiry; VK ID rotates the refresh token.
3. The user token is checked against the community named in the connect form (groups.getById) and
   stored. It is what VK needs for the wall (wall.post is user-token-only). A community token for
   messages is not issued by VK ID: paste one in the connect form (see docs/networks/vk.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks import outbound
from socialdesk.networks.base import AuthError, PermanentNetworkError, TransientNetworkError
from socialdesk.networks.registry import ConnectedAccount
from socialdesk.networks.vk.adapter import account_for
from socialdesk.networks.vk.api import TIMEOUT, USER_AGENT

# VK ID scope names (space-separated): the wall and its uploads, the community's moderation and statistics.
SCOPES = "vkid.personal_info wall photos video groups stats"


def vk_id_base() -> str:
    return get_settings().vk_id_url.rstrip("/")


def normalise_server(_server: str = "") -> str:
    """There is one VK ID: the form names no server (only the community)."""
    return vk_id_base()


def register_app(server_url: str, redirect_uri: str) -> tuple[str, str]:
    """VK has no dynamic registration: the operator registers one app on id.vk.com and configures it."""
    settings = get_settings()
    if not settings.vk_app_id:
        raise PermanentNetworkError("Signing in with VK ID needs the operator's VK ID app: set SOCIALDESK_VK_APP_ID "
                                    "(and SOCIALDESK_VK_CLIENT_SECRET), or paste a token in the form instead.")
    return str(settings.vk_app_id), str(settings.vk_client_secret or "")


def authorize_url(server_url: str, client_id: str, redirect_uri: str, state: str, code_challenge: str) -> str:
    query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                       "state": state, "code_challenge": code_challenge, "code_challenge_method": "S256",
                       "scope": SCOPES})
    return f"{server_url}/authorize?{query}"


def _token_request(server_url: str, form: dict[str, str]) -> dict[str, Any]:
    try:
        with outbound.http_client(timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}) as client:
            response = client.post(f"{server_url}/oauth2/auth", data=form)
    except outbound.OutboundRefused:
        raise
    except httpx.HTTPError as exc:
        # A lost answer costs only the code or refresh attempt; the person signs in again if need be.
        raise TransientNetworkError(f"No answer from VK ID: {exc}") from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 500:
        raise TransientNetworkError(f"VK ID answered HTTP {response.status_code}", status_code=response.status_code)
    if not isinstance(body, dict) or not body.get("access_token"):
        message = (body.get("error_description") or body.get("error")) if isinstance(body, dict) else None
        raise AuthError(f"VK ID refused: {message or f'HTTP {response.status_code}'}",
                        status_code=response.status_code)
    return body


def _credentials(body: dict[str, Any], client_id: str, device_id: str) -> dict[str, Any]:
    expires_in = int(body.get("expires_in") or 0)
    return {
        "access_token": str(body["access_token"]),
        "refresh_token": str(body.get("refresh_token") or ""),
        "device_id": device_id, "client_id": client_id,
        "expires_at": (clock.now() + timedelta(seconds=expires_in)).isoformat() if expires_in else None,
    }


def refresh(credentials: dict[str, Any]) -> dict[str, Any]:
    """New tokens for the stored refresh token; AuthError when VK ID refuses (the channel is reconnected)."""
    if not credentials.get("refresh_token") or not credentials.get("device_id"):
        raise AuthError("This VK token cannot be refreshed: reconnect the channel.")
    client_id = str(credentials.get("client_id") or get_settings().vk_app_id or "")
    body = _token_request(vk_id_base(), {
        "grant_type": "refresh_token", "refresh_token": str(credentials["refresh_token"]), "client_id": client_id,
        "device_id": str(credentials["device_id"]), "state": "refresh"})
    return _credentials(body, client_id, str(credentials["device_id"]))


class VkOAuth:
    """The hooks channels/oauth.py uses (NetworkSpec.oauth points here)."""

    scopes = SCOPES
    server_field = "vk_id"  # no such form field: there is one VK ID (normalise_server ignores it)
    normalise_server = staticmethod(normalise_server)
    register_app = staticmethod(register_app)
    authorize_url = staticmethod(authorize_url)

    @staticmethod
    def finish(server_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str,
               code_verifier: str, settings: dict[str, Any]) -> ConnectedAccount:
        callback = settings.get("callback") or {}
        device_id = str(callback.get("device_id") or "")
        if not device_id:
            raise PermanentNetworkError("VK ID sent no device_id back; start again from the channels page.")
        if not settings.get("group_id"):
            raise PermanentNetworkError("Name the community to connect (its id or short name) in the form.")
        body = _token_request(server_url, {
            "grant_type": "authorization_code", "code": code, "code_verifier": code_verifier,
            "client_id": client_id, "device_id": device_id, "redirect_uri": redirect_uri,
            "state": str(callback.get("state") or "")})
        credentials = _credentials(body, client_id, device_id)
        found = account_for(str(settings["group_id"]), credentials.pop("access_token"),
                            extra_credentials=credentials)
        return ConnectedAccount(**found)
