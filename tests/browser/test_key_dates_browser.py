"""Key dates in a real browser at 1280 px: added on the strategy page, then marked on the calendar's month
and week views on every day of the range. With SOCIALDESK_SCREENSHOTS=<folder>, saved there."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.strategy import key_dates
from tests.helpers import PASSWORD, make_world

SHOTS = os.environ.get("SOCIALDESK_SCREENSHOTS")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def test_key_dates_on_the_strategy_page_and_the_calendar(database: Database, clock: ManualClock, live_server: str,
                                                        page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("instagram",), roles=())
    today = clock.now().date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    with database.unit_of_work() as s:
        key_dates.add(world.ctx(s), "Public holiday", monday + timedelta(days=3), kind="holiday")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/strategy")
    form = page.locator("form.key-date-add")
    form.locator("input[name=name]").fill("Spring launch")
    form.locator("input[name=starts_on]").fill(monday.isoformat())
    form.locator("input[name=ends_on]").fill((monday + timedelta(days=1)).isoformat())
    form.locator("select[name=kind]").select_option("launch")
    form.locator("select[name=network]").select_option("instagram")
    form.locator("input[name=note]").fill("New beans")
    form.locator("button").click()
    expect(page.locator("#flash")).to_contain_text("Key date Spring launch added")
    expect(page.locator("#key-dates tr.key-date")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, "strategy-key-dates.png")

    page.goto(f"{live_server}/w/{world.workspace_id}/calendar?view=month&date={monday.isoformat()}")
    expect(page.locator(f".cal-day[data-date='{monday.isoformat()}'] .cal-key-date.kd-launch")).to_contain_text(
        "Spring launch")
    expect(page.locator(".cal-month .cal-key-date.kd-launch")).to_have_count(2)
    expect(page.locator(".cal-month .cal-key-date.kd-holiday")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, "calendar-key-dates-month.png")
    page.goto(f"{live_server}/w/{world.workspace_id}/calendar?view=week&date={monday.isoformat()}")
    expect(page.locator(".cal-week .cal-head .cal-key-date")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, "calendar-key-dates-week.png")
