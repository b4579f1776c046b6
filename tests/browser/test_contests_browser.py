"""In a real browser at 1280 px: an owner starts a giveaway on a published post, sees who is excluded and
why, and (after the close) makes the draw, whose record verifies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from socialdesk.contests import draw
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.browser.layout import layout_problems
from tests.contests.test_contests import giveaway  # noqa: F401  (fixture: a published post with comments)
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_an_owner_starts_a_giveaway_and_draws_it(database: Database, clock: ManualClock,
                                                 giveaway: dict[str, str],  # noqa: F811
                                                 live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "owner@branda.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Contests")
    expect(page.locator("h1")).to_have_text("Contests and giveaways")
    form = page.locator("form.contest-form")
    form.locator("input[name=name]").fill("Browser giveaway")
    form.locator("input[name=prize]").fill("Two mugs")
    form.locator("input[name=opens_at]").fill("2026-03-02T09:00")
    form.locator("input[name=closes_at]").fill("2026-03-03T09:00")
    form.locator("input[name=keyword]").fill("#win")
    form.locator("input[name=mentions]").fill("1")
    assert layout_problems(page) == []
    form.locator("button", has_text="Create").click()
    expect(page.locator("h1")).to_have_text("Browser giveaway")
    expect(page.locator("body")).to_contain_text("Publish its commitment")
    expect(page.locator("section.card", has=page.locator("h2", has_text="Excluded"))).to_contain_text(
        "the comment lacks #win")
    assert layout_problems(page) == []

    clock.advance(timedelta(days=2))
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button", has_text="Draw from").click()
    expect(page.locator("h2", has_text="Winners")).to_be_visible()
    with page.expect_download() as download:
        page.click("text=Download the draw record")
    record = download.value.path().read_text(encoding="utf-8")
    import json

    assert draw.verify(json.loads(record)) == []
