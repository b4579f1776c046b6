"""Connecting an X account: by pasting tokens, or by OAuth 2.0 Authorization Code with PKCE.

The app is the operator's, registered once in the X developer console (SOCIALDESK_X_CLIENT_ID and
SOCIALDESK_X_CLIENT_SECRET): unlike Mastodon there is no per-server registration, so `register_app` only
hands channels/oauth.py the configured pair. Access tokens live 2 hours; with `offline.access` a refresh
token comes too, and X rotates it on every refresh (the old one is refused afterwards), so refreshing
runs under the channel's row lock (channels/service.py:fresh_adapter) and the new pair is stored at once.
https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks.base import AuthError, PermanentNetworkError, TransientNetworkError
from socialdesk.networks.registry import ConnectedAccount
from socialdesk.networks.x.api import USER_AGENT, XApi, api_url, basic_auth, problem_message, send

# What socialdesk does on X: read and write posts (and upload their media), read the account, refresh
# without the user (offline.access), like, hide replies, read and answer DMs.
SCOPES = ("tweet.read tweet.write users.read offline.access media.write like.read like.write "
          "tweet.moderate.write dm.read dm.write follows.read")
TOKEN_PATH = "/2/oauth2/token"
# Documented lifetime of an access token (used when X's answer carries no expires_in).
ACCESS_LIFETIME = timedelta(hours=2)
USER_FIELDS = "id,name,username,public_metrics,created_at,profile_image_url"


def expires_at(expires_in: Any) -> str:
    try:
        seconds = float(expires_in)
    except (TypeError, ValueError):
        seconds = ACCESS_LIFETIME.total_seconds()
    return (clock.now() + timedelta(seconds=seconds)).isoformat()


def parse_expiry(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _client() -> tuple[str, str | None]:
    settings = get_settings()
    if not settings.x_client_id:
        raise PermanentNetworkError("X sign-in needs the operator's app: set SOCIALDESK_X_CLIENT_ID (and "
                                    "SOCIALDESK_X_CLIENT_SECRET for a confidential client).")
    return settings.x_client_id, settings.x_client_secret


def token_request(form: dict[str, str], client_id: str, client_secret: str | None) -> dict[str, Any]:
    """`POST /2/oauth2/token`; X's refusal (invalid_grant: a used or revoked code or refresh token) is
    an AuthError carrying X's words."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT,
               **basic_auth(client_id, client_secret)}
    # A lost answer loses at most a code (the user signs in again) or a refresh token (reconnect).
    response = send("POST", f"{api_url()}{TOKEN_PATH}", data={**form, "client_id": client_id}, headers=headers)
    try:
        body: Any = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 500:
        raise TransientNetworkError(problem_message(body) or f"X answered HTTP {response.status_code}",
                                    status_code=response.status_code)
    if response.status_code >= 400 or not isinstance(body, dict) or not body.get("access_token"):
        message = problem_message(body) or f"HTTP {response.status_code}"
        raise AuthError(f"X refused the token request: {message}", status_code=response.status_code)
    return body


def credentials_from(body: dict[str, Any], previous_refresh: str | None = None) -> dict[str, Any]:
    return {"access_token": str(body["access_token"]),
            "refresh_token": str(body.get("refresh_token") or previous_refresh or "") or None,
            "expires_at": expires_at(body.get("expires_in")),
            "scope": body.get("scope")}


def refresh(credentials: dict[str, Any]) -> dict[str, Any]:
    """New credentials from the stored refresh token (single use: X answers with a new one)."""
    token = credentials.get("refresh_token")
    if not token:
        raise AuthError("The X access token expired and there is no refresh token; reconnect the channel.")
    if credentials.get("client_id"):
        client_id, secret = str(credentials["client_id"]), credentials.get("client_secret")
    else:
        try:
            client_id, secret = _client()
        except PermanentNetworkError as exc:
            raise AuthError(exc.network_message) from exc
    body = token_request({"grant_type": "refresh_token", "refresh_token": str(token)}, client_id, secret)
    return credentials_from(body, previous_refresh=None)


def account_for_token(credentials: dict[str, Any]) -> ConnectedAccount:
    """Who the token belongs to (`GET /2/users/me`), as a channel stores it."""
    me = XApi(str(credentials["access_token"])).call("GET", "/2/users/me", params={"user.fields": USER_FIELDS})
    data = (me or {}).get("data") or {}
    if not data.get("id"):
        raise PermanentNetworkError("X did not say whom this token belongs to.")
    username = str(data.get("username") or data["id"])
    return ConnectedAccount(
        external_id=str(data["id"]), handle=username, display_name=str(data.get("name") or username),
        credentials={k: v for k, v in credentials.items() if v not in (None, "")},
        settings={"user_id": str(data["id"]), "username": username})


def connect(access_token: str | None = None, refresh_token: str | None = None, client_id: str | None = None,
            enterprise: str | None = None, **_unused: Any) -> ConnectedAccount:
    """Connect with tokens issued elsewhere (another OAuth 2.0 client of the operator's app, or xurl).

    Without `expires_at` a pasted access token's age is unknown: with a refresh token the channel
    refreshes before its first call (the pasted refresh token is then used up, as X rotates it).
    Without an access token the web UI sends the user through X's sign-in instead."""
    if not access_token or not access_token.strip():
        raise ValueError("an access token is needed here; the web page can sign you in on X instead")
    credentials: dict[str, Any] = {"access_token": access_token.strip()}
    if refresh_token and refresh_token.strip():
        credentials["refresh_token"] = refresh_token.strip()
        credentials["expires_at"] = clock.now().isoformat()  # age unknown: refresh before the first call
    if client_id and client_id.strip():
        credentials["client_id"] = client_id.strip()
    try:
        account = account_for_token(credentials)
    except AuthError as exc:
        raise AuthError(f"X did not accept this token: {exc.network_message}", status_code=exc.status_code) from exc
    if enterprise and enterprise.strip().lower() in ("1", "true", "yes", "on"):
        account.settings["enterprise"] = True
    return account


# The hooks channels/oauth.py uses (NetworkSpec.oauth points here).
class XOAuth:
    scopes = SCOPES
    server_field = ""  # one X: no server to choose

    @staticmethod
    def normalise_server(_server: str) -> str:
        return api_url()

    @staticmethod
    def register_app(_server_url: str, _redirect_uri: str) -> tuple[str, str]:
        client_id, secret = _client()
        return client_id, secret or ""

    @staticmethod
    def authorize_url(_server_url: str, client_id: str, redirect_uri: str, state: str, code_challenge: str) -> str:
        query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                           "scope": SCOPES, "state": state, "code_challenge": code_challenge,
                           "code_challenge_method": "S256"})
        return f"{get_settings().x_authorize_url}?{query}"

    @staticmethod
    def finish(_server_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str,
               code_verifier: str, settings: dict[str, Any]) -> ConnectedAccount:
        body = token_request({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                              "code_verifier": code_verifier}, client_id, client_secret or None)
        account = account_for_token(credentials_from(body))
        if str(settings.get("enterprise", "")).lower() in ("1", "true", "yes", "on"):
            account.settings["enterprise"] = True
        return account
