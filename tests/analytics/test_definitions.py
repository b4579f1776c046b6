"""Each derived metric computed by hand on a small fixture; numbers at 24 h / 7 days from the snapshots;
a metric the network does not offer is "not available", never 0."""

from __future__ import annotations

from datetime import timedelta

import pytest

from socialdesk.analytics import dashboard
from socialdesk.analytics.definitions import METRICS, format_value
from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.analytics.periods import Period
from socialdesk.analytics.post_values import Age, post_records
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox.models import InboxItem
from tests.helpers import T0, make_world

POST = {"impressions": 2000, "reach": 1000, "views": 2500, "likes": 50, "comments": 10, "reposts": 8, "quotes": 2,
        "saves": 5, "clicks": 20, "followers": 4000}
# By hand: engagements = 50 + 10 + 8 + 2 + 5 = 75; shares = 8 + 2 = 10.
EXPECTED = {
    "engagements": 75.0,
    "engagement_rate_reach": 75 / 1000 * 100,  # 7.5 %
    "engagement_rate_followers": 75 / 4000 * 100,  # 1.875 %
    "amplification": 10 / 4000 * 100,  # 0.25 %
    "virality": 10 / 2000 * 100,  # 0.5 %
    "applause": 50 / 4000 * 100,  # 1.25 %
    "conversation": 10 / 4000 * 100,  # 0.25 %
    "saves_rate": 5 / 1000 * 100,  # 0.5 %
    "ctr": 20 / 2000 * 100,  # 1 %
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_post_metrics_by_hand(key: str) -> None:
    assert METRICS[key].compute(POST) == pytest.approx(EXPECTED[key])


def test_period_metrics_by_hand() -> None:
    followers = {"followers_start": 1000, "followers_change": 100, "followers_lost": 30}
    assert METRICS["follower_growth"].compute(followers) == pytest.approx(10.0)
    assert METRICS["follower_churn"].compute(followers) == pytest.approx(3.0)
    inbox = {"items_received": 10, "items_answered": 8, "median_response_hours": 1.5}
    assert METRICS["response_rate"].compute(inbox) == pytest.approx(80.0)
    assert METRICS["median_first_response"].compute(inbox) == pytest.approx(1.5)
    ads = {"spend": 100.0, "clicks": 20, "impressions": 2000, "revenue": 300.0}
    assert METRICS["cpc"].compute(ads) == pytest.approx(5.0)
    assert METRICS["cpm"].compute(ads) == pytest.approx(50.0)
    assert METRICS["roas"].compute(ads) == pytest.approx(3.0)


def test_a_metric_the_network_does_not_offer_is_not_available_never_zero() -> None:
    mastodon_like = {**POST, "impressions": None, "reach": None, "views": None, "saves": None, "clicks": None}
    for key in ("engagement_rate_reach", "virality", "saves_rate", "ctr"):
        assert METRICS[key].compute(mastodon_like) is None, key
    # Engagements add up what is offered (no saves here): 50 + 10 + 8 + 2.
    assert METRICS["engagements"].compute(mastodon_like) == 70.0
    assert METRICS["engagements"].compute({"likes": None}) is None
    assert METRICS["cpc"].compute(POST) is None  # no ad spend anywhere
    assert format_value(None, "percent") == "not available"
    # A real zero stays a zero.
    assert METRICS["ctr"].compute({**POST, "clicks": 0}) == 0.0


def _publish(session: object, world_id: str, channel_id: str, at: object, text: str = "Hello #coffee") -> str:
    post = Post(workspace_id=world_id, text=text, scheduled_at=at)
    session.add(post)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    publication = Publication(workspace_id=world_id, post_id=post.id, channel_id=channel_id, scheduled_at=at,
                              published_at=at, status=PublicationStatus.PUBLISHED, external_id=f"x-{post.id}")
    session.add(publication)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return publication.id


def _snapshot(session: object, world_id: str, publication_id: str, at: object, **values: int | None) -> None:
    session.add(PublicationMetricSnapshot(workspace_id=world_id, publication_id=publication_id,  # type: ignore[attr-defined]
                                          collected_at=at, **values))


def test_numbers_at_24_hours_and_7_days_come_from_the_snapshots(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    channel = world.channels["x"]
    published = T0
    with database.unit_of_work() as session:
        first = _publish(session, world.workspace_id, channel, published)
        young = _publish(session, world.workspace_id, channel, published + timedelta(days=5))
        session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel,
                                          collected_at=published - timedelta(hours=1), followers=4000))
        for hours, likes in ((1, 10), (23, 40), (30, 45), (6 * 24 + 20, 60), (8 * 24, 70)):
            _snapshot(session, world.workspace_id, first, published + timedelta(hours=hours), likes=likes,
                      impressions=likes * 20, comments=2, reposts=1, quotes=0, saves=1, clicks=0, reach=None)
        _snapshot(session, world.workspace_id, young, published + timedelta(days=5, hours=2), likes=5,
                  impressions=100, comments=0, reposts=0, quotes=0, saves=0, clicks=0, reach=None)
    clock.set(published + timedelta(days=9))
    with database.read_sessions() as session:
        ctx = world.ctx(session)
        span = (published - timedelta(days=1), published + timedelta(days=8))
        at = {age: {r.publication_id: r for r in post_records(ctx, *span, age=age)} for age in Age}
    assert at[Age.H24][first].values["likes"] == 40  # the 23 h snapshot, not the 30 h one
    assert at[Age.D7][first].values["likes"] == 60  # 6 days 20 hours
    assert at[Age.LATEST][first].values["likes"] == 70
    assert at[Age.H24][first].values["reach"] is None  # not offered: stays None
    assert at[Age.H24][first].followers == 4000
    # The young post's only snapshot is at 2 h: no number at 24 h or at 7 days — not measured, not zero.
    assert at[Age.H24][young].values is None and at[Age.D7][young].values is None
    assert at[Age.LATEST][young].values["likes"] == 5


