"""The Bluesky stream listener (listening/stream.py, networks/public/bluesky_stream.py) against a loopback
repository-stream server (tests/listening/firehose.py): frames decoded, matching posts stored once and
triaged, the cursor saved with them so a restart resumes without gaps or duplicates, reconnecting after a
dropped connection, a FutureCursor handled, and the outbound policy applied to the relay's address.
The same on the real local PDS: tests/integration/bluesky/test_listening_stream.py."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.cli import app
from socialdesk.core.db import Database, set_database
from socialdesk.listening import service
from socialdesk.listening.models import Mention, StreamCursor
from socialdesk.listening.stream import Listener, StreamStats
from socialdesk.networks.outbound import OutboundRefused
from socialdesk.networks.public import bluesky_stream as network
from tests.helpers import allow_private_targets, make_world
from tests.listening import firehose
from tests.listening.firehose import Relay

DID = "did:plc:kavopija0000000000000000"
HANDLE = "kavopija.test"


def _monitor(database: Database) -> None:
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        # The AppView is never asked here: the handle comes with the stream's #identity message.
        service.add_monitor(world.ctx(s), name="Kava", terms=["kava"], languages=["hr"],
                            sources=["bluesky:http://127.0.0.1:9"])


def _run_until(database: Database, relay: Relay, seq: int, **kwargs: object) -> tuple[Listener, StreamStats]:
    stop = threading.Event()
    listener = Listener(database, relay.url, stop=stop, sleep=lambda _s: None, **kwargs)  # type: ignore[arg-type]

    def progress(stats: StreamStats) -> None:
        if stats.cursor is not None and stats.cursor >= seq:
            stop.set()

    listener.progress = progress
    return listener, listener.run(seconds=120)


def _mentions(database: Database) -> list[Mention]:
    with database.unit_of_work() as s:
        found = list(s.scalars(select(Mention).order_by(Mention.text)))
        s.expunge_all()
    return found


def _events(relay: Relay) -> None:
    relay.add(1, firehose.identity(1, DID, HANDLE))
    relay.add(2, firehose.commit(2, DID, {"app.bsky.feed.post/3kaaa": firehose.post(
        "Jutros sam uz kavu čitao novine, a vi? Ništa bolje od dobre kave.")}))
    relay.add(3, firehose.commit(3, DID, {"app.bsky.feed.post/3kbbb": firehose.post("Idemo u kavanu večeras")}))
    relay.add(4, firehose.commit(4, DID, {"app.bsky.feed.like/3kccc": {"$type": "app.bsky.feed.like",
                                                                       "subject": "x", "createdAt": "x"}}))


def test_frames_are_decoded_into_new_posts_handles_and_notes() -> None:
    event = network.decode(firehose.commit(7, DID, {"app.bsky.feed.post/3kx": firehose.post("Volim kavu")}))
    assert event.seq == 7 and [(p.uri, p.text, p.langs) for p in event.posts] == [
        (f"at://{DID}/app.bsky.feed.post/3kx", "Volim kavu", ("hr",))]
    deleted = network.decode(firehose.commit(8, DID, {"app.bsky.feed.post/3kx": firehose.post("x")},
                                             action="delete"))
    assert deleted.seq == 8 and deleted.posts == []
    assert network.decode(firehose.identity(9, DID, HANDLE)).handles == {DID: HANDLE}
    assert network.decode(firehose.info("OutdatedCursor", "too old")).note == "OutdatedCursor: too old"
    with pytest.raises(network.FutureCursor):
        network.decode(firehose.error("FutureCursor", "cursor in the future"))
    assert network.stream_url("https://bsky.network", 5) == \
        "wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos?cursor=5"
    assert network.stream_url("http://127.0.0.1:2583/", None) == \
        "ws://127.0.0.1:2583/xrpc/com.atproto.sync.subscribeRepos"


def test_matching_posts_are_stored_once_and_a_restart_resumes_from_the_cursor(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch)
    _monitor(database)
    with firehose.relay() as relay:
        _events(relay)
        _, stats = _run_until(database, relay, 4)
        assert stats.cursor == 4 and stats.posts == 2 and stats.new == 1
        [mention] = _mentions(database)
        assert mention.source == "bluesky" and mention.author == HANDLE and mention.matched_term == "kava"
        assert mention.url == f"https://bsky.app/profile/{HANDLE}/post/3kaaa"
        assert mention.external_id == f"at://{DID}/app.bsky.feed.post/3kaaa"
        assert mention.language in ("hr", "bs", "sr") and mention.sentiment in ("negative", "neutral", "positive")
        with database.unit_of_work() as s:
            assert s.get(StreamCursor, relay.url.rstrip("/")).cursor == 4

        # Restarted: it asks for the events after 4, and stores the new one only.
        relay.add(5, firehose.commit(5, DID, {"app.bsky.feed.post/3kddd": firehose.post("Kavom se budim svaki dan.")}))
        _, again = _run_until(database, relay, 5)
        assert relay.cursors == [None, 4], relay.cursors
        assert again.new == 1
        assert [m.text for m in _mentions(database)] == [
            "Jutros sam uz kavu čitao novine, a vi? Ništa bolje od dobre kave.", "Kavom se budim svaki dan."]

        # A cursor that fell behind (a crash between storing and saving would leave it so) reads events again:
        # the de-duplication keeps each post once.
        with database.unit_of_work() as s:
            s.get(StreamCursor, relay.url.rstrip("/")).cursor = 1
        _, replay = _run_until(database, relay, 5)
        assert [m.text for m in _mentions(database)] == [
            "Jutros sam uz kavu čitao novine, a vi? Ništa bolje od dobre kave.", "Kavom se budim svaki dan."]
        assert replay.new == 0 and replay.duplicates == 2


def test_a_dropped_connection_is_reopened_from_the_cursor_with_backoff(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch)
    _monitor(database)
    slept: list[float] = []
    with firehose.relay() as relay:
        _events(relay)
        relay.drop_after = 2  # the identity and the first post, then the connection is dropped
        stop = threading.Event()
        listener = Listener(database, relay.url, stop=stop, sleep=slept.append,
                            progress=lambda st: stop.set() if (st.cursor or 0) >= 4 else None)
        stats = listener.run(seconds=120)
    assert relay.cursors == [None, 2], relay.cursors
    assert stats.connections == 2 and stats.new == 1 and len(_mentions(database)) == 1
    assert len(slept) == 1 and 0.5 <= slept[0] <= 1.5  # the first backoff step
    assert stats.errors and "closed" in stats.errors[0]


def test_a_future_cursor_starts_again_from_the_servers_present(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch)
    _monitor(database)
    with firehose.relay() as relay:
        with database.unit_of_work() as s:
            s.add(StreamCursor(service=relay.url, cursor=99, last_error=""))
        _events(relay)
        relay.refuse_with = firehose.error("FutureCursor", "Cursor in the future.")
        _, stats = _run_until(database, relay, 4)
    assert relay.cursors == [99, None], (relay.cursors, stats)
    assert stats.new == 1
    assert "FutureCursor: Cursor in the future." in stats.errors[0]


def test_the_outbound_policy_refuses_a_relay_on_a_private_address(database: Database) -> None:
    _monitor(database)
    with firehose.relay() as relay:
        _events(relay)
        with pytest.raises(OutboundRefused):
            Listener(database, relay.url, sleep=lambda _s: None).run(seconds=30)
        assert relay.cursors == []  # nothing was sent to it
    with database.unit_of_work() as s:
        assert "refused" in s.get(StreamCursor, relay.url).last_error


def test_listen_stream_command_stores_mentions_and_prints_totals(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch)
    _monitor(database)
    set_database(database)
    with firehose.relay() as relay:
        _events(relay)
        result = CliRunner().invoke(app, ["listen-stream", "--service", relay.url, "--seconds", "8", "--json"])
    assert result.exit_code == 0, result.output
    totals = json.loads(result.stdout)
    assert totals["cursor"] == 4 and totals["new"] == 1 and totals["service"] == relay.url
    assert len(_mentions(database)) == 1
