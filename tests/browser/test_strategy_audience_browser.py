"""The strategist's pages in a real browser: the platform comparison with its recommendation and the
audience on the strategy page, the composer suggesting a pillar that the writer takes with one click, and
the calendar's planned-vs-actual mix. With SOCIALDESK_SCREENSHOTS=<folder>, each page is saved there at
1280 px."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from socialdesk.content.models import Post
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.strategy import platforms, service
from tests.browser.test_campaigns_browser import _sign_in
from tests.helpers import make_world
from tests.strategy.test_audience_platforms import _messages, _published

SHOTS = os.environ.get("SOCIALDESK_SCREENSHOTS")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def test_platforms_audience_composer_and_calendar(database: Database, clock: ManualClock, live_server: str,
                                                  page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x", "instagram"), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        service.add_pillar(ctx, "Education", target_share=0.5, description="Brewing guides: kava at home")
        service.add_pillar(ctx, "Product", target_share=0.5, description="New beans, offers, store")
        service.set_cadence(ctx, "instagram", 3)
    for i, (a, b) in enumerate(zip([40, 50, 45, 55, 60, 48], [10, 12, 8, 11, 9, 10], strict=True)):
        _published(database, world, clock, f"Brewing guide #kava {i}", ["instagram"], 10 + i, {"instagram": a},
                   minutes=30)
        _published(database, world, clock, f"News {i}", ["x"], 10 + i, {"x": b}, minutes=30)
    _messages(database, world, "instagram", "hr", list(range(5, 23)), 6, clock)
    _messages(database, world, "x", "en", [*range(12, 24), 0, 1, 2, 3], 6, clock)
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        for post_id in s.scalars(select(Post.id).where(Post.text.like("Brewing guide%"))):
            service.tag_post(ctx, post_id, "Education")
        assert platforms.compare(ctx, days=90).recommendation.confidence == "clear"

    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, world)

    page.goto(f"{live_server}/w/{world.workspace_id}/strategy")
    expect(page.locator(".platform-reco")).to_contain_text("Recommendation: Instagram (clear)")
    expect(page.locator(".platform-reco")).to_contain_text("engagements per hour of work")
    expect(page.locator(".platform-table")).to_contain_text("6 posts timed")
    audience = page.locator("#audience")
    expect(audience).to_contain_text("The audiences differ in language")
    expect(audience.locator(".audience-card", has_text="Brand A instagram")).to_contain_text("looks like UTC+1")
    expect(audience.locator(".audience-card", has_text="Brand A x")).to_contain_text("looks like UTC-5")
    expect(audience.locator(".audience-card", has_text="Brand A instagram")).to_contain_text("Croatian 100 %")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, "strategy-platforms-audience.png")

    page.goto(f"{live_server}/w/{world.workspace_id}/compose")
    page.check(f"input[name=channel_ids][value='{world.channels['instagram']}']")
    page.fill("#text", "Kako skuhati kavu kod kuće")
    suggestion = page.locator("#pillar-suggestion")
    expect(suggestion).to_contain_text("Suggested: Education", timeout=20000)
    assert page.locator("select[name=pillar]").input_value() == ""  # nothing is chosen for the writer
    suggestion.locator("button", has_text="Use Education").click()
    expect(page.locator("select[name=pillar] option:checked")).to_have_text("Education")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, "compose-pillar.png")

    page.goto(f"{live_server}/w/{world.workspace_id}/calendar")
    mix = page.locator(".cal-mix")
    expect(mix).to_contain_text("No Product post on Instagram yet.")
    expect(mix.locator("tr", has_text="Instagram")).to_contain_text("of plan 50 %")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, "calendar-mix.png")
