"""Connecting a YouTube channel: by pasting Google tokens, or by Google OAuth (authorization code + PKCE,
`access_type=offline` and `prompt=consent` so a refresh token always comes back).

Google's app is the operator's (SOCIALDESK_GOOGLE_CLIENT_ID / _SECRET, one OAuth client in their Google
Cloud project): there is no registration per server, so `register_app` hands back those settings.
Docs: https://developers.google.com/identity/protocols/oauth2/web-server
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks import outbound
from socialdesk.networks.base import AuthError, PermanentNetworkError, TransientNetworkError
from socialdesk.networks.registry import ConnectedAccount
from socialdesk.networks.youtube.api import CONNECT_TIMEOUT, READ_TIMEOUT, USER_AGENT, YouTubeApi, google_message

# Upload; manage videos and moderate comments (force-ssl covers what `youtube` does, over https only);
# read the Analytics API. All three are sensitive or restricted scopes: Google verifies apps that use them.
SCOPES = " ".join(f"https://www.googleapis.com/auth/{s}" for s in
                  ("youtube.upload", "youtube.force-ssl", "yt-analytics.readonly"))
GOOGLE = "https://accounts.google.com"
# Google access tokens live an hour; a pasted one of unknown age is treated as expiring within it.
PASTED_TOKEN_LIFETIME = timedelta(minutes=50)


def project() -> str:
    """The Google project quota is counted against: the operator's OAuth client, or one shared name."""
    return get_settings().google_client_id or "default"


def _app() -> tuple[str, str]:
    settings = get_settings()
    if not settings.google_client_id or not settings.google_client_secret:
        raise PermanentNetworkError("The operator has not set SOCIALDESK_GOOGLE_CLIENT_ID and "
                                    "SOCIALDESK_GOOGLE_CLIENT_SECRET (a Google Cloud OAuth client; see "
                                    "docs/networks/youtube.md).")
    return settings.google_client_id, settings.google_client_secret


def token_request(data: dict[str, str]) -> dict[str, Any]:
    """POST to Google's token endpoint (https://developers.google.com/identity/protocols/oauth2/web-server
    #exchange-authorization-code and #offline)."""
    url = get_settings().google_oauth_token_url
    try:
        with outbound.http_client(timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
                                  headers={"User-Agent": USER_AGENT}) as client:
            response = client.post(url, data=data)
    except httpx.HTTPError as error:
        refused = outbound.refusal_in(error)
        if refused is not None:
            raise refused from error
        raise TransientNetworkError(f"No answer from Google's token endpoint: {error}") from error
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 500:
        raise TransientNetworkError(google_message(response)[0], status_code=response.status_code)
    if response.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
        message, reason = google_message(response)
        if reason in ("invalid_grant", "invalid_client", "unauthorized_client") or response.status_code in (400, 401):
            raise AuthError(f"Google refused: {message}", status_code=response.status_code)
        raise PermanentNetworkError(f"Google refused: {message}", status_code=response.status_code)
    return body


def credentials_from(body: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    now = now or clock.now()
    found: dict[str, Any] = {"access_token": body["access_token"]}
    if body.get("refresh_token"):
        found["refresh_token"] = body["refresh_token"]
    if body.get("expires_in"):
        found["expires_at"] = (now + timedelta(seconds=int(body["expires_in"]))).isoformat()
    if body.get("scope"):
        found["scope"] = body["scope"]
    return found


def refresh(credentials: dict[str, Any]) -> dict[str, Any]:
    refresh_token = credentials.get("refresh_token")
    if not refresh_token:
        raise AuthError("This YouTube channel's access token expired and it has no refresh token. Connect it again.")
    try:
        client_id, client_secret = _app()
    except PermanentNetworkError as error:
        raise AuthError(error.network_message) from error
    body = token_request({"grant_type": "refresh_token", "refresh_token": str(refresh_token),
                          "client_id": client_id, "client_secret": client_secret})
    return credentials_from(body)


def account_for_token(credentials: dict[str, Any]) -> ConnectedAccount:
    """The channel a token belongs to (channels.list?mine=true,
    https://developers.google.com/youtube/v3/docs/channels/list)."""
    api = YouTubeApi(str(credentials["access_token"]), project())
    try:
        found = api.get("channels.list", "channels", part="snippet,contentDetails,statistics", mine="true")
    finally:
        api.close()
    items = found.get("items") or []
    if not items:
        raise PermanentNetworkError("This Google account has no YouTube channel. Create one on YouTube first.")
    channel = items[0]
    snippet = channel.get("snippet") or {}
    uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
    custom = snippet.get("customUrl")
    settings = {"channel_id": channel["id"], "uploads_playlist": uploads, "custom_url": custom,
                "quota_project": project(), "default_privacy": "public"}
    return ConnectedAccount(external_id=str(channel["id"]), handle=str(custom or channel["id"]),
                            display_name=str(snippet.get("title") or custom or channel["id"]),
                            credentials=credentials, settings=settings)


def connect(access_token: str | None = None, refresh_token: str | None = None, **_unused: Any) -> ConnectedAccount:
    """Connect with tokens issued elsewhere (e.g. Google's OAuth Playground with the operator's client)."""
    if not access_token:
        raise ValueError("an access token is needed here; the web page can sign you in with Google instead")
    credentials: dict[str, Any] = {"access_token": access_token.strip(),
                                   "expires_at": (clock.now() + PASTED_TOKEN_LIFETIME).isoformat()}
    if refresh_token:
        credentials["refresh_token"] = refresh_token.strip()
    try:
        return account_for_token(credentials)
    except AuthError as exc:
        raise AuthError(f"Google did not accept this token: {exc.network_message}",
                        status_code=exc.status_code) from exc


# The hooks channels/oauth.py uses (NetworkSpec.oauth points here).
class YouTubeOAuth:
    scopes = SCOPES
    server_field = "server"  # not a form field: every channel signs in at Google

    @staticmethod
    def normalise_server(_url: str) -> str:
        return GOOGLE

    @staticmethod
    def register_app(_server_url: str, _redirect_uri: str) -> tuple[str, str]:
        return _app()

    # channels/oauth.py keeps the client it registered first; the operator's current settings win, so a
    # rotated Google client takes effect without touching the database.

    @staticmethod
    def authorize_url(_server_url: str, client_id: str, redirect_uri: str, state: str, code_challenge: str) -> str:
        client_id = get_settings().google_client_id or client_id
        query = urlencode({"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
                           "scope": SCOPES, "access_type": "offline", "prompt": "consent",
                           "include_granted_scopes": "true", "state": state, "code_challenge": code_challenge,
                           "code_challenge_method": "S256"})
        return f"{get_settings().google_oauth_authorize_url}?{query}"

    @staticmethod
    def finish(_server_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str,
               code_verifier: str, settings: dict[str, Any]) -> ConnectedAccount:
        current = get_settings()
        if current.google_client_id and current.google_client_secret:
            client_id, client_secret = current.google_client_id, current.google_client_secret
        body = token_request({"grant_type": "authorization_code", "code": code, "client_id": client_id,
                              "client_secret": client_secret, "redirect_uri": redirect_uri,
                              "code_verifier": code_verifier})
        account = account_for_token(credentials_from(body))
        privacy = settings.get("default_privacy")
        if privacy in ("public", "unlisted", "private"):
            account.settings["default_privacy"] = privacy
        return account
