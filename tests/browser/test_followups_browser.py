"""In a real browser at 1280 px: a drawn giveaway's announcements, results and account linking; a quiz's page
with graded answers and the leaderboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.browser.conftest import RESULTS
from tests.browser.layout import layout_problems
from tests.contests.test_contests import giveaway  # noqa: F401  (fixture)
from tests.helpers import PASSWORD, World
from tests.quizzes.test_quizzes import quiz  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def _sign_in(page: Any, live_server: str, email: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _shot(page: Any, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"followups-{name}.png"), full_page=True)


def test_a_drawn_giveaway_is_announced_and_accounts_are_linked(
        database: Database, clock: ManualClock, giveaway: dict[str, str],  # noqa: F811
        live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    _sign_in(page, live_server, "owner@branda.test")
    page.goto(f"{live_server}/w/{giveaway['workspace']}/contests/{giveaway['contest']}")
    expect(page.locator("[data-testid=contest-results]")).to_contain_text("entrants")
    # Link ana's and ivo's accounts: one entrant.
    page.locator("input[name=accounts]").nth(0).check()
    page.locator("input[name=accounts]").nth(1).check()
    page.fill("[data-testid=link-accounts] input[name=person]", "Ana K.")
    page.click("[data-testid=link-accounts] button")
    expect(page.locator("body")).to_contain_text("Linked: those accounts are one entrant now.")
    expect(page.locator("section.card", has=page.locator("h2", has_text="Linked accounts"))).to_contain_text("Ana K.")
    assert layout_problems(page) == []
    _shot(page, "contest-linked")
    clock.advance(timedelta(days=2))
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button", has_text="Draw from").click()
    expect(page.locator("h2", has_text="Winners")).to_be_visible()
    expect(page.locator("[data-testid=announce-post]")).to_be_visible()
    assert layout_problems(page) == []
    _shot(page, "contest-drawn")
    page.select_option("[data-testid=announce-post] select[name=language]", "de")
    page.click("[data-testid=announce-post] button")
    expect(page.locator("body")).to_contain_text("Die Gewinner von December giveaway")
    expect(page.locator("body")).to_contain_text("Winners post drafted.")
    _shot(page, "winners-post")


def test_a_quiz_page_shows_graded_answers_and_the_leaderboard(
        database: Database, clock: ManualClock, quiz: tuple[World, str, Any],  # noqa: F811
        live_server: str, page: Any) -> None:
    from playwright.sync_api import expect

    world, _quiz_id, _ = quiz
    _sign_in(page, live_server, world.users["owner"])
    page.click("nav >> text=Quizzes")
    expect(page.locator("h1")).to_have_text("Quizzes")
    expect(page.locator("body")).to_contain_text("Coffee quiz")
    assert layout_problems(page) == []
    _shot(page, "quizzes")
    page.click("text=Coffee quiz")
    expect(page.locator("[data-testid=leaderboard] tbody tr").first).to_contain_text("ben")
    expect(page.locator("body")).to_contain_text("not counted: late")
    assert layout_problems(page) == []
    _shot(page, "quiz")
