"""In a real browser: a thread with a poll, a content warning and a first comment on a Mastodon-like channel,
previewed as the network shows them, published, and each part's outcome on the post page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from socialdesk.channels import service as channels
from socialdesk.core.db import Database
from socialdesk.jobs.runner import Runner
from tests.helpers import PASSWORD, make_world

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _shot(page: Any, name: str) -> None:
    if os.environ.get("SOCIALDESK_SCREENSHOTS"):
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_thread_poll_and_first_comment_previewed_and_published(database: Database, live_server: str,
                                                               page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("instagram",))
    with database.unit_of_work() as session:
        channel = channels.connect(world.ctx(session), "sandbox", "Brand A mastodon", handle="branda_masto",
                                   profile="mastodon", audience_size=800)
        masto = channel.id
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/compose")
    page.check("label.pick:has-text('Brand A mastodon') input")
    page.fill("#text", "Which coffee should we roast next week? 🧵")
    page.locator("details.extras summary").click()
    page.fill("textarea[name=thread]", "Both beans are from Ethiopia.\n---\nThe winner is on sale from Monday.")
    page.fill("textarea[name=poll_options]", "Yirgacheffe\nSidamo")
    page.fill("input[name=content_warning]", "Coffee nerdery")
    page.select_option("select[name=visibility]", "unlisted")
    variant = page.locator(f"details[data-variant='{masto}']")
    variant.locator("summary").click()
    variant.locator("textarea[name$=first_comment]").fill("Vote before Sunday noon!")
    check = page.locator("#checks .check", has_text="Mastodon-like sandbox")
    expect(check.locator("[data-thread-part='3']")).to_contain_text("on sale from Monday")
    expect(check.locator(".pv-poll")).to_contain_text("Sidamo")
    expect(check.locator(".pv-cw")).to_contain_text("Coffee nerdery")
    expect(check.locator("[data-first-comment]")).to_contain_text("Vote before Sunday noon!")
    expect(check).to_contain_text("Ready for")
    # The Instagram-like channel has none of it, and says so.
    page.check("label.pick:has-text('Brand A instagram') input")
    expect(page.locator("#checks .check", has_text="Instagram-like sandbox")).to_contain_text("has no threads")
    _shot(page, "composer-thread-poll-preview")
    page.uncheck("label.pick:has-text('Brand A instagram') input")
    expect(page.locator("#checks .check", has_text="Instagram-like sandbox")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=publish_now]")
    page.wait_for_url("**/posts/*")
    Runner(database).run_pending()
    page.reload()
    expect(page.locator("[data-step='thread_part-2']")).to_contain_text("Published")
    expect(page.locator("[data-step='first_comment-0']")).to_contain_text("Published")
    _shot(page, "composer-thread-published")
