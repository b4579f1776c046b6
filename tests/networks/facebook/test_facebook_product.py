"""A Facebook channel through the product's own services: the publisher's exactly-once path, the inbox
ingestion, metrics snapshots and a revoked token marking the channel for reconnection."""

from __future__ import annotations

from sqlalchemy import func, select

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from tests.contract.meta_facebook import add_comment, posts_of
from tests.helpers import World, make_world
from tests.networks.facebook.conftest import Facebook

V = r"/v\d+\.\d+"


def _channel(db: Database, fb: Facebook) -> tuple[World, str]:
    world = make_world(db, profiles=())
    with db.unit_of_work() as session:
        channel = channels.connect(world.ctx(session), "facebook", "Brand on Facebook", page_id=fb.page["id"],
                                   access_token=fb.token)
        assert channels.capabilities(channel).idempotency == "lookup"
        return world, channel.id


def _publish_now(db: Database, world: World, channel_id: str, text: str) -> str:
    with db.unit_of_work() as session:
        post = content.compose(world.ctx(session), PostIn(text=text, channel_ids=[channel_id],
                                                          intent=Intent.PUBLISH_NOW)).post
    with db.read_sessions() as session:
        return session.scalars(select(Publication.id).where(Publication.post_id == post.id)).one()


def test_a_lost_answer_is_looked_up_and_the_post_exists_once(database: Database, clock: ManualClock,
                                                             fb: Facebook) -> None:
    world, channel_id = _channel(database, fb)
    publication_id = _publish_now(database, world, channel_id, "Exactly once on Facebook")
    fb.server.lose_answer("POST", rf"{V}/\d+/feed")
    Runner(database).run_pending()
    with database.read_sessions() as session:
        publication = session.get(Publication, publication_id)
        assert publication is not None
        assert publication.status == PublicationStatus.PUBLISHED
        posts = posts_of(fb.world, fb.page["id"])
        assert len(posts) == 1 and publication.external_id == posts[0]["id"]
    assert len(fb.server.calls_to("POST", rf"{V}/\d+/feed")) == 1
    assert len(fb.server.calls_to("GET", rf"{V}/\d+/published_posts")) >= 1


def test_comments_are_ingested_once(database: Database, clock: ManualClock, fb: Facebook) -> None:
    world, channel_id = _channel(database, fb)
    _publish_now(database, world, channel_id, "Tell us")
    Runner(database).run_pending()
    post_id = posts_of(fb.world, fb.page["id"])[0]["id"]
    add_comment(fb.world, post_id, {"id": "5010", "name": "Ivo"}, "When do you open?")
    assert inbox.fetch_channel(database, channel_id) == 1
    assert inbox.fetch_channel(database, channel_id) == 0
    with database.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboxItem)) == 1


def test_a_revoked_token_marks_the_channel(database: Database, clock: ManualClock, fb: Facebook) -> None:
    world, channel_id = _channel(database, fb)
    fb.world.revoke(fb.token)
    publication_id = _publish_now(database, world, channel_id, "Nobody will see this")
    Runner(database).run_pending()
    with database.read_sessions() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None and channel.status == ChannelStatus.NEEDS_RECONNECTION
        publication = session.get(Publication, publication_id)
        assert publication is not None and publication.status != PublicationStatus.PUBLISHED
    assert posts_of(fb.world, fb.page["id"]) == []
