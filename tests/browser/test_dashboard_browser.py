"""In a real browser: every dashboard tile leads to a list of exactly as many posts as it says, the
Approvals badge agrees with its tile, and "Recent comments" shows no spam and nothing hidden."""

from __future__ import annotations

from typing import Any

import pytest

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.helpers import PASSWORD
from tests.web.test_dashboard_numbers import TILES, comment, posts_on_three_channels

pytestmark = pytest.mark.browser


def test_each_tile_leads_to_as_many_posts_as_it_says(database: Database, clock: ManualClock, live_server: str,
                                                     page: Any) -> None:
    from playwright.sync_api import expect

    world = posts_on_three_channels(database, clock)
    channel_id = world.channels["x"]
    with database.unit_of_work() as session:
        session.add_all([comment(world, channel_id, "1", "Lovely latte, thank you", 50),
                         comment(world, channel_id, "2", "Crypto signals, 300 % profit guaranteed", 10, spam=True),
                         comment(world, channel_id, "3", "You are all idiots", 20, hidden=True)])
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Dashboard")
    dashboard = page.url

    recent = page.locator("section.card", has=page.locator("h2", has_text="Recent comments"))
    expect(recent).to_contain_text("Lovely latte")
    expect(recent).not_to_contain_text("Crypto signals")
    expect(recent).not_to_contain_text("idiots")

    shown = {}
    for status in TILES:
        tile = page.locator(f"a.tile[href$='status={status}']")
        shown[status] = int(tile.locator(".tile-n").inner_text().replace(",", ""))
    badge = page.locator("#approval-count").inner_text().strip()
    assert badge == str(shown["pending_approval"]), (badge, shown)
    for status, number in shown.items():
        page.goto(dashboard)
        page.click(f"a.tile[href$='status={status}']")
        expect(page.locator("p.muted.small").first).to_contain_text("post")
        rows = page.locator("table.table tbody tr").count()
        assert rows == number, (status, number, rows)
    assert shown == {"scheduled": 0, "pending_approval": 2, "draft": 1, "published": 3, "failed": 1}
    # Posts and their publications are told apart on the tile.
    page.goto(dashboard)
    expect(page.locator("a.tile[href$='status=published']")).to_contain_text("8 publications on channels")