def test_kpis_and_response_times_by_hand(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    channel = world.channels["x"]
    with database.unit_of_work() as session:
        session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel,
                                          collected_at=T0 - timedelta(hours=1), followers=1000))
        for day, (likes, impressions) in enumerate(((30, 1000), (10, 3000))):
            at = T0 + timedelta(days=day)
            publication = _publish(session, world.workspace_id, channel, at)
            _snapshot(session, world.workspace_id, publication, at + timedelta(days=6, hours=23), likes=likes,
                      comments=0, reposts=0, quotes=0, saves=0, clicks=0, impressions=impressions, reach=None)
        for minutes, answered in ((0, 30), (10, 90), (20, None)):
            received = T0 + timedelta(hours=2, minutes=minutes)
            session.add(InboxItem(workspace_id=world.workspace_id, channel_id=channel, kind="comment",
                                  external_id=f"c{minutes}", author_external_id="u", author_handle="u", text="?",
                                  received_at=received,
                                  replied_at=received + timedelta(minutes=answered) if answered else None))
        session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel,
                                          collected_at=T0 + timedelta(days=3), followers=1050))
    clock.set(T0 + timedelta(days=10))
    with database.read_sessions() as session:
        board = dashboard.build(world.ctx(session), Period(T0.date(), T0.date() + timedelta(days=6), "UTC"))
    kpis = {k.key: k for k in board.kpis}
    # Ratio of sums: (30 + 10) engagements ÷ (1000 + 1000) followers; virality has no shares: 0 of 4000.
    assert kpis["engagement_rate_followers"].value == pytest.approx(40 / 2000 * 100)
    assert kpis["applause"].value == pytest.approx(40 / 2000 * 100)
    assert kpis["virality"].value == pytest.approx(0.0)
    assert kpis["impressions"].value == 4000
    assert kpis["engagement_rate_reach"].value is None
    assert kpis["engagement_rate_reach"].missing == "not available on these networks"
    assert kpis["engagement_rate_followers"].low is None  # two posts: no interval
    assert "not enough data" in kpis["engagement_rate_followers"].missing
    assert kpis["followers"].value == 1050 and kpis["follower_growth"].value == pytest.approx(5.0)
    assert kpis["response_rate"].value == pytest.approx(200 / 3)
    assert kpis["median_first_response"].value == pytest.approx(1.0)  # median of 0.5 h and 1.5 h
    assert kpis["cpc"].value is None and kpis["cpc"].missing == "no ad data"
