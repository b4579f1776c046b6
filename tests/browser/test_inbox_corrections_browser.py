"""In a real browser: a wrong triage label is corrected with a click on the right answer; the message shows
it as corrected, the queue follows, and the page's layout holds at 1280 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from socialdesk.channels import service as channels_service
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import service
from socialdesk.inbox.models import InboxItem, TriageCorrection
from socialdesk.inbox.triage import triage_items
from tests.browser.layout import layout_problems
from tests.helpers import PASSWORD, make_world
from tests.inbox.conftest import FakeNetwork, message

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_one_click_corrects_a_label(database: Database, clock: ManualClock, live_server: str, page: Any,
                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    world = make_world(database, profiles=("facebook",))
    network = FakeNetwork()
    monkeypatch.setattr(channels_service, "adapter", lambda channel: network)
    with database.unit_of_work() as session:
        channel = channels_service.get(world.ctx(session), world.channels["facebook"])
        channel.settings = {**channel.settings, "languages": {"hr": 0.7, "en": 0.3}}
    network.pending = [message("c1", "Kada otvarate u nedjelju? Dolazimo s djecom.", name="Marko Babić"),
                       message("c2", "Great coffee, thanks!", author="u-2", name="Jo Smith", minutes_ago=40)]
    service.fetch_channel(database, world.channels["facebook"])
    with database.read_sessions() as session:
        triage_items(database, list(session.scalars(select(InboxItem.id))))
    with database.read_sessions() as session:
        item = session.scalars(select(InboxItem).where(InboxItem.external_id == "c1")).one()
    wanted = "negative" if item.sentiment != "negative" else "positive"

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", world.users["editor"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/w/{world.workspace_id}/inbox?c={item.conversation_id}")
    message_box = page.locator(f"#msg-{item.id}")
    chip = message_box.locator("details.tri-fix[data-label=sentiment]")
    chip.locator("summary").click()
    menu = chip.locator(".tri-menu")
    expect(menu).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1281
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "inbox-correct-open.png"))
    menu.get_by_role("button", name=wanted, exact=True).click()
    expect(page.locator("#pane-conversation .alert.note")).to_have_text(f"Corrected: sentiment is now {wanted}.")
    corrected = page.locator(f"#msg-{item.id} details.tri-fix[data-label=sentiment] summary")
    expect(corrected).to_have_class("tri tri-" + wanted + " tri-corrected")
    expect(corrected).to_have_attribute("title", f"corrected by Brand A editor; triage said {item.sentiment}")
    expect(page.locator("#pane-context .history-item").first).to_contain_text(
        f"correct sentiment: {item.sentiment} → {wanted}")
    problems = layout_problems(page)
    assert problems == [], problems
    page.screenshot(path=str(SHOTS / "inbox-corrected.png"))
    with database.read_sessions() as session:
        stored = session.scalars(select(TriageCorrection)).one()
    assert (stored.label, stored.value, stored.model_value) == ("sentiment", wanted, item.sentiment)
