"""In a real browser, at the widths people use: the main pages hold their layout (nothing scrolls sideways,
no label squeezed to one letter per line, no field squeezed to a sliver), and the inbox's reply box is
as wide as the conversation it answers. Screenshots of every page go to test-results/layout/."""

from __future__ import annotations

from typing import Any

import pytest

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.browser.busy import Busy, make_busy, sign_in
from tests.browser.conftest import RESULTS
from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser
WIDTHS = (1280, 1440, 1920)
PAGES = ("", "/calendar", "/calendar?view=week", "/compose", "/inbox", "/channels", "/analytics", "/approvals",
         "/settings", "/reports", "/posts")


@pytest.fixture
def busy(database: Database, clock: ManualClock, live_server: str, monkeypatch: pytest.MonkeyPatch) -> Busy:
    return make_busy(database, live_server, monkeypatch)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_reply_box_is_as_wide_as_the_conversation(busy: Busy, page: Any, width: int) -> None:
    sign_in(page, busy, width=width)
    page.goto(f"{busy.w}/inbox")
    reply = page.locator("#reply-text")
    reply.wait_for()
    pane = page.locator("#pane-conversation").bounding_box()
    box = reply.bounding_box()
    label = page.locator("label[for=reply-text]").bounding_box()
    assert pane and box and label
    assert box["width"] >= 0.6 * pane["width"], f"the reply box is {box['width']:.0f} of {pane['width']:.0f} px"
    # The label reads on one line above the box, not one letter per line beside it.
    assert label["height"] < 2.5 * 16 and label["y"] + label["height"] <= box["y"] + 1
    page.keyboard.press("r")
    page.keyboard.type("Ispričavamo se, Ana! Provjeravamo narudžbu.")
    assert page.locator("#reply-text").input_value().startswith("Ispričavamo se")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_pages_hold_their_layout(busy: Busy, page: Any, width: int) -> None:
    sign_in(page, busy, width=width)
    folder = RESULTS / "layout"
    folder.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    for path in PAGES:
        page.goto(f"{busy.w}{path}")
        page.wait_for_load_state("networkidle")
        name = (path.strip("/").replace("?view=", "-") or "dashboard").replace("/", "-")
        page.screenshot(path=str(folder / f"{name}-{width}.png"))
        if problems := layout_problems(page):
            found[path or "/"] = problems
    assert not found, found
