"""Connecting a Mastodon account: by a token the user already has, or by OAuth from the web UI.

The OAuth flow is authorization code with PKCE (S256, Mastodon 4.3+; older servers ignore the challenge
and still work). Mastodon.py 2.3 has no PKCE parameters, so the authorize address and the token request
are built here; registering the app and everything after the token go through Mastodon.py.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import requests
from mastodon import Mastodon

from socialdesk.networks.base import AuthError, NetworkError, PermanentNetworkError, TransientNetworkError
from socialdesk.networks.mastodon.client import (
    CONNECT_TIMEOUT,
    READ_TIMEOUT,
    USER_AGENT,
    RecordingSession,
    make_client,
    sorted_errors,
)
from socialdesk.networks.mastodon.instance import VISIBILITIES, limits_from_instance
from socialdesk.networks.registry import ConnectedAccount

# read + write for publishing and the inbox; follow for blocking authors.
SCOPES = "read write follow"
APP_NAME = "socialdesk"
APP_WEBSITE = "https://github.com/socialdesk/socialdesk"


def normalise_server(url: str) -> str:
    """`mastodon.social`, `https://Mastodon.Social/` and `https://mastodon.social/about` → one address.

    Plain http is refused except on this machine (a test server): a token sent over http can be read
    by anyone on the way.
    """
    text = (url or "").strip()
    if text.startswith("@") or (text.count("@") == 1 and "://" not in text):
        text = text.rsplit("@", 1)[-1]  # "@brand@mastodon.social" → the server part
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise ValueError(f"{url!r} is not a server address; write it like mastodon.social")
    if parts.scheme == "http" and not _loopback(host):
        raise ValueError("the server must be reached over https")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register_app(server_url: str, redirect_uri: str) -> tuple[str, str]:
    """Register socialdesk as a client on the server; returns (client_id, client_secret)."""
    probe = make_client(server_url, None)
    session = probe.session
    with sorted_errors(probe):
        client_id, client_secret = Mastodon.create_app(
            APP_NAME, scopes=SCOPES.split(), redirect_uris=redirect_uri, website=APP_WEBSITE,
            api_base_url=server_url, session=session, user_agent=USER_AGENT)
    return str(client_id), str(client_secret)


def authorize_url(server_url: str, client_id: str, redirect_uri: str, state: str, code_challenge: str) -> str:
    query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                       "scope": SCOPES, "state": state, "code_challenge": code_challenge,
                       "code_challenge_method": "S256"})
    return f"{server_url}/oauth/authorize?{query}"


def exchange_code(server_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str,
                  code_verifier: str) -> str:
    """The access token for an authorization code (`POST /oauth/token`)."""
    data = {"grant_type": "authorization_code", "code": code, "client_id": client_id,
            "client_secret": client_secret, "redirect_uri": redirect_uri, "code_verifier": code_verifier,
            "scope": SCOPES}
    try:
        with RecordingSession((CONNECT_TIMEOUT, READ_TIMEOUT)) as session:  # the outbound policy's session
            response = session.post(f"{server_url}/oauth/token", data=data, headers={"User-Agent": USER_AGENT})
    except (requests.RequestException, httpx.HTTPError) as exc:
        # A lost answer here costs only the code (single use): the user signs in again.
        raise TransientNetworkError(f"No answer from {server_url}: {exc}") from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not response.ok or not isinstance(body, dict) or not body.get("access_token"):
        message = (body.get("error_description") or body.get("error") if isinstance(body, dict) else None) \
            or f"HTTP {response.status_code} {response.reason}"
        if response.status_code >= 500:
            raise TransientNetworkError(str(message), status_code=response.status_code)
        raise PermanentNetworkError(f"The server refused the authorization: {message}",
                                    status_code=response.status_code)
    return str(body["access_token"])


def account_for_token(server_url: str, access_token: str, *, visibility: str | None = None) -> ConnectedAccount:
    """Who the token belongs to, and the server's limits, as a channel stores them."""
    client = make_client(server_url, access_token)
    with sorted_errors(client):
        me = client.account_verify_credentials()
    instance: dict[str, Any] = {}
    try:
        with sorted_errors(client):
            instance = dict(client.instance_v2())
    except NetworkError:
        pass  # an older server without v2: the channel keeps Mastodon's default limits
    host = urlsplit(server_url).netloc
    username = str(me["username"])
    settings: dict[str, Any] = {
        "instance": server_url, "instance_host": host, "account_id": str(me["id"]),
        "account_url": me.get("url"), "limits": limits_from_instance(instance),
        "default_visibility": visibility or "public", "server_version": instance.get("version"),
    }
    return ConnectedAccount(external_id=f"{me['id']}@{host}", handle=f"{username}@{host}",
                            display_name=str(me.get("display_name") or username),
                            credentials={"access_token": access_token}, settings=settings)


def connect(instance: str, access_token: str | None = None, visibility: str | None = None,
            **_unused: Any) -> ConnectedAccount:
    """Connect with a token issued elsewhere (the server's Development settings, or another OAuth client).

    Without a token the web UI sends the user through OAuth instead (channels/oauth.py).
    """
    if visibility and visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    if not access_token:
        raise ValueError("an access token is needed here; the web page can sign you in on the server instead")
    server_url = normalise_server(instance)
    try:
        return account_for_token(server_url, access_token.strip(), visibility=visibility or None)
    except AuthError as exc:
        raise AuthError(f"The server did not accept this token: {exc.network_message}",
                        status_code=exc.status_code) from exc


# The hooks channels/oauth.py uses (NetworkSpec.oauth points here).
class MastodonOAuth:
    scopes = SCOPES
    server_field = "instance"  # the connect field naming the server to sign in on
    normalise_server = staticmethod(normalise_server)
    register_app = staticmethod(register_app)
    authorize_url = staticmethod(authorize_url)

    @staticmethod
    def finish(server_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str,
               code_verifier: str, settings: dict[str, Any]) -> ConnectedAccount:
        token = exchange_code(server_url, client_id, client_secret, redirect_uri, code, code_verifier)
        chosen = settings.get("visibility")
        return account_for_token(server_url, token, visibility=chosen if chosen in VISIBILITIES else None)
