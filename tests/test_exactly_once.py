"""Exactly once, or visibly unknown: what happens when a try is interrupted or its answer is lost."""

from __future__ import annotations

import threading
from datetime import timedelta
from unittest import mock

from sqlalchemy import func, select, update

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.db import Database
from socialdesk.jobs.models import Job
from socialdesk.jobs.runner import Runner
from socialdesk.jobs.worker import current_runner
from socialdesk.networks.sandbox import faults, store, tokens
from socialdesk.networks.sandbox.adapter import SandboxAdapter
from socialdesk.notifications.models import Notification
from socialdesk.publishing import service as publishing
from tests.helpers import World, make_world, sandbox_post_count

S = PublicationStatus


def _keyless_world(db: Database) -> World:
    """A channel on a network without idempotency keys: repeats would make duplicates."""
    world = make_world(db, profiles=())
    with db.unit_of_work() as session:
        channel = channels.connect(world.ctx(session), "sandbox", "No keys", handle="nokeys", profile="x",
                                   audience_size=500, keyless=True)
        world.channels["x"] = channel.id
        assert channels.capabilities(channel).idempotency == "lookup"
    return world


def _due_now(db: Database, world: World, text: str = "Hello #coffee") -> str:
    with db.unit_of_work() as session:
        post = content.compose(world.ctx(session), PostIn(text=text, channel_ids=[world.channels["x"]],
                                                          intent=Intent.PUBLISH_NOW)).post
    with db.read_sessions() as session:
        return session.scalars(select(Publication.id).where(Publication.post_id == post.id)).one()


def _status(db: Database, publication_id: str) -> Publication:
    with db.read_sessions() as session:
        found = session.get(Publication, publication_id)
        assert found is not None
        return found


def _crash_after_sending(db: Database, world: World, publication_id: str, *, send: bool) -> None:
    """A worker claims the job, records the attempt, (maybe) reaches the network, then dies."""
    publishing.dispatch_due(db)
    with db.read_sessions() as session:
        job_id = session.scalars(select(Job.id).where(Job.name == "publication.publish")).one()
    assert Runner(db).claim(job_id) is not None
    attempt = publishing._start_attempt(db, publication_id)
    assert attempt is not None
    if send:
        channels.fresh_adapter(db, world.channels["x"]).publish(attempt.outgoing)


def test_a_lost_answer_is_found_by_looking_it_up(database: Database, clock: ManualClock) -> None:
    world = _keyless_world(database)
    faults.inject("nokeys", ["timeout_after_send"])
    publication_id = _due_now(database, world)
    Runner(database).run_pending()
    assert _status(database, publication_id).status == S.PUBLISHED
    assert sandbox_post_count() == 1


def test_a_crash_mid_call_is_resolved_by_a_look_up_not_by_sending_again(database: Database,
                                                                         clock: ManualClock) -> None:
    world = _keyless_world(database)
    publication_id = _due_now(database, world)
    _crash_after_sending(database, world, publication_id, send=True)
    clock.advance(timedelta(minutes=11))  # the dead worker's lease ends
    Runner(database).run_pending()
    publication = _status(database, publication_id)
    assert publication.status == S.PUBLISHED and publication.external_id
    assert sandbox_post_count() == 1


def _requeue(db: Database, job_id: str) -> None:
    """What requeue_dead does to a job whose runner looks dead (a stale heartbeat)."""
    with db.unit_of_work() as session:
        session.execute(update(Job).where(Job.id == job_id).values(status="queued", locked_by=None,
                                                                   locked_until=None))


