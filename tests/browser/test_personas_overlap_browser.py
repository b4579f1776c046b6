"""Personas with fields filled in on the strategy page in a real browser (a wrong one refused with what to
fix), the audience overlap table they produce, and a coming key date with nothing planned as a gap. With
SOCIALDESK_SCREENSHOTS=<folder>, the page is saved there at 1280 and 1920 px."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.strategy import key_dates
from tests.browser.test_campaigns_browser import _sign_in
from tests.helpers import make_world
from tests.strategy.test_audience_platforms import _messages, _published

SHOTS = os.environ.get("SOCIALDESK_SCREENSHOTS")


def test_personas_overlap_and_key_date_gaps(database: Database, clock: ManualClock, live_server: str,
                                            page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x", "instagram"), roles=())
    for i, (a, b) in enumerate(zip([40, 50, 45, 55, 60, 48], [10, 12, 8, 11, 9, 10], strict=True)):
        _published(database, world, clock, f"Brewing guide #kava {i}", ["instagram"], 10 + i, {"instagram": a})
        _published(database, world, clock, f"News {i}", ["x"], 10 + i, {"x": b})
    _messages(database, world, "instagram", "hr", list(range(5, 23)), 3, clock)
    _messages(database, world, "x", "en", [*range(12, 24), 0, 1, 2, 3], 3, clock)
    with database.unit_of_work() as s:
        key_dates.add(world.ctx(s), "Black Friday", clock.now().date() + timedelta(days=5), kind="campaign")

    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, world)
    page.goto(f"{live_server}/w/{world.workspace_id}/strategy")
    expect(page.locator(".strategy-warnings")).to_contain_text("Black Friday in 5 days, nothing planned on Instagram.")

    form = page.locator("form.persona-form")
    form.locator("input[name=name]").fill("Croatian coffee lover")
    form.locator("input[name=languages]").fill("hr")
    form.locator("input[name=timezone]").fill("Zagreb")  # not an IANA name
    form.locator("input[name=interests]").fill("kava, home brewing")
    form.locator("button", has_text="Add persona").click()
    expect(page.locator("#flash .alert.error")).to_contain_text(
        "Time zone: Unknown time zone 'Zagreb'")
    form = page.locator("form.persona-form")
    form.locator("input[name=name]").fill("Croatian coffee lover")
    form.locator("input[name=languages]").fill("hr")
    form.locator("input[name=timezone]").fill("Europe/Zagreb")
    form.locator("input[name=age_min]").fill("25")
    form.locator("input[name=age_max]").fill("40")
    form.locator("input[name=interests]").fill("kava, home brewing")
    form.locator("button", has_text="Add persona").click()
    expect(page.locator("body")).to_contain_text("Persona Croatian coffee lover added.")
    table = page.locator(".overlap-table")
    expect(table).to_contain_text("Croatian coffee lover")
    expect(table).to_contain_text("age: unknown for this network")
    expect(page.locator(".platform-reco")).to_contain_text("Audience overlap with the target personas")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / "strategy-personas-1280.png"), full_page=True)
        page.set_viewport_size({"width": 1920, "height": 1000})
        page.screenshot(path=str(Path(SHOTS) / "strategy-personas-1920.png"), full_page=True)


def test_key_dates_are_shaded_on_the_engagement_chart(database: Database, clock: ManualClock, live_server: str,
                                                      page: Any) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("x",), roles=())
    for i in range(6):
        _published(database, world, clock, f"News {i}", ["x"], 2 + i, {"x": 10 + i})
    with database.unit_of_work() as s:
        key_dates.add(world.ctx(s), "Sale week", (clock.now() - timedelta(days=4)).date(),
                      ends_on=(clock.now() - timedelta(days=3)).date(), kind="campaign")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, world)
    page.goto(f"{live_server}/w/{world.workspace_id}/analytics?days=28")
    expect(page.locator("#key-dates")).to_contain_text("Sale week")
    canvas = page.locator("canvas[data-chart=engagement]")
    expect(canvas).to_be_visible()
    marks = page.evaluate("Chart.getChart(document.querySelector('canvas[data-chart=engagement]'))"
                          ".options.plugins.keyDates.marks")
    assert [m["name"] for m in marks] == ["Sale week"] and errors == []
    # The band is drawn: pixels of the chart area over the key date's days hold the band's translucent orange.
    tinted = page.evaluate("""() => { const c = document.querySelector('canvas[data-chart=engagement]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) {  // the band: orange at about 14 % opacity on a clear canvas
          if (d[i] > 200 && d[i + 1] > 100 && d[i + 1] < 180 && d[i + 2] < 60 && d[i + 3] > 15 && d[i + 3] < 80) n++; }
        return n; }""")
    assert tinted > 100
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        canvas.screenshot(path=str(Path(SHOTS) / "analytics-key-dates.png"))
