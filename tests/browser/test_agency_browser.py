"""In a real browser at 1280 px: the agency overview of three clients, sorted by a click; an approver sends a
review link from the approvals page; the client opens it without an account and approves a post."""

from __future__ import annotations

import re
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from tests.agency.test_overview import AGENT, clients  # noqa: F401  (fixture)
from tests.agency.test_review_links import Posts, posts, world  # noqa: F401  (fixtures)
from tests.browser.layout import layout_problems
from tests.helpers import PASSWORD, World
from tests.mail import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_the_agency_overview(clients: dict[str, World], live_server: str, page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, live_server, AGENT)
    page.click("text=All clients (agency overview)")
    expect(page.locator("h1")).to_have_text("Agency overview")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tbody tr").first).to_contain_text("Lipa")  # most needs attention there
    page.click("th >> text=Awaiting approval")
    expect(page.locator("th[aria-sort]")).to_contain_text("Awaiting approval")
    assert layout_problems(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "agency-overview.png"), full_page=True)
    page.locator("tbody tr", has_text="More").locator("a", has_text="More").click()
    expect(page.locator("h1")).to_have_text("Approvals")


def test_a_client_approves_through_a_review_link(world: World, posts: Posts, smtp_server: list[Message],  # noqa: F811
                                                 live_server: str, page: Any, chromium: Any) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, live_server, world.users["approver"])
    page.goto(f"{live_server}/w/{world.workspace_id}/approvals")
    page.click("text=Send to a client for review…")
    form = page.locator("form[action$='/review-links']")
    form.locator("input[name=email]").fill("client@example.com")
    form.locator(f"input[name=post_ids][value='{posts.ready}']").check()
    form.locator(f"input[name=post_ids][value='{posts.second}']").check()
    form.locator("textarea[name=message]").fill("Here are next week's posts, please approve by Friday.")
    form.locator("button").click()
    expect(page.locator(".review-address")).to_be_visible()
    expect(page.locator(".link-row")).to_contain_text("client@example.com")
    assert layout_problems(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-links.png"), full_page=True)
    address = re.search(r"http://testserver/review/\S+|http://127\.0\.0\.1:\d+/review/\S+",
                        str(smtp_server[-1].get_payload()))
    assert address

    client_context = chromium.new_context(viewport={"width": 1280, "height": 800})  # no session at all
    client = client_context.new_page()
    client.goto(address.group(0))
    expect(client.locator("h1")).to_contain_text("Posts for Kava")
    expect(client.locator(".review-post")).to_have_count(2)
    assert layout_problems(client) == []
    client.screenshot(path=str(SHOTS / "review-page.png"), full_page=True)
    card = client.locator(f"#post-{posts.ready}")
    card.locator("input[name=comment]").fill("Lovely, go ahead")
    card.locator("button", has_text="Approve").click()
    expect(client.locator(f"#post-{posts.ready}")).to_contain_text("You approved")
    expect(client.locator(".flash")).to_contain_text("Scheduled for")
    client_context.close()


def test_the_time_log(world: World, live_server: str, page: Any, clock: Any) -> None:  # noqa: F811
    from datetime import timedelta

    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, live_server, world.users["owner"])
    page.goto(f"{live_server}/w/{world.workspace_id}/time")
    page.fill("form[action$='/time/start'] input[name=note]", "Content calendar for April")
    page.click("text=▶ Start")
    expect(page.locator(".flash")).to_contain_text("Timer started")
    clock.advance(timedelta(minutes=42))
    page.click("text=■ Stop")
    expect(page.locator(".flash")).to_contain_text("Logged 42 min")
    entry = page.locator("form[action$='/time/entries']")
    entry.locator("input[name=hours]").fill("1.5")
    entry.locator("input[name=note]").fill("Monthly report call")
    entry.locator("button").click()
    expect(page.locator("table")).to_contain_text("Monthly report call")
    expect(page.locator("h2.sub")).to_contain_text("2.2 h")
    assert layout_problems(page) == []
    page.screenshot(path=str(SHOTS / "time-log.png"), full_page=True)