def test_a_second_runner_waits_while_the_first_try_is_still_in_flight(database: Database,
                                                                      clock: ManualClock) -> None:
    """The job is handed to a second runner while the first one still waits for the network (its
    heartbeat looked late): the second must neither look up nor send, or a keyless network would get
    the post twice. It waits; the first try's answer settles the publication."""
    world = _keyless_world(database)
    publication_id = _due_now(database, world)
    publishing.dispatch_due(database)
    with database.read_sessions() as session:
        job_id = session.scalars(select(Job.id).where(Job.name == "publication.publish")).one()
    first, second = Runner(database, kind="worker"), Runner(database, kind="worker")
    first.beat()
    second.beat()
    in_call, answer = threading.Event(), threading.Event()
    real_publish = SandboxAdapter.publish
    calls: list[str] = []

    def slow_publish(adapter: SandboxAdapter, post):  # type: ignore[no-untyped-def]
        calls.append(threading.current_thread().name)
        in_call.set()
        assert answer.wait(10)
        return real_publish(adapter, post)

    with mock.patch.object(SandboxAdapter, "publish", slow_publish), \
            mock.patch.object(SandboxAdapter, "find_published", side_effect=AssertionError("looked up")):
        job = first.claim(job_id)
        assert job is not None
        sending = threading.Thread(target=first.execute, args=(job,), name="first")
        sending.start()
        assert in_call.wait(10)
        _requeue(database, job_id)
        again = second.claim(job_id)
        assert again is not None
        second.execute(again)  # must return without touching the network
        with database.read_sessions() as session:
            waiting = session.get(Job, job_id)
            assert waiting is not None and waiting.status == "queued" and waiting.run_at > clock.now()
            assert "still sending" in (waiting.last_error or "")
        answer.set()
        sending.join(10)
    assert calls == ["first"]
    assert _status(database, publication_id).status == S.PUBLISHED
    clock.advance(timedelta(seconds=10))
    second.beat()
    second.run_pending()
    assert sandbox_post_count() == 1


def test_a_try_whose_runner_died_is_settled_at_once_by_a_look_up(database: Database, clock: ManualClock) -> None:
    """The runner of the first try died mid-call (its heartbeat went silent): the next runner does not
    wait for the two-minute call limit; it looks the post up and finds it."""
    world = _keyless_world(database)
    publication_id = _due_now(database, world)
    publishing.dispatch_due(database)
    with database.read_sessions() as session:
        job_id = session.scalars(select(Job.id).where(Job.name == "publication.publish")).one()
    dead = Runner(database, kind="worker")
    dead.beat()
    assert dead.claim(job_id) is not None
    token = current_runner.set(dead.runner_id)
    try:
        attempt = publishing._start_attempt(database, publication_id)
    finally:
        current_runner.reset(token)
    assert attempt is not None
    channels.fresh_adapter(database, world.channels["x"]).publish(attempt.outgoing)
    clock.advance(timedelta(seconds=40))  # silent for longer than SOCIALDESK_HEARTBEAT_STALE_SECONDS
    Runner(database).run_pending()
    assert _status(database, publication_id).status == S.PUBLISHED
    assert sandbox_post_count() == 1


def test_when_the_look_up_cannot_decide_a_person_is_asked(database: Database, clock: ManualClock) -> None:
    world = _keyless_world(database)
    publication_id = _due_now(database, world, "Never reached the network")
    _crash_after_sending(database, world, publication_id, send=False)
    clock.advance(timedelta(minutes=11))
    Runner(database).run_pending()
    publication = _status(database, publication_id)
    assert publication.status == S.UNCONFIRMED
    assert "could not be found" in (publication.last_error or "")
    assert sandbox_post_count() == 0, "an unconfirmed publication must never be re-sent on its own"
    with database.read_sessions() as session:
        note = session.scalars(select(Notification).where(Notification.kind == "publication_unconfirmed")).one()
        assert note.resolved_at is None and publication_id in (note.dedupe_key or "")
    # A person checks the channel, does not find it, and retries: now it goes out, once.
    with database.unit_of_work() as session:
        content.retry_publication(world.ctx(session), publication_id)
    Runner(database).run_pending()
    assert _status(database, publication_id).status == S.PUBLISHED
    assert sandbox_post_count() == 1
    with database.read_sessions() as session:
        assert session.scalars(select(Notification.resolved_at).where(
            Notification.kind == "publication_unconfirmed")).one() is not None


def test_an_unconfirmed_post_found_by_a_person_can_be_confirmed(database: Database, clock: ManualClock) -> None:
    world = _keyless_world(database)
    publication_id = _due_now(database, world, "Checked by hand")
    _crash_after_sending(database, world, publication_id, send=False)
    clock.advance(timedelta(minutes=11))
    Runner(database).run_pending()
    with database.unit_of_work() as session:
        content.confirm_publication(world.ctx(session), publication_id, "https://example.social/p/1")
    publication = _status(database, publication_id)
    assert publication.status == S.PUBLISHED and publication.external_url == "https://example.social/p/1"


