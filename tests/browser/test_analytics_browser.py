"""In a real browser: the Goals page shows a milestone whose day has passed as met or missed (from that
day's number), and the best-time card recommends only hours with posts, saying how many."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.goals import service as goals
from tests.analytics.test_best_time_slots import LIKES, TIMEZONE
from tests.analytics.test_best_time_slots import _history as best_time_history
from tests.analytics.test_goals_and_schedules import _followers
from tests.helpers import PASSWORD, T0, World, make_world

pytestmark = pytest.mark.browser


def _sign_in(page: Any, live_server: str, world: World) -> str:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Dashboard")
    return f"{live_server}/w/{world.workspace_id}"


def test_a_passed_milestone_shows_its_outcome(database: Database, clock: ManualClock, live_server: str,
                                             page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("instagram",))
    channel = world.channels["instagram"]
    _followers(database, world, channel, -28, [1000 + 10 * d for d in range(29)])
    with database.unit_of_work() as session:
        goals.create(world.ctx(session), goals.GoalIn(name="+300 followers", metric="followers", target=300,
                                                      increase=True, due_on=(T0 + timedelta(days=90)).date(),
                                                      channel_id=channel))
    _followers(database, world, channel, 1, [1285] * 29 + [1320] * 16)
    clock.set(T0 + timedelta(days=45))  # 1 April has passed; the periodic job has not run
    w = _sign_in(page, live_server, world)
    page.goto(f"{w}/goals")
    first = page.locator("section.goal tbody tr").first
    expect(first).to_contain_text("01 Apr 2026")
    expect(first).to_contain_text("missed")
    expect(first).to_contain_text("1,285")  # the number on that day, not today's 1,320
    expect(page.locator("section.goal tbody tr").nth(1)).to_contain_text("active")


def test_best_time_recommends_only_hours_with_posts(database: Database, clock: ManualClock, live_server: str,
                                                    page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x",), timezone=TIMEZONE)
    channel_id = best_time_history(database, world, clock, LIKES)
    w = _sign_in(page, live_server, world)
    page.goto(f"{w}/channels/{channel_id}/analytics")
    slots = page.locator("#best-time ol.slots li")
    expect(slots.first).to_be_visible()
    texts = slots.all_inner_texts()
    assert texts and not any(t.startswith("06:00") for t in texts), texts
    for text in texts:
        hour = int(text[:2])
        assert hour in LIKES and "posts at" in text, text
