"""In a real browser: the inbox's conversation list pages forwards and back by its links (cursors), keeps the
page it is on when it redraws itself, and the pager fits at 1280 and 1920 pixels wide."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.helpers import PASSWORD, make_world
from tests.web.test_inbox_list_paging import _conversations

pytestmark = pytest.mark.browser


def test_the_list_pages_forwards_and_back(database: Database, clock: ManualClock, live_server: str, page: Any,
                                          tmp_path: Path) -> None:
    from playwright.sync_api import expect

    world = make_world(database)
    _conversations(database, world.workspace_id, 130)  # 120 not spam: three pages
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["editor"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/inbox")
    pager = page.locator("#inbox-list-inner nav.pager")
    expect(pager).to_contain_text("Page 1 of 3")
    first = page.locator(".conv[data-id]").first.get_attribute("data-id")
    pager.get_by_text("Next →").click()
    expect(pager).to_contain_text("Page 2 of 3")
    second = page.locator(".conv[data-id]").first.get_attribute("data-id")
    assert second != first and "after=" in page.url
    pager.get_by_text("Next →").click()
    expect(pager).to_contain_text("Page 3 of 3")
    expect(pager.get_by_text("Next →")).to_have_count(0)
    assert page.locator(".conv[data-id]").count() == 20
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        pager.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / f"inbox-page-3-{width}.png"), full_page=False)
        box = pager.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    pager.get_by_text("← Previous").click()
    expect(pager).to_contain_text("Page 2 of 3")
    assert page.locator(".conv[data-id]").first.get_attribute("data-id") == second
    # The list redraws itself (polling, or after an action) on the page it shows.
    with page.expect_response(lambda r: "/inbox/list" in r.url) as redrawn:
        page.evaluate("htmx.trigger(document.body, 'inbox-changed')")
    assert "before=" in redrawn.value.url and redrawn.value.ok
    expect(pager).to_contain_text("Page 2 of 3")
    assert page.locator(".conv[data-id]").first.get_attribute("data-id") == second
    pager.get_by_text("← Previous").click()
    expect(pager).to_contain_text("Page 1 of 3")
    assert page.locator(".conv[data-id]").first.get_attribute("data-id") == first
