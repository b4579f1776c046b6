"""What the pipeline does when the network misbehaves: retries only what is safe to retry, waits
as long as the network asks, shows the network's own words, and never posts twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.jobs.registry import RetryLater
from socialdesk.jobs.runner import Runner
from socialdesk.networks.sandbox import faults
from tests.helpers import World, make_world, sandbox_post_count

S = PublicationStatus


def _publish_now(db: Database, world: World, profile: str = "x", text: str = "Hello #coffee") -> str:
    with db.unit_of_work() as session:
        post = content.compose(world.ctx(session), PostIn(text=text, channel_ids=[world.channels[profile]],
                                                          intent=Intent.PUBLISH_NOW)).post
    with db.read_sessions() as session:
        return session.scalars(select(Publication.id).where(Publication.post_id == post.id)).one()


def _publication(db: Database, publication_id: str) -> Publication:
    with db.read_sessions() as session:
        found = session.get(Publication, publication_id)
        assert found is not None
        return found


def test_server_errors_are_retried_with_backoff_until_published(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    faults.inject("branda_x", ["server_error", "connection_reset"])
    publication_id = _publish_now(database, world)
    runner = Runner(database)
    runner.run_pending()
    first = _publication(database, publication_id)
    assert first.status == S.SCHEDULED and first.attempts == 1
    assert first.next_attempt_at is not None and first.next_attempt_at > clock.now()
    assert "retrying" in (first.last_error or "")
    for _ in range(12):
        clock.advance(timedelta(minutes=5))
        runner.run_pending()
    done = _publication(database, publication_id)
    assert done.status == S.PUBLISHED and done.attempts == 3 and done.last_error is None
    assert sandbox_post_count() == 1


def test_rate_limit_waits_as_long_as_the_network_says(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    faults.inject("branda_x", [{"kind": "rate_limited", "retry_after": 900}])
    publication_id = _publish_now(database, world)
    runner = Runner(database)
    runner.run_pending()
    waiting = _publication(database, publication_id)
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=900)
    clock.advance(timedelta(seconds=899))
    runner.run_pending()
    assert _publication(database, publication_id).status == S.SCHEDULED
    clock.advance(timedelta(seconds=16))
    runner.run_pending()
    assert _publication(database, publication_id).status == S.PUBLISHED


def test_a_rejected_post_fails_with_the_networks_own_words(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    faults.inject("branda_x", [{"kind": "invalid", "message": "Status is a duplicate of a recent post."}])
    publication_id = _publish_now(database, world)
    Runner(database).run_pending()
    failed = _publication(database, publication_id)
    assert failed.status == S.FAILED
    assert failed.last_error == "Status is a duplicate of a recent post."
    assert sandbox_post_count() == 0


def test_a_revoked_token_holds_the_channel_and_says_reconnect(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    faults.inject("branda_x", ["revoked"])
    publication_id = _publish_now(database, world)
    runner = Runner(database)
    runner.run_pending()
    with database.read_sessions() as session:
        channel = session.get(Channel, world.channels["x"])
        assert channel is not None and channel.status == ChannelStatus.NEEDS_RECONNECTION
        assert "revoked" in (channel.status_message or "")
    held = _publication(database, publication_id)
    assert held.status == S.SCHEDULED and "needs reconnecting" in (held.last_error or "")
    clock.advance(timedelta(hours=1))
    runner.run_pending()
    assert _publication(database, publication_id).status == S.SCHEDULED, "published through a revoked channel"


def test_timeout_after_send_is_resolved_by_the_idempotency_key(database: Database, clock: ManualClock) -> None:
    """The post reached the network but the answer was lost: the retry carries the same key."""
    world = make_world(database, profiles=("x",))
    faults.inject("branda_x", ["timeout_after_send"])
    publication_id = _publish_now(database, world)
    runner = Runner(database)
    runner.run_pending()
    assert sandbox_post_count() == 1
    for _ in range(12):
        clock.advance(timedelta(minutes=5))
        runner.run_pending()
    assert _publication(database, publication_id).status == S.PUBLISHED
    assert sandbox_post_count() == 1


def test_paused_channel_and_paused_queue_publish_nothing_until_resumed(database: Database, clock: ManualClock
                                                                      ) -> None:
    from socialdesk.channels import service as channels
    from socialdesk.workspaces import service as workspaces

    world = make_world(database, profiles=("x", "mastodon"))
    with database.unit_of_work() as session:
        channels.set_paused(world.ctx(session), world.channels["x"], True)
    on_x = _publish_now(database, world, "x")
    runner = Runner(database)
    runner.run_pending()
    assert _publication(database, on_x).status == S.SCHEDULED
    with database.unit_of_work() as session:
        workspaces.set_queue_paused(world.ctx(session), True)
        channels.set_paused(world.ctx(session), world.channels["x"], False)
    on_mastodon = _publish_now(database, world, "mastodon")
    clock.advance(timedelta(minutes=1))
    runner.run_pending()
    assert {_publication(database, p).status for p in (on_x, on_mastodon)} == {S.SCHEDULED}
    with database.unit_of_work() as session:
        workspaces.set_queue_paused(world.ctx(session), False)
    clock.advance(timedelta(minutes=1))
    runner.run_pending()
    assert {_publication(database, p).status for p in (on_x, on_mastodon)} == {S.PUBLISHED}


def test_channel_rate_limit_holds_a_burst_to_the_networks_window(database: Database, clock: ManualClock) -> None:
    """An Instagram-like channel takes N posts in any 24 hours: post N+1 waits until the first leaves the window,
    and the network never has to refuse one."""
    from socialdesk.channels import service as channels
    from socialdesk.media import service as media
    from tests.helpers import image_bytes

    world = make_world(database, profiles=("instagram",))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        limit = channels.capabilities(channels.get(ctx, world.channels["instagram"])).rate_limit
        assert limit is not None
        asset = media.upload(ctx, "a.jpg", image_bytes()).id
        for i in range(limit.posts + 1):
            content.compose(ctx, PostIn(text=f"Post {i}", channel_ids=[world.channels["instagram"]],
                                        media_ids=[asset], intent=Intent.PUBLISH_NOW))
    runner = Runner(database)
    runner.run_pending()
    assert sandbox_post_count() == limit.posts
    clock.advance(timedelta(seconds=limit.per_seconds - 60))
    runner.run_pending()
    assert sandbox_post_count() == limit.posts, "sent before the window allowed it"
    clock.advance(timedelta(seconds=61))
    runner.run_pending()
    assert sandbox_post_count() == limit.posts + 1
    with database.read_sessions() as session:
        assert {p.status for p in session.scalars(select(Publication))} == {S.PUBLISHED}
        assert not any(p.last_error for p in session.scalars(select(Publication)))


def test_calls_in_flight_are_capped_per_channel_and_per_network(database: Database, clock: ManualClock,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from socialdesk.core.config import reset_settings_cache
    from socialdesk.publishing import service as publishing

    monkeypatch.setenv("SOCIALDESK_NETWORK_CONCURRENCY", '{"sandbox": 2}')
    reset_settings_cache()
    world = make_world(database, profiles=("x", "mastodon", "facebook"))
    ids = {profile: _publish_now(database, world, profile, text=f"Post on {profile}") for profile in world.channels}
    ids["x2"] = _publish_now(database, world, "x", text="Second on x")
    publishing.dispatch_due(database)
    # Two calls are under way (as if two workers were waiting for the network)...
    assert publishing._start_attempt(database, ids["x"]) is not None
    assert publishing._start_attempt(database, ids["mastodon"]) is not None
    # ...so a second call to the same channel waits, and so does a third call to the network.
    for waiting in ("x2", "facebook"):
        with pytest.raises(RetryLater):
            publishing._start_attempt(database, ids[waiting])
    # A call that began longer ago than any network call may last is not counted (its worker died).
    clock.advance(publishing.CALL_TIMEOUT + timedelta(seconds=1))
    assert publishing._start_attempt(database, ids["facebook"]) is not None
