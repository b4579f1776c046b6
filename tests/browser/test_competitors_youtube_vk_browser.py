"""The competitors page in a real browser with a YouTube channel (subscribers hidden) and a VK wall: views
per post, shorts among the formats, "hidden" for the subscriber count, the export link, and a VK address
refused plainly from the add form. With SOCIALDESK_SCREENSHOTS=<folder>, saved at 1280 and 1920 px."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from socialdesk.competitors import service
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.networks.public.profiles import PublicPost, PublicProfile
from tests.helpers import PASSWORD, make_world

SHOTS = os.environ.get("SOCIALDESK_SCREENSHOTS")
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _youtube() -> PublicProfile:
    posts = [PublicPost(f"vid{i}", f"https://www.youtube.com/watch?v=vid{i}", NOW - timedelta(days=i + 1, hours=i % 2),
                        likes=40 + 5 * i, reposts=0, replies=3 + i % 3, format="short" if i % 3 == 0 else "video",
                        hashtags=["kava", "espresso"] if i < 4 else ["kava"], text=f"Kava video {i}",
                        views=2000 + 150 * i) for i in range(9)]
    return PublicProfile("@rivalcoffee", "Rival Coffee", None, 120, posts, followers_hidden=True)


def _vk(members: int) -> PublicProfile:
    posts = [PublicPost(f"-9000_{i}", f"https://vk.com/wall-9000_{i}", NOW - timedelta(days=i + 1, hours=3),
                        likes=12 + i, reposts=2, replies=1, format=("image", "text", "short")[i % 3],
                        hashtags=["kofe"], text=f"Кофе дня {i}", views=700 + 20 * i) for i in range(6)]
    return PublicProfile("rivalcafe", "Rival Cafe", members, 6, posts)


def test_youtube_and_vk_competitors_on_the_page(database: Database, clock: ManualClock, live_server: str,
                                                page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x",), roles=())
    clock.set(NOW - timedelta(days=2))
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        youtube = service.add(ctx, network="youtube", handle="https://www.youtube.com/@RivalCoffee")
        service.snapshot(ctx, youtube, reader=lambda *_: _youtube())
        vk = service.add(ctx, network="vk", handle="vk.com/rivalcafe")
        service.snapshot(ctx, vk, reader=lambda *_: _vk(2450))
    clock.set(NOW)
    with database.unit_of_work() as s:
        service.snapshot(world.ctx(s), service.find(world.ctx(s), "rivalcafe"), reader=lambda *_: _vk(2500))

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/competitors")
    table = page.locator(".competitors-table")
    youtube_row = table.locator("tr", has_text="@rivalcoffee")
    expect(youtube_row).to_contain_text("views/post")
    expect(youtube_row).to_contain_text("short")
    expect(youtube_row).to_contain_text("hiddenSubscriberCount")
    vk_row = table.locator("tr", has_text="rivalcafe")
    expect(vk_row).to_contain_text("2500")
    expect(vk_row).to_contain_text("+50")
    expect(page.locator("a", has_text="Export CSV")).to_have_attribute("href", f"/w/{world.workspace_id}"
                                                                         "/competitors/export.csv?days=30")
    expect(page.locator("body")).to_contain_text("hidden")
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"competitors-youtube-vk-{width}.png"), full_page=True)

    page.locator("details.competitors-add summary").click()
    page.select_option("select[name=network]", "vk")
    page.fill("input[name=handle]", "https://ok.ru/rival")
    page.click("details.competitors-add button.primary")
    expect(page.locator(".alert.error, .flash.error, [role=alert]").first).to_contain_text("not a VK address")
