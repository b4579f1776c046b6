"""The specialist's loop end to end on the sandbox network, with an injected clock:
create -> submit -> approve -> schedule -> publish at the due time -> metrics -> comments."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from tests.helpers import make_world, sandbox_post_count

TEXT = "Nova kava iz Etiopije stigla je! ☕ Dođite na degustaciju u subotu. #kava #coffee #Zagreb"


def _statuses(db: Database, post_id: str) -> dict[str, str]:
    with db.read_sessions() as session:
        pubs = session.scalars(select(Publication).where(Publication.post_id == post_id))
        return {p.channel_id: p.status for p in pubs}


def test_post_goes_from_draft_to_published_with_metrics_and_comments(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "mastodon"), approval_steps=["approver"])
    runner = Runner(database)

    with database.unit_of_work() as session:
        editor = world.ctx(session, "editor")
        data = PostIn(text=TEXT, channel_ids=list(world.channels.values()), intent=Intent.DRAFT,
                      scheduled_at=clock.now() + timedelta(hours=3))
        post_id = content.compose(editor, data).post.id
    assert set(_statuses(database, post_id).values()) == {"draft"}

    with database.unit_of_work() as session:
        notes = content.submit(world.ctx(session, "editor"), post_id)
    assert "approval" in notes[0]
    assert set(_statuses(database, post_id).values()) == {"pending_approval"}

    # Nothing is published while it waits for approval, even past its time.
    runner.run_pending()
    with database.unit_of_work() as session:
        content.approve(world.ctx(session, "approver"), post_id, "Good to go")
    assert set(_statuses(database, post_id).values()) == {"scheduled"}

    clock.advance(timedelta(hours=2, minutes=59))
    runner.run_pending()
    assert set(_statuses(database, post_id).values()) == {"scheduled"}, "published before its time"

    clock.advance(timedelta(minutes=1))
    runner.run_pending()
    assert set(_statuses(database, post_id).values()) == {"published"}
    with database.read_sessions() as session:
        pubs = list(session.scalars(select(Publication).where(Publication.post_id == post_id)))
        assert all(p.external_id and p.published_at == clock.now() for p in pubs)
        assert sandbox_post_count() == 2

    # A day later the audience has reacted: snapshots grow and comments arrive in the inbox.
    first_totals = None
    for _ in range(24):
        clock.advance(timedelta(hours=1))
        runner.run_pending()
        if first_totals is None:
            with database.read_sessions() as session:
                first_totals = session.scalar(select(func.sum(PublicationMetricSnapshot.likes)))
    with database.read_sessions() as session:
        snapshots = list(session.scalars(select(PublicationMetricSnapshot).order_by(
            PublicationMetricSnapshot.collected_at)))
        assert len({s.publication_id for s in snapshots}) == 2
        per_pub: dict[str, list[int]] = {}
        for s in snapshots:
            per_pub.setdefault(s.publication_id, []).append(s.likes or 0)
        for series in per_pub.values():
            assert series == sorted(series), "likes went down between snapshots"
            assert series[-1] > 0
        assert session.scalar(select(func.count()).select_from(ChannelMetricSnapshot)) >= 2
        comments = list(session.scalars(select(InboxItem).where(InboxItem.publication_id.is_not(None))))
        assert comments, "no comments arrived within a day"
        assert {c.publication_id for c in comments} <= {p.id for p in pubs}


def test_publish_now_goes_out_at_once_and_only_once(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text="Right now! #coffee", channel_ids=[world.channels["x"]], intent=Intent.PUBLISH_NOW)).post.id
    Runner(database).run_pending()
    Runner(database).run_pending()
    assert _statuses(database, post_id) == {world.channels["x"]: "published"}
    with database.read_sessions() as session:
        assert sandbox_post_count() == 1


def test_each_due_second_gets_one_dispatch_pass_that_covers_all_its_posts(database: Database,
                                                                         clock: ManualClock) -> None:
    """Posts due at :00.3 and :00.7 share one pass at :01 — not one at :00.3, which would leave the
    :00.7 post to the 15-second safety net."""
    from socialdesk.jobs.models import Job
    from socialdesk.publishing.dispatching import request_dispatch

    base = clock.now().replace(microsecond=0) + timedelta(minutes=5)
    with database.unit_of_work() as session:
        for offset in (0.3, 0.7, 1.0):
            request_dispatch(session, base + timedelta(seconds=offset))
    with database.read_sessions() as session:
        passes = sorted(session.scalars(select(Job.run_at).where(Job.name == "publications.dispatch")))
    assert passes == [base + timedelta(seconds=1)]
