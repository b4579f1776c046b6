"""Real-time listening on the real local Bluesky servers: the listener reads the PDS's own
com.atproto.sync.subscribeRepos (no polling runs here), and a post with an inflected Croatian form of the
monitored word arrives as a triaged mention; a restart resumes from the saved cursor without duplicates;
then the mention is answered from here as the workspace's Bluesky channel, once. PostgreSQL pass, like the
other tests here (the AppView needs PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.listening import replies, service
from socialdesk.listening.models import Mention, StreamCursor
from socialdesk.listening.stream import Listener, StreamStats
from tests.helpers import make_world
from tests.integration.bluesky.pds import INSTALL_TIMEOUT, Network

WITHIN_SECONDS = 60


def _listen(database: Database, pds: str, stop: threading.Event) -> tuple[Listener, threading.Thread]:
    listener = Listener(database, pds, stop=stop)
    thread = threading.Thread(target=lambda: listener.run(seconds=WITHIN_SECONDS * 3), daemon=True)
    thread.start()
    return listener, thread


def _wait(check: object, what: str) -> None:
    deadline = time.monotonic() + WITHIN_SECONDS
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"{what} did not happen within {WITHIN_SECONDS} s"
        time.sleep(0.5)


def _mentions(database: Database) -> list[Mention]:
    with database.unit_of_work() as s:
        found = list(s.scalars(select(Mention)))
        s.expunge_all()
    return found


@pytest.mark.slow
@pytest.mark.timeout(INSTALL_TIMEOUT + 600)
def test_the_stream_delivers_an_inflected_croatian_mention_resumes_from_its_cursor_and_it_is_answered(
        database: Database, bluesky: Network, real_now: ManualClock) -> None:
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        service.add_monitor(world.ctx(s), name="Kava", terms=["kava"], languages=["hr"],
                            sources=[f"bluesky:{bluesky.appview or bluesky.pds}"])
    stop = threading.Event()
    listener, thread = _listen(database, bluesky.pds, stop)
    _wait(lambda: listener.stats.connections >= 1, "connecting to the PDS's stream")
    author = bluesky.create_account("kavopija")  # the account's own events show the stream is flowing
    _wait(lambda: listener.stats.events > 0, "the first event")
    client = bluesky.signed_in(author)
    posted = client.send_post(text="Jutros sam uz kavu čitao novine, a vi? Ništa bolje od dobre kave.", langs=["hr"])
    client.send_post(text="Idemo u kavanu večeras", langs=["hr"])  # another word: not a mention
    started = time.monotonic()
    _wait(lambda: any("Jutros sam uz kavu" in m.text for m in _mentions(database)), "the mention via the stream")
    latency = time.monotonic() - started
    stop.set()
    thread.join(timeout=30)
    [mention] = _mentions(database)
    assert mention.source == "bluesky" and mention.author == author.handle and mention.matched_term == "kava"
    assert mention.external_id == posted.uri and mention.url.endswith("/post/" + posted.uri.rsplit("/", 1)[1])
    assert mention.language in ("hr", "bs", "sr") and mention.sentiment in ("negative", "neutral", "positive")
    print(f"\nstream: mention stored {latency:.1f} s after posting; stats {listener.stats.as_dict()}")
    with database.unit_of_work() as s:
        saved = s.get(StreamCursor, bluesky.pds.rstrip("/"))
        assert saved is not None and saved.cursor == listener.stats.cursor and saved.cursor > 0
        cursor = saved.cursor

    # Restarted: from the saved cursor; a post made while it was down arrives, nothing twice.
    client.send_post(text="Dok je slušač bio ugašen: kavom se budim svaki dan.", langs=["hr"])
    stop2 = threading.Event()
    again = Listener(database, bluesky.pds, stop=stop2)
    seen: list[StreamStats] = []
    again.progress = seen.append
    thread2 = threading.Thread(target=lambda: again.run(seconds=WITHIN_SECONDS * 2), daemon=True)
    thread2.start()
    _wait(lambda: len(_mentions(database)) >= 2, "the post made while the listener was down")
    time.sleep(2)  # anything replayed by mistake would be stored within the next batch
    stop2.set()
    thread2.join(timeout=30)
    texts = sorted(m.text for m in _mentions(database))
    assert texts == ["Dok je slušač bio ugašen: kavom se budim svaki dan.",
                     "Jutros sam uz kavu čitao novine, a vi? Ništa bolje od dobre kave."]
    assert again.stats.duplicates == 0 and seen and again.stats.cursor > cursor

    # Answered from here as the workspace's Bluesky channel, exactly once for one key.
    brand = bluesky.create_account("brand")
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        channel = channels.connect(ctx, "bluesky", "Brand on Bluesky", handle=brand.handle,
                                   app_password=brand.app_password, service=bluesky.pds)
        first = replies.reply(ctx, mention.id, channel_id=channel.id, text="Svrati k nama na kavu!",
                              idempotency_key="bsky-1")
        first_uri, first_url = first.external_id, first.url
    with database.unit_of_work() as s:
        second = replies.reply(world.ctx(s), mention.id, channel_id=channel.id, text="Svrati k nama na kavu!",
                               idempotency_key="bsky-1")
        assert second.external_id == first_uri
    assert first_url.startswith("https://bsky.app/profile/" + brand.handle + "/post/")
    own = bluesky.signed_in(brand)
    records = own.com.atproto.repo.list_records({"repo": brand.did, "collection": "app.bsky.feed.post"}).records
    assert [r.uri for r in records] == [first_uri]  # one reply on the network
    assert records[0].value.reply.parent.uri == posted.uri
