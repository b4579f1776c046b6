"""The studio page in a real browser: set brand colours, make a quote card (it appears with its alt text),
and see the contrast check. With SOCIALDESK_SCREENSHOTS=<folder>, the page is saved there at 1280 px."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from socialdesk.core.db import Database
from tests.browser.layout import layout_problems
from tests.helpers import PASSWORD, make_world

SHOTS = os.environ.get("SOCIALDESK_SCREENSHOTS")


def test_a_branded_card_is_made_from_the_studio_page(database: Database, live_server: str, page: Any,
                                                     chromium: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("instagram",))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/studio")
    page.fill("input[name=primary]", "#0b7285")
    page.check("input[name=require_alt_text]")
    page.click("text=Save the brand kit")
    expect(page.locator(".alert.note").first).to_contain_text("Brand kit saved")
    expect(page.locator("input[name=require_alt_text]")).to_be_checked()
    quote = page.locator("form[data-card=quote]")
    quote.locator("textarea[name=field_quote]").fill("Small batches, big taste — roasted every Tuesday")
    quote.locator("input[name=field_author]").fill("Kava & Co.")
    quote.get_by_role("button", name="Make the card").click()
    expect(page.locator(".card-result img")).to_have_attribute(
        "alt", "Quote card: “Small batches, big taste — roasted every Tuesday” — Kava & Co.")
    expect(page.locator(".card-result")).to_contain_text("1080×1350")
    page.wait_for_load_state("networkidle")
    assert not layout_problems(page)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / "studio-page.png"), full_page=True)
    # A required field left empty: the reason, and nothing made.
    page.locator("form[data-card=quote] textarea[name=field_quote]").fill("")
    page.locator("form[data-card=quote]").get_by_role("button", name="Make the card").click()
    expect(page.locator(".alert.error")).to_contain_text("needs “Quote”")


def test_an_infographic_is_one_click_from_analytics(database: Database, live_server: str, page: Any,
                                                    chromium: Any) -> None:
    from datetime import timedelta

    from playwright.sync_api import expect

    from socialdesk.analytics.models import ChannelMetricSnapshot
    from socialdesk.core import clock

    world = make_world(database, profiles=("instagram",))
    with database.unit_of_work() as session:
        now = clock.now()
        for at, followers in ((now.replace(day=1, hour=1), 2000), (now - timedelta(minutes=3), 2150)):
            session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=world.channels["instagram"],
                                              collected_at=at, followers=followers))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/analytics")
    page.get_by_role("button", name="Followers this month").click()
    image = page.locator(".card-result img")
    expect(image).to_have_attribute("alt", re.compile(r"\+150 this month, 2,150 in all"))
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "studio-infographic.png"), full_page=True)
