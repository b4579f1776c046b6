"""Connecting a VK community through VK ID (OAuth 2.1 with PKCE) from the channels page, and refreshing."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, OAuthState
from socialdesk.core.clock import ManualClock
from socialdesk.core.crypto import decrypt_json
from socialdesk.core.db import Database
from socialdesk.networks.base import AuthError, OutgoingPost
from socialdesk.networks.vk import oauth
from tests.contract.vk import VkContract
from tests.helpers import make_world
from tests.web_client import signed_in_client


def test_vk_id_round_trip_connects_the_community_and_the_token_refreshes(
        vk: VkContract, database: Database, clock: ManualClock) -> None:
    world = make_world(database, "VK Brand", profiles=(), roles=())
    client, _ = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    form = client.get(f"{w}/channels?connect=vk")
    assert form.status_code == 200 and 'name="group_id"' in form.text and 'name="community_token"' in form.text
    started = client.post(f"{w}/channels/connect", data={
        "network": "vk", "name": "Brand on VK", "group_id": vk.state.screen_name})
    assert started.status_code == 303, started.text[:500]
    location = started.headers["location"]
    assert location.startswith(f"{vk.server.base_url}/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["client_id"] == vk.state.client_id and query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == "http://testserver/oauth/callback" and "wall" in query["scope"].split()
    with database.read_sessions() as session:
        verifier = decrypt_json(session.scalars(select(OAuthState)).one().code_verifier_encrypted)["verifier"]
    assert query["code_challenge"] == base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")

    # The administrator allows the app on id.vk.com; VK ID sends code, state and device_id back.
    allowed = httpx.get(location, follow_redirects=False)
    assert allowed.status_code == 302
    back_to = allowed.headers["location"]
    assert back_to.startswith("http://testserver/oauth/callback?")
    back = {k: v[0] for k, v in parse_qs(urlsplit(back_to).query).items()}
    assert back["state"] == query["state"] and back["device_id"]
    done = client.get(back_to.removeprefix("http://testserver"))
    assert done.status_code == 303 and done.headers["location"] == f"{w}/channels", done.text[:500]
    exchange = vk.server.calls_to("POST", "/oauth2/auth")[0].form()
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"] == verifier
    assert exchange["device_id"] == back["device_id"]
    with database.read_sessions() as session:
        channel = session.scalars(select(Channel).where(Channel.network == "vk")).one()
        credentials = decrypt_json(channel.credentials_encrypted)
    assert channel.external_id == str(vk.state.group_id) and channel.name == "Brand on VK"
    assert credentials["refresh_token"] and credentials["device_id"] == back["device_id"]
    assert credentials["expires_at"]

    # Ahead of the hour's expiry the token is refreshed (VK ID rotates the refresh token) and still posts.
    clock.advance(timedelta(minutes=55))
    adapter = channels.fresh_adapter(database, channel.id)
    refreshed = vk.server.calls_to("POST", "/oauth2/auth")[-1].form()
    assert refreshed["grant_type"] == "refresh_token" and refreshed["refresh_token"] == credentials["refresh_token"]
    assert adapter.account.credentials["access_token"] != credentials["access_token"]  # type: ignore[attr-defined]
    adapter.publish(OutgoingPost(text="Posted with a VK ID token"))
    assert len(vk.state.posts) == 1

    # A refresh token used once is refused the second time: the channel must be reconnected.
    with pytest.raises(AuthError, match="VK ID refused"):
        oauth.refresh(credentials)


def test_without_the_operators_app_vk_id_is_explained(vk: VkContract, database: Database,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from socialdesk.core.config import reset_settings_cache

    monkeypatch.delenv("SOCIALDESK_VK_APP_ID")
    reset_settings_cache()
    world = make_world(database, "VK Brand", profiles=(), roles=())
    client, _ = signed_in_client(database, world.users["owner"])
    refused = client.post(f"/w/{world.workspace_id}/channels/connect", data={"network": "vk", "group_id": "1"})
    assert refused.status_code == 422 and "SOCIALDESK_VK_APP_ID" in refused.text
