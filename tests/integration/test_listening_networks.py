"""Listening on a Mastodon server process (mastodon_mock): a monitor reads a hashtag timeline, from the
newest status seen. (The Bluesky monitor's test is in tests/integration/bluesky/test_listening_search.py.)"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import select

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.listening import service
from socialdesk.listening.models import Mention, Monitor
from tests.helpers import make_world

WITHIN_SECONDS = 60


def _run_until_found(db: Database, real_now: ManualClock, what: str) -> list[Mention]:
    """Poll as the scheduler would (every few seconds here), for at most a minute."""
    deadline = time.monotonic() + WITHIN_SECONDS
    while True:
        real_now.set(datetime.now(UTC))
        with db.unit_of_work() as s:
            result = service.run_monitor(s, s.scalars(select(Monitor)).one())
            assert not result.errors, result.errors
            found = [m for m in s.scalars(select(Mention)) if what in m.text]
            for mention in found:
                s.expunge(mention)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(2)


def test_a_mastodon_monitor_reads_a_hashtag_timeline(database: Database, mastodon_peer: object,
                                                       real_now: ManualClock) -> None:
    peer = mastodon_peer
    _, token = peer.new_account("kafic")  # type: ignore[attr-defined]
    api = peer.api(token)  # type: ignore[attr-defined]
    api.post("/api/v1/statuses", status="Najbolja pauza je uz <b>kavu</b> #kava", language="hr")
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        service.add_monitor(world.ctx(s), name="Kava", terms=["kava"],
                            sources=[f"mastodon:{peer.url}"])  # type: ignore[attr-defined]
    found = _run_until_found(database, real_now, "Najbolja pauza")
    assert len(found) == 1
    # The server's HTML is read as text: its <p> is gone, and what the person typed is kept as typed.
    assert found[0].source.startswith("mastodon:") and found[0].text == "Najbolja pauza je uz <b>kavu</b> #kava"
    api.post("/api/v1/statuses", status="Još jedna #kava danas", language="hr")
    with database.unit_of_work() as s:
        result = service.run_monitor(s, s.scalars(select(Monitor)).one())
    assert result.new == 1  # only the new one: the timeline is read from the newest id seen