def test_stuck_publications_are_finished_by_the_reconciliation(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    publication_id = _due_now(database, world)
    publishing.dispatch_due(database)
    with database.unit_of_work() as session:  # the publish job vanished (e.g. deleted by hand)
        session.query(Job).filter(Job.name == "publication.publish").delete()
    clock.advance(timedelta(minutes=11))
    report = publishing.reconcile(database)
    assert report.restarted == 1
    Runner(database).run_pending()
    assert _status(database, publication_id).status == S.PUBLISHED
    assert sandbox_post_count() == 1


def test_overdue_posts_are_reported_and_sent(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    publication_id = _due_now(database, world)
    with database.unit_of_work() as session:  # nothing ran the dispatch job: no runner was alive
        session.query(Job).delete()
    clock.advance(timedelta(minutes=6))
    report = publishing.reconcile(database)
    assert report.overdue == {world.workspace_id: 1}
    with database.read_sessions() as session:
        assert session.scalars(select(Notification.kind)).all() == ["publications_overdue"]
    Runner(database).run_pending()
    assert _status(database, publication_id).status == S.PUBLISHED
    publishing.reconcile(database)
    with database.read_sessions() as session:
        assert session.scalars(select(Notification.resolved_at)).one() is not None


def test_two_dispatchers_never_claim_the_same_publication(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "mastodon"))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        for i in range(60):
            content.compose(ctx, PostIn(text=f"Post {i}", channel_ids=list(world.channels.values()),
                                        intent=Intent.PUBLISH_NOW))
    barrier = threading.Barrier(2)
    claimed: list[int] = []

    def dispatch() -> None:
        barrier.wait()
        claimed.append(publishing.dispatch_due(database))

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(claimed) == 120
    with database.read_sessions() as session:
        jobs = session.scalar(select(func.count()).select_from(Job).where(Job.name == "publication.publish"))
        assert jobs == 120


def _expiring_channel(db: Database, world: World, seconds: int) -> None:
    creds = tokens.enable_expiry("branda_x", seconds)
    with db.unit_of_work() as session:
        channel = session.get(Channel, world.channels["x"])
        assert channel is not None
        channel.credentials_encrypted = encrypt_json(creds)


def test_tokens_are_refreshed_ahead_of_expiry_once_however_many_workers(database: Database,
                                                                       clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    _expiring_channel(database, world, 3600)
    clock.advance(timedelta(minutes=55))
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def refresh() -> None:
        barrier.wait()
        try:
            channels.fresh_adapter(database, world.channels["x"]).account_metrics()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    account = store.find_account("branda_x")
    assert account is not None and account.settings[tokens.REFRESHES] == 1, "single-use refresh token reused"
    publication_id = _due_now(database, world)
    Runner(database).run_pending()
    assert _status(database, publication_id).status == S.PUBLISHED


def test_a_refused_refresh_marks_the_channel_and_holds_its_posts(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    _expiring_channel(database, world, 600)
    tokens.enable_expiry("branda_x", 600)  # the network rotated again behind our back: our refresh token is dead
    publication_id = _due_now(database, world)
    Runner(database).run_pending()
    with database.read_sessions() as session:
        channel = session.get(Channel, world.channels["x"])
        assert channel is not None and channel.status == ChannelStatus.NEEDS_RECONNECTION
        assert "refresh token" in (channel.status_message or "")
        assert session.scalars(select(Notification.kind)).all() == ["channel_needs_reconnection"]
    assert _status(database, publication_id).status == S.SCHEDULED
    assert sandbox_post_count() == 0
    # Reconnecting the account sends what was held.
    with database.unit_of_work() as session:
        channels.connect(world.ctx(session), "sandbox", None, handle="branda_x", profile="x")
    clock.advance(timedelta(minutes=1))
    Runner(database).run_pending()
    assert _status(database, publication_id).status == S.PUBLISHED


def test_refresh_keeps_a_refresh_token_the_network_did_not_send_again(database: Database,
                                                                      clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    _expiring_channel(database, world, 60)
    real_refresh = SandboxAdapter.refresh_credentials

    def network_omits_the_refresh_token(self: SandboxAdapter) -> dict[str, object]:
        return {**real_refresh(self), "refresh_token": ""}

    with mock.patch.object(SandboxAdapter, "refresh_credentials", network_omits_the_refresh_token):
        channels.fresh_adapter(database, world.channels["x"])
    with database.read_sessions() as session:
        channel = session.get(Channel, world.channels["x"])
        assert channel is not None
        assert decrypt_json(channel.credentials_encrypted)["refresh_token"], "an empty token replaced a stored one"
