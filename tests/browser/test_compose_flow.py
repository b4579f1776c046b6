"""In a real browser: sign in, compose for an X-like and an Instagram-like channel, see the checks refuse
it, fix it, schedule it, and find it on the calendar."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.media import service as media
from tests.helpers import PASSWORD, make_world
from tests.web.conftest import jpeg_bytes

pytestmark = pytest.mark.browser
TIMEZONE = "Europe/Zagreb"


def test_compose_check_fix_schedule_and_find_on_calendar(database: Database, live_server: str, page: Any) -> None:
    world = make_world(database, profiles=("x", "instagram"), timezone=TIMEZONE)
    with database.unit_of_work() as session:
        media.upload(world.ctx(session), "latte.jpg", jpeg_bytes(), "A latte with a heart drawn in the foam")
    from playwright.sync_api import expect

    # Sign in; the only workspace opens.
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Dashboard")

    # Compose for both channels: too long for X, and no image for Instagram.
    page.click("nav >> text=Compose")
    page.check("label.pick:has-text('Brand A x') input")
    page.check("label.pick:has-text('Brand A instagram') input")
    text = "Autumn menu is here: pumpkin spice latte, apple pie and more. " * 5
    page.fill("#text", text)
    x_check = page.locator("#checks .check", has_text="X-like sandbox")
    instagram_check = page.locator("#checks .check", has_text="Instagram-like sandbox")
    expect(x_check).to_contain_text(f"{len(text)} / 280")
    expect(x_check).to_contain_text("allows 280")
    expect(instagram_check).to_contain_text("needs at least one image or video")

    # Saving now is refused, and nothing typed is lost.
    day = (clock.now().astimezone(ZoneInfo(TIMEZONE)) + timedelta(days=3)).date()
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=time]", "10:30")
    page.click("button[value=schedule]")
    expect(page.locator(".flash .alert.error")).to_contain_text("Nothing was saved")
    expect(page.locator("#text")).to_have_value(text)

    # Fix: a shorter text of its own for X, and the image from the library.
    x_variant = page.locator("details[data-variant]", has_text="Brand A x")
    x_variant.locator("summary").click()
    x_variant.locator("textarea[name^=variant_]").fill("Autumn menu is here 🍂 #coffee")
    page.check(".media-pick:has-text('latte.jpg') input")
    expect(page.locator("#checks .check.bad")).to_have_count(0)
    expect(page.locator("#checks .check.ok")).to_have_count(2)
    expect(page.locator("#checks .check", has_text="X-like sandbox")).to_contain_text("30 / 280")

    # Schedule it.
    page.click("button[value=schedule]")
    expect(page).to_have_url(re.compile(r"/posts/\w+$"))
    expect(page.locator(".flash")).to_contain_text(f"Scheduled for {day:%a %d %b %Y} 10:30 ({TIMEZONE})")

    # The calendar has it on that day, at that time.
    page.click("nav >> text=Calendar")
    page.goto(f"{page.url}?date={day.isoformat()}")
    entry = page.locator(f".cal-day[data-date='{day.isoformat()}'] .cal-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("10:30")
    expect(entry).to_contain_text("Autumn menu is here")
    expect(entry.locator(".mini")).to_have_count(2)
