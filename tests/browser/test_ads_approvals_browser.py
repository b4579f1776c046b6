"""In a real browser: a boost waits on the approvals page and is rejected there with a comment; the campaign
page shows each request's status and Meta's own words for a failed one; orders uploaded on the campaign page
are attributed by the stated rule, and the window is changed there; an audience is saved on the campaigns
page from the followers' suggestion. Screenshots at 1280 px in test-results/."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from socialdesk.campaigns import ad_requests, service
from socialdesk.campaigns.models import AdRequest, AdRequestStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.browser.test_campaigns_browser import _sign_in
from tests.campaigns.test_meta_ads import TARGETING, _published
from tests.helpers import T0, make_world

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).parent.parent / "fixtures" / "ads"
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_boosts_wait_for_approval_and_orders_are_attributed(database: Database, clock: ManualClock,
                                                            live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    clock.set(T0.replace(year=2026, month=11, day=20))
    world = make_world(database, "Roastery", profiles=("instagram",), approval_steps=["approver"])
    campaign_id, publication_id = _published(database, world, "1234567")
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        service.update(ctx, campaign_id, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 14),
                       utm={"utm_campaign": "winter-espresso"})
        ad_requests.request_boost(world.ctx(session, "editor"), campaign_id=campaign_id,
                                  publication_id=publication_id, token="EAA-token", ad_account="111",
                                  daily_budget=10.0, days=7, targeting=TARGETING)
        session.add(AdRequest(workspace_id=world.workspace_id, campaign_id=campaign_id, kind="boost",
                              status=AdRequestStatus.FAILED, requested_by_label="Roastery editor",
                              params={"ad_account": "222", "daily_budget": 5, "days": 3, "targeting": TARGETING},
                              error="Meta Ads: (#200) Requires ads_management permission to manage the object"))
    w = _sign_in(page, live_server, world)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{w}/approvals")
    card = page.locator("section[aria-label='Ad changes waiting']")
    expect(card).to_contain_text("Boost a post for 7 days at 10.00 a day in HR, ages 25–44")
    expect(page.locator("#approval-count .count")).to_have_text("1")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "approvals-ads-1280.png"), full_page=True)
    card.locator("button", has_text="Reject").click()
    expect(page.locator("[role=alert]").first).to_contain_text("needs a comment")
    page.locator("section[aria-label='Ad changes waiting'] input[name=comment]").fill("Wait for the new photo")
    page.locator("section[aria-label='Ad changes waiting'] button", has_text="Reject").click()
    expect(page.locator("body")).to_contain_text("Rejected")

    page.goto(f"{w}/campaigns/{campaign_id}")
    boosts = page.locator("#boosts")
    expect(boosts).to_contain_text("rejected by")
    expect(boosts).to_contain_text("Wait for the new photo")
    expect(boosts.locator(".network-error")).to_contain_text("(#200) Requires ads_management permission")
    orders = page.locator("#orders")
    expect(orders).to_contain_text("Last click within 7 days")
    orders.locator("input[name=file]").set_input_files(str(FIXTURES / "orders_shop.csv"))
    orders.locator("button", has_text="Import").click()
    expect(page.locator("body")).to_contain_text("4 new, 0 replaced")
    orders = page.locator("#orders")
    expect(orders).to_contain_text("3 orders")  # 1001–1003 within the campaign; 1004 is another campaign's
    expect(orders.locator("[data-metric=orders-roas]")).to_contain_text("no ad results")  # never a ratio over 0
    page.screenshot(path=str(SHOTS / "campaign-orders-1280.png"), full_page=True)
    orders.locator("select[name=days]").select_option("1")
    orders.locator("button", has_text="Use this window").click()
    expect(page.locator("#orders")).to_contain_text("Last click within 1 day:")

    page.goto(f"{w}/campaigns?suggest=1#audiences")
    audiences = page.locator("#audiences")
    expect(audiences).to_contain_text("simulated audience of Roastery instagram")
    audiences.locator("input[name=name]").fill("Our followers")
    audiences.locator("button", has_text="Save the audience").click()
    expect(page.locator("table.audiences-table")).to_contain_text("Our followers")
    page.locator("table.audiences-table button", has_text="Estimate (sandbox)").click()
    expect(page.locator("body")).to_contain_text("people matching it")
    expect(page.locator("table.audiences-table")).to_contain_text("sandbox: Roastery instagram")
    page.screenshot(path=str(SHOTS / "campaigns-audiences-1280.png"), full_page=True)
