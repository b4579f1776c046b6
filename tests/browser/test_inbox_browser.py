"""In a real browser: hostile comments stay inert text and the layout holds; a specialist answers, hides
and assigns from the keyboard; the list redraws itself when something changes."""

from __future__ import annotations

from typing import Any

import pytest

from socialdesk.channels import service as channels_service
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import service
from socialdesk.inbox.triage import triage_items
from tests.helpers import PASSWORD, make_world
from tests.inbox.conftest import FakeNetwork, message

pytestmark = pytest.mark.browser

HOSTILE = [
    "<script>window.__pwned = 1</script>Nice post",
    '<img src=x onerror="window.__pwned = 2"> look',
    '<a href="javascript:window.__pwned=3" onmouseover="window.__pwned=4">click me</a>',
    "\u202eevil reversed text\u202c and z\u200be\u200br\u200bo w\u200bidth",
    "مرحبا! هل لديكم توصيل إلى دبي؟ " * 3,
    "A" * 20_000,
    "word " * 3000,
]


def _deliver(database: Database, network: FakeNetwork, channel_id: str, *items: Any) -> None:
    network.pending = list(items)
    service.fetch_channel(database, channel_id)
    from sqlalchemy import select

    from socialdesk.inbox.models import InboxItem

    with database.read_sessions() as session:
        ids = list(session.scalars(select(InboxItem.id).where(InboxItem.triaged_at.is_(None))))
    triage_items(database, ids)


def test_hostile_text_is_inert_and_the_keyboard_works(database: Database, clock: ManualClock, live_server: str,
                                                      page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("facebook",))
    network = FakeNetwork()
    monkeypatch.setattr(channels_service, "adapter", lambda channel: network)
    channel_id = world.channels["facebook"]
    _deliver(database, network, channel_id,
             *[message(f"h{n}", text, author=f"u-{n}", name=text[:60], handle=f"user{n}", minutes_ago=60 - n)
               for n, text in enumerate(HOSTILE)],
             message("q1", "Why did nobody answer me?? My order is two weeks late!", author="u-q", name="Ana Horvat",
                     minutes_ago=5))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["editor"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/inbox")

    # The negative question is first and open; hostile texts are listed as text.
    expect(page.locator(".conv").first).to_contain_text("Why did nobody answer me")
    expect(page.locator("#pane-conversation")).to_contain_text("two weeks late")
    for n in range(len(HOSTILE)):
        page.locator(".conv[data-id] a[data-open]").nth(n).hover()
    page.locator(".conv a[data-open]", has_text="<script>").click()
    expect(page.locator("#pane-conversation .msg-text")).to_contain_text("<script>window.__pwned = 1</script>")
    page.locator(".conv a[data-open]", has_text="click me").click()
    page.locator("#pane-conversation .msg-text").hover()
    assert page.evaluate("window.__pwned") is None and dialogs == []
    assert page.locator("#pane-conversation script, #pane-conversation img, .conv-list img, .conv-list script"
                        ).count() == 0

    # The layout holds: nothing pushes the page sideways, long texts stay inside their panes.
    page.locator(".conv a[data-open]").filter(has_text="AAAA").click()
    # Measure the pane once htmx has swapped the conversation in (before, it may be detached mid-swap).
    expect(page.locator("#pane-conversation .msg-text")).to_contain_text("AAAA")
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    for selector in (".inbox-list", "#pane-conversation", "#pane-context"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, selector
    text_box = page.locator("#pane-conversation .msg-text").bounding_box()
    pane_box = page.locator("#pane-conversation").bounding_box()
    assert text_box and pane_box and text_box["width"] <= pane_box["width"] and text_box["height"] < 400

    # Keyboard: back to the top, assign to me, answer, then hide a comment.
    page.locator("h1").click()
    for _ in range(len(HOSTILE) + 1):
        page.keyboard.press("k")
    expect(page.locator("#pane-conversation")).to_contain_text("two weeks late")
    page.keyboard.press("a")
    expect(page.locator("#pane-context select[name=user_id] option[selected]")).to_have_text("Brand A editor")
    page.keyboard.press("r")
    page.keyboard.type("Ispričavamo se, Ana! Provjeravamo narudžbu.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#pane-conversation .alert.note")).to_have_text("Reply sent.")
    expect(page.locator("#pane-conversation .msg-reply")).to_contain_text("Provjeravamo narudžbu")
    page.keyboard.press("j")  # the answered conversation sank; "j" goes to the one that was next
    expect(page.locator("#pane-conversation")).to_contain_text("evil reversed text")
    page.keyboard.press("h")
    expect(page.locator("#pane-conversation .alert.note")).to_have_text("Hidden on the network.")
    assert [c[0] for c in network.calls] == ["reply", "hide"]

    # Something new arrives; the list redraws itself (polling, or at once after an action).
    _deliver(database, network, channel_id, message("n1", "Brand new: are you open tonight?", author="u-n"))
    page.evaluate("htmx.trigger(document.body, 'inbox-changed')")
    expect(page.locator(".conv-list")).to_contain_text("are you open tonight")
    assert page.evaluate("window.__pwned") is None and dialogs == []
