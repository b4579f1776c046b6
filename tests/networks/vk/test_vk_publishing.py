"""VK through the real publisher: a lost answer on wall.post is settled by a look-up, never a second post."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.jobs.runner import Runner
from tests.contract.vk import VkContract
from tests.helpers import make_world


def test_a_lost_answer_on_wall_post_is_looked_up_and_the_post_exists_once(
        vk: VkContract, database: Database, clock: ManualClock) -> None:
    world = make_world(database, "VK Brand", profiles=(), roles=())
    with database.unit_of_work() as session:
        channel = channels.connect(world.ctx(session), "vk", "Brand on VK", group_id=str(vk.state.group_id),
                                   access_token=vk.state.user_token)
        assert channels.capabilities(channel).idempotency == "lookup"
        post = content.compose(world.ctx(session), PostIn(text="Exactly once, on VK", channel_ids=[channel.id],
                                                          intent=Intent.PUBLISH_NOW)).post
    vk.server.lose_answer("POST", r"/method/wall\.post")
    for _ in range(5):
        Runner(database).run_pending()
        clock.advance(timedelta(minutes=11))
    with database.read_sessions() as session:
        publication = session.scalars(select(Publication).where(Publication.post_id == post.id)).one()
    assert publication.status == PublicationStatus.PUBLISHED, publication.last_error
    assert len(vk.state.posts) == 1
    assert len(vk.server.calls_to("POST", r"/method/wall\.post")) == 1
    assert len(vk.server.calls_to("POST", r"/method/wall\.get")) >= 1  # the look-up
    number = next(iter(vk.state.posts))
    assert publication.external_id == f"-{vk.state.group_id}_{number}"
