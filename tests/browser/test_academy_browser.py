"""In a real browser at 1280 px: a learner starts an exercise, plays its first simulated day, and finishes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from socialdesk.auth.service import create_user
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.browser.layout import layout_problems
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_a_learner_plays_the_first_minutes_of_an_exercise(database: Database, clock: ManualClock,
                                                          live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    with database.unit_of_work() as session:
        create_user(session, "learner@example.com", "Lea Learner", PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "learner@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/academy")
    expect(page.locator("h1")).to_have_text("Academy")
    expect(page.locator(".academy-exercise")).to_have_count(8)
    assert layout_problems(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "academy-list.png"), full_page=True)

    page.locator(".academy-exercise", has_text="Find the best hour").locator("button").click()
    expect(page.locator("h1")).to_have_text("Find the best hour to post")
    expect(page.locator("body")).to_contain_text("Zrno")
    expect(page.locator("body")).to_contain_text("Day 0.0 of 7")
    before = page.locator(".academy-time").inner_text()
    page.locator("button", has_text="+1 day").click()
    expect(page.locator("body")).to_contain_text("Day 1.0 of 7")
    assert page.locator(".academy-time").inner_text() != before
    page.locator("button", has_text="Run").click()
    expect(page.locator(".academy-clock")).to_contain_text("running")
    page.locator("button", has_text="Pause").click()
    expect(page.locator(".academy-clock")).to_contain_text("paused")
    expect(page.locator(".academy-checkpoints li.done")).to_have_count(0)
    page.locator("button", has_text="+1 day").click()
    expect(page.locator("body")).to_contain_text("Day 2.0 of 7")
    expect(page.locator(".academy-checkpoints li.done")).to_have_count(1)
    assert layout_problems(page) == []
    page.screenshot(path=str(SHOTS / "academy-exercise.png"), full_page=True)

    page.locator("button", has_text="Finish and score").click()
    expect(page.locator("h2", has_text="Your score")).to_be_visible()
    expect(page.locator("body")).to_contain_text("You published nothing")
    expect(page.locator("h2", has_text="The audience, revealed")).to_be_visible()
    expect(page.locator(".academy-curve .bar")).to_have_count(24)
    assert layout_problems(page) == []
    page.screenshot(path=str(SHOTS / "academy-score.png"), full_page=True)

    page.goto(f"{live_server}/academy")
    expect(page.locator(".academy-progress")).to_contain_text("timing")
