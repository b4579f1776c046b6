"""A workspace with something on every page, for browser tests that look at the pages as a whole.

The clock is the tests' manual one: "today" is Monday 2 March 2026 (Europe/Zagreb).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from socialdesk.channels import service as channels_service
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.db import Database
from socialdesk.inbox import service as inbox
from socialdesk.media import service as media
from tests.helpers import PASSWORD, World, make_world
from tests.inbox.conftest import FakeNetwork, message
from tests.web.conftest import jpeg_bytes


@dataclass
class Busy:
    """A workspace with something on every page: planned posts with images, one waiting for approval, and
    conversations in the inbox."""

    world: World
    base: str

    @property
    def w(self) -> str:
        return f"{self.base}/w/{self.world.workspace_id}"


def make_busy(database: Database, live_server: str, monkeypatch: pytest.MonkeyPatch) -> Busy:
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


def sign_in(page: Any, busy: Busy, role: str = "owner", width: int = 1360) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{busy.base}/login")
    page.fill("input[name=email]", busy.world.users[role])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{busy.w}")
