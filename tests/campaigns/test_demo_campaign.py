"""The demo's finished campaign: a boosted post and an A/B test, run in the sandbox ad auction."""

from __future__ import annotations

from datetime import timedelta

from socialdesk.campaigns import service
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core.db import Database
from socialdesk.demo import add_campaign
from tests.helpers import T0, make_world


def test_the_demo_campaign_is_finished_with_a_boost_and_an_ab_test(database: Database) -> None:
    world = make_world(database, "Kava", profiles=("instagram",), audience=4200)
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        post = Post(workspace_id=world.workspace_id, text="Behind the bar: how we roast our beans #coffee")
        session.add(post)
        session.flush()
        session.add(Publication(workspace_id=world.workspace_id, post_id=post.id,
                                channel_id=world.channels["instagram"], status=PublicationStatus.PUBLISHED,
                                external_id="1", published_at=T0 - timedelta(days=20)))
        session.flush()
        instagram = session.get(Channel, world.channels["instagram"])
        assert instagram is not None
        campaign_id = add_campaign(ctx, instagram, T0.date())
        shown = service.view(ctx, campaign_id)
        assert shown.pacing.finished
        assert [a.publication_id is not None for a in shown.ads].count(True) == 1  # the boosted post
        assert shown.results.rows == 3 * 14
        assert shown.results.metrics["roas"].low is not None  # an interval, from 42 ad-days
        names = {a.name: a.id for a in shown.ads}
        comparison = service.compare_ads(ctx, names["A: product photo"], names["B: latte-art video"])
        assert comparison.verdict in ("not_enough_data", "b_higher", "no_clear_difference")
        print(shown.pacing, shown.results.totals, shown.results.metrics["roas"].text, comparison.explanation)
