"""Connecting a YouTube channel from the channels page: Google's sign-in (authorization code with PKCE,
offline access) against the contract server, through channels/oauth.py and /oauth/callback."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select

from socialdesk.channels.models import Channel
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.crypto import decrypt_json
from socialdesk.core.db import Database
from tests.helpers import make_world
from tests.networks.youtube.conftest import YouTube
from tests.web_client import signed_in_client


def test_connecting_from_the_channels_page_with_google(database: Database, youtube: YouTube) -> None:
    world = make_world(database, "Tube Brand", profiles=(), roles=())
    client, _ = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    form = client.get(f"{w}/channels?connect=youtube")
    assert form.status_code == 200 and 'name="access_token"' in form.text and 'name="refresh_token"' in form.text
    started = client.post(f"{w}/channels/connect", data={"network": "youtube", "name": "Brand on YouTube"})
    assert started.status_code == 303, started.text
    location = started.headers["location"]
    assert location.startswith(f"{youtube.base_url}/o/oauth2/v2/auth?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["client_id"] == youtube.state.client_id and query["redirect_uri"] == "http://testserver/oauth/callback"
    assert (query["access_type"], query["prompt"], query["code_challenge_method"]) == ("offline", "consent", "S256")
    back = httpx.get(location, follow_redirects=False).headers["location"]  # the user allows it at Google
    done = client.get(back.removeprefix("http://testserver"), follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{w}/channels"
    with database.read_sessions() as session:
        channel = session.scalars(select(Channel).where(Channel.workspace_id == world.workspace_id)).one()
    assert (channel.network, channel.name, channel.external_id) == ("youtube", "Brand on YouTube",
                                                                    youtube.state.channel_id)
    credentials = decrypt_json(channel.credentials_encrypted)
    assert credentials["refresh_token"] in youtube.state.refresh_tokens and credentials["expires_at"]
    exchange = youtube.server.calls_to("POST", "/token")[0].form()
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"]
    assert client.get(back.removeprefix("http://testserver")).status_code == 422, "a sign-in is used once"
    composer = client.get(f"{w}/compose")
    assert composer.status_code == 200
    assert "Made for kids" in composer.text and "Let YouTube publish it at" in composer.text


def test_without_the_operator_s_google_client_the_page_says_what_to_set(database: Database, youtube: YouTube,
                                                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SOCIALDESK_GOOGLE_CLIENT_ID")
    reset_settings_cache()
    world = make_world(database, "Tube Brand", profiles=(), roles=())
    client, _ = signed_in_client(database, world.users["owner"])
    page = client.post(f"/w/{world.workspace_id}/channels/connect", data={"network": "youtube"})
    assert page.status_code >= 400 and "SOCIALDESK_GOOGLE_CLIENT_ID" in page.text
