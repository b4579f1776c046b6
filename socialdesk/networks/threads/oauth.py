"""Connecting a Threads account through Threads' own sign-in (the Authorization Window), from the web UI.

https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions
1. The browser goes to https://threads.com/oauth/authorize with the operator's Threads app id, the
   permissions, and channels/oauth.py's single-use state.
2. Threads sends it back with a code, exchanged at `POST /oauth/access_token` for a short-lived (1 hour)
   token and the user's id.
3. That token is exchanged for a long-lived one (60 days) at `GET /access_token?grant_type=th_exchange_token`
   (https://developers.facebook.com/docs/threads/get-started/long-lived-tokens), which the channel stores
   and socialdesk renews ahead of expiry (ThreadsAdapter.refresh_credentials).

The app is the operator's, not registered per server as on Mastodon: `register_app` hands channels/oauth.py
SOCIALDESK_THREADS_APP_ID and SOCIALDESK_THREADS_APP_SECRET. Threads takes no PKCE parameters; the state
still binds the flow to the browser session.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from socialdesk.core.config import get_settings
from socialdesk.networks.base import PermanentNetworkError
from socialdesk.networks.registry import ConnectedAccount
from socialdesk.networks.threads.adapter import account_for_token, token_credentials
from socialdesk.networks.threads.client import ThreadsClient, api_base

AUTHORIZE_URL = "https://threads.com/oauth/authorize"
# threads_basic: everything; content_publish: posts and replies; read/manage_replies: the inbox, replying and
# hiding; manage_insights: metrics. (threads_manage_mentions and threads_delete are not asked: each needs its
# own app review; without the first, mentions are skipped and replies still arrive.)
SCOPES = "threads_basic,threads_content_publish,threads_read_replies,threads_manage_replies,threads_manage_insights"


def normalise_server(_server: str = "") -> str:
    """One Threads; its API base stands for it (SOCIALDESK_THREADS_API_URL, a contract server in tests)."""
    return api_base()


def _app() -> tuple[str, str]:
    settings = get_settings()
    if not settings.threads_app_id or not settings.threads_app_secret:
        raise PermanentNetworkError(
            "Signing in on Threads needs the operator's Threads app: set SOCIALDESK_THREADS_APP_ID and "
            "SOCIALDESK_THREADS_APP_SECRET (docs/networks/threads.md), or paste an access token instead.")
    return settings.threads_app_id, settings.threads_app_secret


def register_app(server_url: str, redirect_uri: str) -> tuple[str, str]:
    """Nothing to register: the operator registered the app with Meta (its redirect URI included)."""
    return _app()


def authorize_url(server_url: str, client_id: str, redirect_uri: str, state: str, code_challenge: str) -> str:
    query = urlencode({"client_id": client_id, "redirect_uri": redirect_uri, "scope": SCOPES,
                       "response_type": "code", "state": state})
    return f"{AUTHORIZE_URL}?{query}"


def exchange_code(client_id: str, client_secret: str, redirect_uri: str, code: str) -> str:
    """The short-lived token for an authorization code (`POST /oauth/access_token`)."""
    client = ThreadsClient("")
    try:
        body = client.post("oauth/access_token", {
            "client_id": client_id, "client_secret": client_secret, "grant_type": "authorization_code",
            "redirect_uri": redirect_uri, "code": code}, versioned=False, token=False)
    finally:
        client.close()
    if not isinstance(body, dict) or not body.get("access_token"):
        raise PermanentNetworkError("Threads gave no access token for the authorization code.")
    return str(body["access_token"])


def long_lived(short_token: str, client_secret: str) -> dict[str, Any]:
    """A 60-day token for a short-lived one (`GET /access_token?grant_type=th_exchange_token`)."""
    client = ThreadsClient(short_token)
    try:
        body = client.get("access_token", {"grant_type": "th_exchange_token", "client_secret": client_secret},
                          versioned=False)
    finally:
        client.close()
    return token_credentials(body)


class ThreadsOAuth:
    scopes = SCOPES
    server_field = None  # no server to choose
    normalise_server = staticmethod(normalise_server)
    register_app = staticmethod(register_app)
    authorize_url = staticmethod(authorize_url)

    @staticmethod
    def finish(server_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str,
               code_verifier: str, settings: dict[str, Any]) -> ConnectedAccount:
        app_id, app_secret = _app()  # the current registration, should the operator have replaced it
        short = exchange_code(app_id, app_secret, redirect_uri, code)
        credentials = long_lived(short, app_secret)
        found = account_for_token(credentials["access_token"], credentials=credentials)
        return ConnectedAccount(**found)
