"""X credentials: 2-hour access tokens renewed by single-use, rotating refresh tokens under the channel's
lock (channels/service.py:fresh_adapter), and the OAuth 2.0 Authorization Code flow with PKCE through
channels/oauth.py, against the contract server (which checks the verifier against the challenge)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialdesk.auth.service import start_session, user_by_email
from socialdesk.channels import oauth as channel_oauth
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.crypto import decrypt_json
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.base import AuthError
from socialdesk.networks.x.adapter import XAdapter
from tests.helpers import make_world
from tests.networks.x.conftest import XWorld, connect_channel


def _credentials(db: Database, channel_id: str) -> dict:
    with db.read_sessions() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        return decrypt_json(channel.credentials_encrypted)


def test_a_pasted_refresh_token_is_used_once_and_the_rotated_one_is_stored(database: Database, x: XWorld,
                                                                           clock: ManualClock) -> None:
    _, channel_id = connect_channel(database, x)
    pasted = _credentials(database, channel_id)
    adapter = channels.fresh_adapter(database, channel_id)  # age unknown: refreshed before the first call
    stored = _credentials(database, channel_id)
    (exchange,) = x.server.calls_to("POST", "/2/oauth2/token")
    assert exchange.form() == {"grant_type": "refresh_token", "refresh_token": pasted["refresh_token"],
                               "client_id": "sd-client"}
    assert exchange.headers["authorization"].startswith("Basic ")
    assert stored["refresh_token"] != pasted["refresh_token"] and stored["access_token"] != pasted["access_token"]
    assert isinstance(adapter, XAdapter) and adapter.account.credentials["access_token"] == stored["access_token"]
    # The old refresh token is spent: X refuses it.
    again = httpx.post(f"{x.url}/2/oauth2/token", auth=("sd-client", "sd-secret"),
                       data={"grant_type": "refresh_token", "refresh_token": pasted["refresh_token"],
                             "client_id": "sd-client"})
    assert again.status_code == 400 and again.json()["error"] == "invalid_request"

    # Within the 2 hours nothing is refreshed; ten minutes before the end it is, once.
    tries = len(x.server.calls_to("POST", "/2/oauth2/token"))  # ours and the refused one above
    clock.advance(timedelta(minutes=100))
    channels.fresh_adapter(database, channel_id)
    assert len(x.server.calls_to("POST", "/2/oauth2/token")) == tries
    clock.advance(timedelta(minutes=11))
    channels.fresh_adapter(database, channel_id)
    assert len(x.server.calls_to("POST", "/2/oauth2/token")) == tries + 1
    assert _credentials(database, channel_id)["refresh_token"] != stored["refresh_token"]


def test_an_expired_token_is_refreshed_once_and_the_call_goes_through(database: Database, x: XWorld) -> None:
    _, channel_id = connect_channel(database, x)
    channels.fresh_adapter(database, channel_id)
    x.server.tokens.clear()  # X revoked the access token early: 401 with the documented problem
    metrics = channels.call_network(database, channel_id, lambda adapter: adapter.account_metrics())
    assert metrics.followers == 1200
    assert len(x.server.calls_to("POST", "/2/oauth2/token")) == 2


def test_a_refused_refresh_marks_the_channel_for_reconnection(database: Database, x: XWorld) -> None:
    _, channel_id = connect_channel(database, x)
    x.server.refresh_tokens.clear()  # the user revoked socialdesk on X
    with pytest.raises(AuthError, match="Value passed for the token was invalid"):
        channels.fresh_adapter(database, channel_id)
    with database.read_sessions() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None and channel.status == ChannelStatus.NEEDS_RECONNECTION


def test_without_a_refresh_token_nothing_expires_on_our_side(database: Database, x: XWorld) -> None:
    _, channel_id = connect_channel(database, x, refresh=False)
    adapter = channels.fresh_adapter(database, channel_id)
    assert adapter.credentials_expire_at() is None
    assert x.server.calls_to("POST", "/2/oauth2/token") == []


def test_oauth_round_trip_with_pkce(database: Database, x: XWorld) -> None:
    world = make_world(database, profiles=())
    x.server.consent_user = "brand"
    redirect_uri = "https://socialdesk.example/oauth/callback"
    with database.unit_of_work() as session:
        user = user_by_email(session, world.users["owner"])
        assert user is not None
        browser = start_session(session, user).session.id
        where = channel_oauth.start(world.ctx(session), browser, "x", "", redirect_uri, name="Brand on X")
    address = urlsplit(where)
    query = {k: v[0] for k, v in parse_qs(address.query).items()}
    assert f"{address.scheme}://{address.netloc}{address.path}" == f"{x.url}/i/oauth2/authorize"
    assert query["code_challenge_method"] == "S256" and query["client_id"] == "sd-client"
    assert set(query["scope"].split()) >= {"tweet.read", "tweet.write", "users.read", "offline.access",
                                           "media.write", "like.write", "dm.read"}
    consent = httpx.get(where, follow_redirects=False)  # the user allows socialdesk on X
    back = {k: v[0] for k, v in parse_qs(urlsplit(consent.headers["location"]).query).items()}
    assert back["state"] == query["state"]

    # A code with the wrong verifier is refused by X (the server checks PKCE).
    wrong = httpx.post(f"{x.url}/2/oauth2/token", auth=("sd-client", "sd-secret"), data={
        "grant_type": "authorization_code", "code": back["code"], "redirect_uri": redirect_uri,
        "code_verifier": "not-the-verifier", "client_id": "sd-client"})
    assert wrong.status_code == 400 and "code verifier" in wrong.json()["error_description"]

    # The wrong try used the code up (single use): sign in again, and finish properly.
    where = _restart(database, world, browser, redirect_uri)
    consent = httpx.get(where, follow_redirects=False)
    back = {k: v[0] for k, v in parse_qs(urlsplit(consent.headers["location"]).query).items()}
    with database.unit_of_work() as session:
        actor = world.ctx(session).actor
    finished = channel_oauth.finish(database, actor, browser, state=back["state"], code=back["code"])
    exchange = x.server.calls_to("POST", "/2/oauth2/token")[-1].form()
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"]
    credentials = _credentials(database, finished.channel_id)
    assert credentials["refresh_token"].startswith("rt-") and credentials["expires_at"]
    with database.read_sessions() as session:
        channel = session.get(Channel, finished.channel_id)
        assert channel is not None and (channel.external_id, channel.handle) == (x.brand.id, "brand")
    # The same state cannot serve twice.
    with pytest.raises(ValidationFailed):
        channel_oauth.finish(database, actor, browser, state=back["state"], code=back["code"])


def _restart(db: Database, world, browser: str, redirect_uri: str) -> str:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        return channel_oauth.start(world.ctx(session), browser, "x", "", redirect_uri, name="Brand on X")


def test_oauth_needs_the_operators_app(database: Database, x: XWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    from socialdesk.core.config import reset_settings_cache

    monkeypatch.delenv("SOCIALDESK_X_CLIENT_ID")
    reset_settings_cache()
    world = make_world(database, profiles=())
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="SOCIALDESK_X_CLIENT_ID"):
        channel_oauth.start(world.ctx(session), "s", "x", "", "https://socialdesk.example/oauth/callback")
