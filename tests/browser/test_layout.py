"""In a real browser, at the widths people use: the main pages hold their layout (nothing scrolls sideways,
no label squeezed to one letter per line, no field squeezed to a sliver), and the inbox's reply box is
as wide as the conversation it answers. Screenshots of every page go to test-results/layout/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from socialdesk.channels import service as channels_service
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import service as inbox
from socialdesk.media import service as media
from tests.browser.conftest import RESULTS
from tests.browser.layout import layout_problems
from tests.helpers import PASSWORD, World, make_world
from tests.inbox.conftest import FakeNetwork, message
from tests.web.conftest import jpeg_bytes

pytestmark = pytest.mark.browser
WIDTHS = (1280, 1440, 1920)
PAGES = ("", "/calendar", "/calendar?view=week", "/compose", "/inbox", "/channels", "/analytics", "/approvals",
         "/settings", "/reports", "/posts")


@dataclass
class Busy:
    """A workspace with something on every page: planned posts with images, one waiting for approval, and
    conversations in the inbox."""

    world: World
    base: str

    @property
    def w(self) -> str:
        return f"{self.base}/w/{self.world.workspace_id}"


@pytest.fixture
def busy(database: Database, clock: ManualClock, live_server: str, monkeypatch: pytest.MonkeyPatch) -> Busy:
    world = make_world(database, profiles=("x", "instagram", "facebook"), approval_steps=["approver"])
    network = FakeNetwork()
    monkeypatch.setattr(channels_service, "adapter", lambda channel: network)
    with database.unit_of_work() as session:
        owner = world.ctx(session)
        latte = media.upload(owner, "latte.jpg", jpeg_bytes(), "A latte with a heart drawn in the foam")
        world.media.append(latte.id)
        both = [world.channels["x"], world.channels["instagram"]]
        for day, hour, text in ((3, 10, "Autumn menu is here: pumpkin spice latte, apple pie and more 🍂"),
                                (5, 15, "Happy hour 14–16 h: the second coffee is on us. #coffee")):
            content.compose(owner, PostIn(text=text, channel_ids=both, media_ids=[latte.id],
                                          scheduled_at=datetime(2026, 3, day, hour, 30), intent=Intent.SCHEDULE))
        content.compose(world.ctx(session, "editor"), PostIn(
            text="Our autumn blend is back — chocolate, hazelnut and a hint of cherry. #coffee", channel_ids=both,
            media_ids=[latte.id], scheduled_at=datetime(2026, 3, 6, 9, 0), intent=Intent.SUBMIT))
        content.compose(owner, PostIn(text="An idea for later: latte art workshop", channel_ids=both[:1]))
    network.pending = [
        message("q1", "Why did nobody answer me?? My order is two weeks late!", author="u-q", name="Ana Horvat"),
        message("q2", "Do you have oat milk?", author="u-o", name="Marko Marić", handle="marko.maric360",
                minutes_ago=50),
    ]
    inbox.fetch_channel(database, world.channels["facebook"])
    return Busy(world, live_server)


def _sign_in(page: Any, busy: Busy, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{busy.base}/login")
    page.fill("input[name=email]", busy.world.users["owner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{busy.w}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_reply_box_is_as_wide_as_the_conversation(busy: Busy, page: Any, width: int) -> None:
    _sign_in(page, busy, width)
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
    _sign_in(page, busy, width)
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
