"""Instagram and X competitors and an `x` listening source in a real browser: the competitor form offers
Instagram and X, an X competitor's cost shows before and after a snapshot, and the listening page shows an
`x` source's cost before and after. With SOCIALDESK_SCREENSHOTS=<folder>, both pages are saved there at
1280 and 1920 px."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from socialdesk.competitors import service
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.listening import service as listening
from socialdesk.networks.public.profiles import PublicPost
from socialdesk.networks.public.x_costs import Reads
from socialdesk.networks.public.x_profiles import XProfile
from tests.helpers import PASSWORD, make_world

SHOTS = os.environ.get("SOCIALDESK_SCREENSHOTS")
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _x_profile() -> XProfile:
    posts = [PublicPost(str(1_860_000_000_000_000_000 + i), f"https://x.com/rival_hr/status/{i}",
                        NOW - timedelta(hours=5 * i), likes=20 + i, reposts=i % 3, replies=2, format="text",
                        hashtags=["kava"], text=f"Kava dana {i} #kava") for i in range(7)]
    return XProfile("rival_hr", "Rival HR", 3400, 900, posts, reads=Reads(posts=7, users=1))


def test_paid_sources_show_their_cost(database: Database, clock: ManualClock, live_server: str, page: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("SOCIALDESK_X_BEARER_TOKEN", "operator-bearer")
    reset_settings_cache()
    clock.set(NOW)
    world = make_world(database, profiles=("x",), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        rival = service.add(ctx, network="x", handle="rival_hr", notes="paid")
        service.snapshot(ctx, rival, reader=lambda *_: _x_profile())
        monitor = listening.add_monitor(ctx, name="Kava", terms=["kava"], sources=["x"], languages=["hr"])
        monitor.state = {"sources": {"x": {"since_id": "1", "last_reads": 12, "total_reads": 40, "error": None}}}
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/competitors")
    row = page.locator("tr", has_text="rival_hr").last
    expect(row).to_contain_text("up to 21 reads ≈ $0.11 a snapshot")
    expect(row).to_contain_text("last: 8 reads ≈ $0.05")
    page.locator(".competitors-add summary").click()
    expect(page.locator("select[name=network] option[value=instagram]")).to_have_count(1)
    expect(page.locator("select[name=network] option[value=x]")).to_have_count(1)
    shots = [("competitors", f"/w/{world.workspace_id}/competitors")]
    page.goto(f"{live_server}/w/{world.workspace_id}/listening")
    source = page.locator(".listening-cost").first
    expect(source).to_contain_text("up to 200 reads ≈ $1.00 a run")
    expect(source).to_contain_text("last run 12 reads ≈ $0.06, all runs 40 reads ≈ $0.20")
    shots.append(("listening", f"/w/{world.workspace_id}/listening"))
    if SHOTS:
        for width in (1280, 1920):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in shots:
                page.goto(f"{live_server}{path}")
                page.locator("details summary").last.click()  # the add form, open
                page.screenshot(path=str(Path(SHOTS) / f"paid-{name}-{width}.png"), full_page=True)
