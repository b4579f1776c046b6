"""Connecting a channel to an address on the inside network (issue 11, finding 1): a workspace admin
pointing WordPress's site_url, Ghost's admin_url, Mastodon's instance or Bluesky's service at 127.0.0.1
is refused with the reason, nothing is sent there, and nothing the target would answer is shown.

The target is a real server on loopback that answers every request with a secret; with the operator's
setting (SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS) the same connect does reach it, which is what
happened to every address before the policy."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from socialdesk.channels import oauth
from socialdesk.channels import service as channels
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from tests.helpers import World, allow_private_targets, make_world, serving

SECRET = "INTERNAL-ADMIN-PAGE-SECRET"


class Inside:
    """A service on the inside network: answers everything with a 404 and a secret in the body (the
    adapters quote a non-JSON error body to the user, which is how the secret used to leak)."""

    def __init__(self) -> None:
        self.connections = 0
        inside = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self) -> None:
                inside.connections += 1
                super().setup()

            def _answer(self) -> None:
                body = SECRET.encode()
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def inside() -> Iterator[Inside]:
    found = Inside()
    with serving(found.server):
        yield found


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database, profiles=(), roles=())


GHOST_KEY = "0123456789abcdef01234567:" + "ab" * 32
CONNECTS = {
    "wordpress": lambda url: {"site_url": url, "username": "editor", "app_password": "abcd efgh ijkl mnop"},
    "ghost": lambda url: {"admin_url": url, "admin_api_key": GHOST_KEY},
    "mastodon": lambda url: {"instance": url, "access_token": "a-token"},
    "bluesky": lambda url: {"handle": "brand.example.com", "app_password": "abcd-efgh-ijkl-mnop", "service": url},
}


def _connect(database: Database, world: World, network: str, url: str) -> str:
    with database.unit_of_work() as session, pytest.raises(ValidationFailed) as refused:
        channels.connect(world.ctx(session), network, "Inside", **CONNECTS[network](url))
    return refused.value.message


@pytest.mark.parametrize("network", CONNECTS)
def test_connecting_a_channel_to_loopback_is_refused_with_the_reason_and_nothing_is_sent(
        network: str, database: Database, world: World, inside: Inside) -> None:
    message = _connect(database, world, network, f"{inside.url}/api/v1/me?x=")
    assert f"Cannot connect {network}: refused: 127.0.0.1 is a loopback address" in message
    assert SECRET not in message
    assert inside.connections == 0


@pytest.mark.parametrize("network", CONNECTS)
def test_a_closed_port_on_a_refused_target_reads_as_an_open_one(network: str, database: Database,
                                                                 world: World, inside: Inside) -> None:
    """No port scanning from the error text: the refusal comes before any connection."""
    open_port = _connect(database, world, network, inside.url)
    closed_port = _connect(database, world, network, "http://127.0.0.1:9")
    assert open_port == closed_port.replace("127.0.0.1:9", inside.url.removeprefix("http://"))
    assert "refused: 127.0.0.1 is a loopback address" in closed_port
    assert "Connection refused" not in closed_port and "Cannot reach" not in closed_port


@pytest.mark.parametrize("network", CONNECTS)
def test_the_operators_setting_lets_a_self_hosted_peer_on_loopback_be_reached(
        network: str, database: Database, world: World, inside: Inside, monkeypatch: pytest.MonkeyPatch) -> None:
    """What every address got before the policy: the connection is made and the peer's words come back."""
    allow_private_targets(monkeypatch, "127.0.0.1/32")
    message = _connect(database, world, network, inside.url)
    assert inside.connections > 0
    assert "refused: 127.0.0.1" not in message


def test_signing_in_on_a_mastodon_server_on_loopback_is_refused(database: Database, world: World,
                                                                 inside: Inside) -> None:
    """The OAuth flow registers socialdesk on the server first: that request is refused the same way."""
    with database.unit_of_work() as session, pytest.raises(ValidationFailed) as refused:
        oauth.start(world.ctx(session), "browser-session", "mastodon", inside.url,
                    "https://socialdesk.example/oauth/callback")
    assert "Cannot connect mastodon: refused: 127.0.0.1 is a loopback address" in refused.value.message
    assert SECRET not in refused.value.message
    assert inside.connections == 0


def test_a_bluesky_server_naming_an_inside_pds_cannot_send_socialdesk_there(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDS comes from the account's DID document, which the account's owner writes: the calls that go
    there follow the same policy."""
    from socialdesk.networks.base import ChannelAccount
    from socialdesk.networks.bluesky.adapter import BlueskyAdapter
    from socialdesk.networks.outbound import OutboundRefused

    credentials = {"access_jwt": "a.b.c", "refresh_jwt": "d.e.f"}
    adapter = BlueskyAdapter(ChannelAccount("c", "did:plc:x", "brand.example.com", credentials,
                                            {"service": "https://bsky.social", "pds": "http://169.254.169.254"}))
    with pytest.raises(OutboundRefused) as refused:
        adapter.refresh_credentials()
    assert "refused: 169.254.169.254 is a link-local address" in refused.value.network_message


def test_the_mastodon_token_request_of_the_oauth_flow_follows_the_policy(inside: Inside) -> None:
    """The last step of the sign-in (POST /oauth/token) goes to the server the flow started with; it is
    refused the same way if that address is (no longer) allowed."""
    from socialdesk.networks.mastodon.oauth import exchange_code
    from socialdesk.networks.outbound import OutboundRefused

    with pytest.raises(OutboundRefused) as refused:
        exchange_code(inside.url, "client", "secret", "https://socialdesk.example/oauth/callback", "code", "verifier")
    assert "refused: 127.0.0.1 is a loopback address" in refused.value.network_message
    assert inside.connections == 0
