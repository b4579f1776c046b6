"""X in the web UI: the composer shows what a post costs, and the connect form without a token sends the
browser through X's sign-in (OAuth 2.0 with PKCE) and back to /oauth/callback."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from socialdesk.channels.models import Channel
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.networks.x.conftest import XWorld, connect_channel
from tests.web.conftest import Site, build_site


@pytest.fixture
def site(database: Database, clock: ManualClock, x: XWorld) -> Site:
    return build_site(database)


def test_the_composer_says_an_x_post_costs_money(site: Site, x: XWorld) -> None:
    connect_channel(site.db, x, world=site.world)
    page = site.client.get(f"{site.w}/compose").text
    assert "X bills the operator per request" in page
    assert page.count("cost-note") == 1  # only on the X channel, not on the sandbox ones
    assert "Reply under" in page and "Who can reply" in page  # the X options


def test_connecting_by_signing_in_on_x(site: Site, x: XWorld) -> None:
    x.server.consent_user = "brand"
    started = site.post(f"{site.w}/channels/connect", {"network": "x", "name": "Brand on X", "access_token": ""},
                        follow_redirects=False)
    assert started.status_code == 303  # type: ignore[attr-defined]
    where = started.headers["location"]  # type: ignore[attr-defined]
    assert where.startswith(f"{x.url}/i/oauth2/authorize?")
    consent = httpx.get(where, follow_redirects=False)
    back = urlsplit(consent.headers["location"])
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    done = site.client.get("/oauth/callback", params=query, follow_redirects=False)
    assert done.status_code in (302, 303), done.text
    token_request = x.server.calls_to("POST", "/2/oauth2/token")[-1].form()
    assert token_request["grant_type"] == "authorization_code" and token_request["code_verifier"]
    with site.db.read_sessions() as session:
        channel = session.scalars(select(Channel).where(Channel.network == "x")).one()
        assert (channel.name, channel.handle, channel.external_id) == ("Brand on X", "brand", x.brand.id)
