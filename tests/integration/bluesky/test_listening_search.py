"""Listening on the real local Bluesky servers: a Bluesky monitor (app.bsky.feed.searchPosts on the
local AppView, polled) catches a post with an inflected Croatian form of its word within a minute and
triages it. PostgreSQL pass, like the other tests here (the AppView needs PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.listening import service
from socialdesk.listening.models import Mention, Monitor
from tests.helpers import make_world
from tests.integration.bluesky.pds import INSTALL_TIMEOUT, Network
from tests.integration.test_listening_networks import _run_until_found


@pytest.mark.slow
@pytest.mark.timeout(INSTALL_TIMEOUT + 300)
def test_a_bluesky_monitor_catches_an_inflected_croatian_form_and_triages_it(
        database: Database, bluesky: Network, real_now: ManualClock) -> None:
    if not bluesky.appview:
        pytest.skip("the AppView did not start")
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        service.add_monitor(world.ctx(s), name="Kava", terms=["kava"], languages=["hr"],
                            sources=[f"bluesky:{bluesky.appview}"])
    author = bluesky.create_account("kavopija")
    client = bluesky.signed_in(author)
    text = "Jutros sam uz kavu čitao novine, a vi? Ništa bolje od dobre kave."
    client.send_post(text=text, langs=["hr"])
    client.send_post(text="Idemo u kavanu večeras", langs=["hr"])  # another word: not a mention
    found = _run_until_found(database, real_now, "Jutros sam uz kavu")
    assert len(found) == 1, "the post was not found within a minute"
    mention = found[0]
    assert mention.source == "bluesky" and mention.author == author.handle
    assert mention.url.startswith("https://bsky.app/profile/") and mention.matched_term == "kava"
    assert mention.language in ("hr", "bs", "sr") and mention.sentiment in ("negative", "neutral", "positive")
    with database.unit_of_work() as s:
        assert not [m for m in s.scalars(select(Mention)) if "kavanu" in m.text]
        again = service.run_monitor(s, s.scalars(select(Monitor)).one())
    assert again.new == 0  # stored once


