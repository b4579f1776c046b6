"""The competitors page in a real browser: a competitor with snapshots shows in the benchmark table with
intervals and sample sizes next to "Your channels"; hostile text stays text; a bad handle is told plainly.
With SOCIALDESK_SCREENSHOTS=<folder>, the page is also saved there at 1280 px."""

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


def _profile(followers: int) -> PublicProfile:
    posts = [PublicPost(f"at://did:plc:x/app.bsky.feed.post/{i}", f"https://bsky.app/profile/rival/post/{i}",
                        NOW - timedelta(days=i + 1, hours=i % 3), likes=10 + 3 * i, reposts=i % 4, replies=1,
                        format=("text", "image", "video", "link")[i % 4], hashtags=["kava"] if i < 5 else ["jutro"],
                        text=f"Jutarnja kava {i} <script>alert(1)</script>") for i in range(12)]
    return PublicProfile("rival.bsky.social", "Rival <img src=x onerror=alert(1)>", followers, 340, posts)


def test_benchmark_table(database: Database, clock: ManualClock, live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x",), roles=())
    clock.set(NOW - timedelta(days=3))
    with database.unit_of_work() as s:
        rival = service.add(world.ctx(s), network="bluesky", handle="rival.bsky.social",
                            service="https://appview.example.com", notes="main rival")
        service.snapshot(world.ctx(s), rival, reader=lambda *_: _profile(1200))
    clock.set(NOW)
    with database.unit_of_work() as s:
        service.snapshot(world.ctx(s), service.find(world.ctx(s), "rival.bsky.social"),
                         reader=lambda *_: _profile(1260))

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/competitors")
    table = page.locator(".competitors-table")
    expect(table).to_contain_text("Your channels")
    expect(table).to_contain_text("rival.bsky.social")
    rival_row = table.locator("tr", has_text="rival.bsky.social")
    expect(rival_row).to_contain_text("1260")
    expect(rival_row).to_contain_text("+60")
    expect(rival_row).to_contain_text("n=12")
    expect(rival_row).to_contain_text("#kava")
    expect(table.locator("tr", has_text="Your channels")).to_contain_text("not enough data")
    expect(page.locator(".competitors-top")).to_contain_text("<script>alert(1)</script>")  # text, not markup
    expect(page.locator("body")).to_contain_text("Rival <img src=x onerror=alert(1)>")
    expect(page.locator("nav.nav")).to_contain_text("Competitors")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / "competitors.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.locator("details.competitors-add summary").click()
    page.fill("input[name=handle]", "not a handle")
    page.click("details.competitors-add button.primary")
    expect(page.locator(".alert.error, .flash.error, [role=alert]").first).to_contain_text("not a Bluesky handle")
