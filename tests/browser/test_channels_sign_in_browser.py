"""In a real browser: connecting a Facebook Page from the Channels page without pasting a token goes to
Facebook's sign-in dialog (answered here as the Meta contract world would, by sending the browser back with a
code) and comes back with the Page connected. The page's CSP must let that form leave for the network:
Chromium applies `form-action` to the redirect that follows the POST, and `'self'` alone refused it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select

from socialdesk.channels.models import Channel
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.browser.test_campaigns_browser import _sign_in
from tests.helpers import make_world
from tests.networks.facebook.conftest import Facebook, fb  # noqa: F401  (the Meta contract server)

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_sign_in_with_facebook_from_the_channels_page(database: Database, clock: ManualClock, live_server: str,
                                                      page: Any, fb: Facebook) -> None:  # noqa: F811
    from playwright.sync_api import expect

    outlet = fb.world.add_page("Brand Outlet", admins=[fb.user["id"]])
    world = make_world(database, "Roastery", profiles=())
    dialogs: list[dict[str, str]] = []
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)

    def facebook_dialog(route: Any) -> None:
        """The person signs in and allows socialdesk: Facebook sends the browser back with a code."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()}
        dialogs.append(query)
        code = fb.world.grant_code(fb.user["id"], query["redirect_uri"])
        route.fulfill(status=302, headers={"Location": f"{query['redirect_uri']}?"
                                                       f"{urlencode({'state': query['state'], 'code': code})}"})

    page.route("https://www.facebook.com/**", facebook_dialog)
    w = _sign_in(page, live_server, world)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{w}/channels")
    page.get_by_label("Network").select_option("facebook")
    page.get_by_role("button", name="Connect a channel").click()
    form = page.locator("form.connect")
    expect(form.locator("h3")).to_contain_text("Facebook")
    expect(form).to_contain_text("Without a token, Connect takes you to your server to sign in")
    form.get_by_label("Name in socialdesk").fill("Outlet")
    form.locator("input[name=page_id]").fill(outlet["id"])
    form.get_by_role("button", name="Connect", exact=True).click()

    expect(page.locator(".channel h2", has_text="Outlet")).to_have_count(1)
    expect(page.locator("body")).to_contain_text("Connected Outlet")
    expect(page.locator(".channel", has_text="Outlet")).not_to_contain_text("@Brand Outlet")  # a name, not a handle
    assert len(dialogs) == 1 and "pages_manage_posts" in dialogs[0]["scope"]
    assert not refused, refused
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "channels-signed-in-facebook-1280.png"), full_page=True)
    with database.read_sessions() as session:
        channel = session.scalars(select(Channel).where(Channel.workspace_id == world.workspace_id)).one()
    assert channel.network == "facebook" and channel.external_id == outlet["id"]
