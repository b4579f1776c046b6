"""In a real browser: the week view opens at the working day (or at an earlier first post), not at
midnight, and the calendar explains its colours where they can be seen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.browser.busy import Busy, make_busy, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def busy(database: Database, clock: ManualClock, live_server: str, monkeypatch: pytest.MonkeyPatch) -> Busy:
    return make_busy(database, live_server, monkeypatch)


def _first_hour_in_view(page: Any) -> int:
    """The first hour row wholly visible below the week's sticky day names."""
    return int(page.evaluate("""() => {
        const grid = document.querySelector('.cal-week');
        const top = grid.getBoundingClientRect().top + grid.querySelector('.cal-head').offsetHeight;
        const rows = [...grid.querySelectorAll('.cal-hour')];
        return Number(rows.find((row) => row.getBoundingClientRect().top >= top - 1).dataset.hour);
    }"""))


def _in_view(page: Any, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_the_week_opens_at_the_working_day_or_the_first_post(busy: Busy, database: Database, page: Any) -> None:
    from playwright.sync_api import expect

    sign_in(page, busy)
    page.goto(f"{busy.w}/calendar?view=week&date=2026-03-03")
    expect(page.locator(".cal-week .cal-entry").first).to_be_visible()
    assert _first_hour_in_view(page) == 8
    assert _in_view(page, ".cal-slot[data-date='2026-03-03'][data-hour='10'] .cal-entry")
    assert not _in_view(page, ".cal-hour[data-hour='0']")

    # A week whose first post is at 06:30 opens at 06:00, so nothing planned is hidden above.
    with database.unit_of_work() as session:
        content.compose(busy.world.ctx(session), PostIn(
            text="Early birds: coffee from 6:30 this week", channel_ids=[busy.world.channels["x"]],
            scheduled_at=datetime(2026, 3, 11, 6, 30), intent=Intent.SCHEDULE))
    page.goto(f"{busy.w}/calendar?view=week&date=2026-03-11")
    expect(page.locator(".cal-week .cal-entry", has_text="Early birds")).to_be_visible()
    assert _first_hour_in_view(page) == 6
    assert _in_view(page, ".cal-entry:has-text('Early birds')")


@pytest.mark.parametrize("view", ["month", "week"])
def test_the_colours_have_a_legend_in_view(busy: Busy, page: Any, view: str) -> None:
    from playwright.sync_api import expect

    sign_in(page, busy)
    page.goto(f"{busy.w}/calendar?view={view}&date=2026-03-03")
    legend = page.locator(".legend")
    expect(legend).to_contain_text("Colours")
    assert _in_view(page, ".legend")
    for label in ("Draft", "Waiting for approval", "Scheduled", "Published", "Failed"):
        expect(legend.locator(".mini", has_text=label)).to_have_count(1)
    # The legend's colour is the entries' colour.
    colour = "el => getComputedStyle(el).backgroundColor"
    for status in ("scheduled", "pending_approval"):
        entry = page.locator(f".cal-entry.st-{status}").first
        assert entry.evaluate(colour) == legend.locator(f".mini.st-{status}").evaluate(colour)
