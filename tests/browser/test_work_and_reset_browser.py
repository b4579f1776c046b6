"""In a real browser at 1280 px: assigning a post, My work and the calendar's due items; the password-reset page."""

from __future__ import annotations

from typing import Any

import pytest

from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.browser.layout import layout_problems
from tests.browser.test_followups_browser import _shot, _sign_in

pytestmark = pytest.mark.browser


def test_a_post_is_assigned_and_shows_in_my_work_and_on_the_calendar(
        database: Database, clock: ManualClock, live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    from tests.helpers import make_world

    world = make_world(database, profiles=("mastodon",))
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text="Spring menu: write the teaser", channel_ids=[world.channels["mastodon"]],
            intent=Intent.DRAFT)).post.id
    _sign_in(page, live_server, world.users["owner"])
    page.goto(f"{live_server}/w/{world.workspace_id}/posts/{post_id}")
    box = page.locator("[data-testid=assignment]")
    box.locator("select[name=assignee_id]").select_option(label="Brand A owner")
    box.locator("input[name=due_at]").fill("2026-03-03T17:00")
    box.locator("button").click()
    expect(page.locator("[data-testid=assignment]")).to_contain_text("Brand A owner writes it")
    assert layout_problems(page) == []
    _shot(page, "post-assigned")
    page.click("nav >> text=My work")
    expect(page.locator("[data-testid=work-assigned]")).to_contain_text("Spring menu")
    assert layout_problems(page) == []
    _shot(page, "my-work")
    page.goto(f"{live_server}/w/{world.workspace_id}/calendar?date=2026-03-03")
    expect(page.locator(".cal-due")).to_contain_text("Spring menu")
    assert layout_problems(page) == []
    _shot(page, "calendar-due")
    page.goto(f"{live_server}/w/{world.workspace_id}/calendar?view=week&date=2026-03-03")
    expect(page.locator(".cal-head .cal-due")).to_contain_text("Due 17:00")
    _shot(page, "calendar-week-due")


def test_the_password_reset_page(database: Database, live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login")
    page.click("text=Forgot your password?")
    expect(page.locator("h1")).to_have_text("Forgot your password?")
    page.fill("input[name=email]", "someone@example.com")
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("cannot send e-mail")  # this test server has no SMTP
    assert layout_problems(page) == []
    _shot(page, "password-reset")
