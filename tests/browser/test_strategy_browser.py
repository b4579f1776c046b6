"""The strategy page in a real browser: add a pillar, plan a frequency, tag a post, and see the planned mix
against the calendar with a gap warning. With SOCIALDESK_SCREENSHOTS=<folder>, saved there at 1280 px."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.strategy import service
from tests.helpers import PASSWORD, make_world

SHOTS = os.environ.get("SOCIALDESK_SCREENSHOTS")


def test_pillars_mix_and_gaps(database: Database, clock: ManualClock, live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x", "instagram"), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        service.add_pillar(ctx, "Product", target_share=0.4, description="Beans, gear, offers")
        service.add_pillar(ctx, "Community", target_share=0.2)
        posts = []
        for text, days_ago in (("How to grind coffee at home", 12), ("New Ethiopian beans", 2),
                               ("Barista of the month", 4), ("Weekend opening hours", 1)):
            post = content.compose(ctx, PostIn(text=text, channel_ids=list(world.channels.values()))).post
            for pub in s.scalars(select(Publication).where(Publication.post_id == post.id)):
                pub.status, pub.published_at = "published", clock.now() - timedelta(days=days_ago)
            posts.append(post.id)
        service.tag_post(ctx, posts[1], "Product")
        service.tag_post(ctx, posts[2], "Community")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/strategy")
    page.fill("input[name=name][aria-label='Pillar name']", "Education")
    page.fill("input[name=share]", "40")
    page.click("button:has-text('Add pillar')")
    expect(page.locator("#flash")).to_contain_text("Pillar Education added")
    row = page.locator("#posts tr", has_text="How to grind coffee at home")
    row.locator("select[name=pillar]").select_option(label="Education")
    row.locator("button:has-text('Save')").click()
    instagram = page.locator("form", has=page.locator("input[name=network][value=instagram]"))
    instagram.locator("input[name=per_week]").fill("3")
    instagram.locator("button").click()
    expect(page.locator(".strategy-warnings")).to_contain_text("No Education post on Instagram for 12 days")
    expect(page.locator(".strategy-network", has_text="Instagram")).to_contain_text("(n = 1)")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / "strategy.png"), full_page=True)
