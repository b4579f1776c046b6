"""In a real browser: the Channels page has one "Connect a channel" action that opens the chosen network's
form (and only it), with examples that fit that network; a refused form comes back open and as typed."""

from __future__ import annotations

from typing import Any

import pytest

from socialdesk.core.db import Database
from tests.helpers import PASSWORD, make_world

pytestmark = pytest.mark.browser


def test_connect_one_network_at_a_time(database: Database, live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x",))
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/channels")

    connect = page.get_by_role("button", name="Connect a channel")
    expect(connect).to_have_count(1)
    expect(page.locator("form.connect")).to_have_count(0)  # nothing open yet
    expect(page.locator(".channel dd").nth(2)).not_to_contain_text("threads")

    page.get_by_label("Network").select_option(label="Bluesky")
    connect.click()
    form = page.locator("form.connect")
    expect(form).to_have_count(1)
    expect(form.locator("h3")).to_have_text("Bluesky")
    expect(form.get_by_label("Name in socialdesk")).to_have_attribute("placeholder", "e.g. Brand on Bluesky")
    expect(form.get_by_label("Handle")).to_have_attribute("placeholder", "brand.bsky.social")
    expect(page.get_by_label("Network")).to_have_value("bluesky")
    assert form.evaluate("f => f.getBoundingClientRect().top < window.innerHeight")  # scrolled into view

    # Another network: its form replaces the first.
    page.get_by_label("Network").select_option(label="Sandbox (simulated audience)")
    connect.click()
    expect(page.locator("form.connect")).to_have_count(1)
    expect(form.locator("h3")).to_have_text("Sandbox (simulated audience)")
    expect(form.locator("input[name=app_password]")).to_have_count(0)

    # Refused (no handle): the same form comes back, open, with what was typed.
    form.get_by_label("Name in socialdesk").fill("Brand on Threads")
    form.get_by_label("Imitates").select_option("threads")
    form.locator("input[name=handle]").evaluate("el => el.removeAttribute('required')")
    form.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator(".flash .alert.error, .alert.error").first).to_contain_text("Handle")
    expect(page.locator("form.connect h3")).to_have_text("Sandbox (simulated audience)")
    expect(page.locator("form.connect").get_by_label("Name in socialdesk")).to_have_value("Brand on Threads")

    page.locator("form.connect input[name=handle]").fill("brand_threads")
    page.locator("form.connect").get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator(".channel h2", has_text="Brand on Threads")).to_have_count(1)
    # A Threads-like channel can thread and poll on its network; the page does not offer what socialdesk can't make.
    can = page.locator(".channel", has_text="Brand on Threads").locator("dt:has-text('Can') + dd")
    expect(can).not_to_contain_text("threads")
    expect(can).not_to_contain_text("polls")
