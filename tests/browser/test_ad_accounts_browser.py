"""In a real browser: "Connect with Meta" on the campaigns page goes through the Meta login (Facebook's dialog
answered here as the contract world would, by sending the browser back with a code), the ad accounts Meta
lists are offered, one is chosen, and the page then shows it connected. Screenshots at 1280 px in
test-results/."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.browser.test_campaigns_browser import _sign_in
from tests.campaigns.conftest import meta  # noqa: F401  (the Graph + Marketing contract server)
from tests.helpers import make_world

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_connect_with_meta_on_the_campaigns_page(database: Database, clock: ManualClock, live_server: str,
                                                 page: Any, meta: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    meta.marketing.add_account("222", currency="USD", name="Shop ads", users=[meta.user["id"]],
                               timezone_name="America/New_York")
    world = make_world(database, "Roastery", profiles=())
    dialogs: list[dict[str, str]] = []

    def facebook_dialog(route: Any) -> None:
        """The person accepts in Meta's dialog: Meta sends the browser back to socialdesk with a code."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()}
        dialogs.append(query)
        code = meta.world.grant_code(meta.user["id"], query["redirect_uri"], scopes=("ads_read", "ads_management"))
        back = f"{query['redirect_uri']}?{urlencode({'state': query['state'], 'code': code})}"
        route.fulfill(status=302, headers={"Location": back})

    page.route("https://www.facebook.com/**", facebook_dialog)
    w = _sign_in(page, live_server, world)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{w}/campaigns")
    card = page.locator("#ad-accounts")
    expect(card).to_contain_text("instead of pasting a token")
    card.locator("button", has_text="Connect with Meta").click()
    expect(page.locator("body")).to_contain_text("Choose the ones socialdesk may use")
    assert dialogs and dialogs[0]["scope"] == "ads_read,ads_management"
    expect(card.locator("input[name=account]")).to_have_count(2)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "campaigns-ad-accounts-choose-1280.png"), full_page=True)
    card.locator("label", has_text="Shop ads").locator("input").check()
    card.locator("button", has_text="Use these ad accounts").click()
    expect(page.locator("body")).to_contain_text("Connected ad accounts: Shop ads")
    table = page.locator("#ad-accounts table")
    expect(table).to_contain_text("act_222")
    expect(table).to_contain_text("USD")
    expect(page.locator("#ad-accounts")).to_contain_text("Connect with Meta again")
    page.locator("#ad-accounts").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "campaigns-ad-accounts-connected-1280.png"), full_page=True)
