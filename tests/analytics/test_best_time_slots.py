"""Best time to post never recommends an hour without posts of its own, and says what each recommended
hour rests on: an empty hour between two good ones used to win on its neighbours' posts alone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from socialdesk.analytics import best_time
from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.timezones import zone
from tests.helpers import World, make_world

TIMEZONE = "Europe/Zagreb"
# Local hour -> likes 7 days after publishing. 05:00 and 07:00 do well; nobody posts at 06:00; the
# hours either side of them (04:00, 08:00) and the rest of the day do poorly.
LIKES = {4: 10, 5: 90, 7: 90, 8: 10, 12: 20, 14: 20, 16: 20, 18: 20, 20: 20}
DAYS = 28


def _history(db: Database, world: World, clock: ManualClock, hours: dict[int, int]) -> str:
    channel_id = world.channels["x"]
    tz = zone(TIMEZONE)
    first = (clock.now() - timedelta(days=DAYS + 8)).astimezone(tz).date()
    with db.unit_of_work() as session:
        session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel_id,
                                          collected_at=clock.now() - timedelta(days=DAYS + 10), followers=1000))
        for day in range(DAYS):
            for hour, likes in hours.items():
                when = datetime.combine(first + timedelta(days=day), time(hour, 10), tzinfo=tz)
                post = Post(workspace_id=world.workspace_id, text="News from us", scheduled_at=when)
                session.add(post)
                session.flush()
                publication = Publication(workspace_id=world.workspace_id, post_id=post.id, channel_id=channel_id,
                                          status=PublicationStatus.PUBLISHED, scheduled_at=when, published_at=when)
                session.add(publication)
                session.flush()
                session.add(PublicationMetricSnapshot(
                    workspace_id=world.workspace_id, publication_id=publication.id,
                    collected_at=when + timedelta(days=6, hours=12), likes=likes + day % 3, comments=day % 2,
                    reposts=1, quotes=None, saves=None))
    return channel_id


def test_an_hour_without_posts_is_never_recommended(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",), timezone=TIMEZONE)
    channel_id = _history(database, world, clock, LIKES)
    with database.read_sessions() as session:
        found = best_time.recommend(world.ctx(session), channel_id)
    assert found.source == "posts", found.message
    assert found.slots and all(sum(day[s.hour] for day in found.counts) >= 2
                               for s in found.slots), [s.label for s in found.slots]
    by_hour = {h.hour: h for h in found.hours}
    assert by_hour[6].posts == 0 and by_hour[6].n == 2 * DAYS  # borrowed from 05:00 and 07:00 only
    assert by_hour[6].p_best == 0
    assert found.slots[0].hour in (5, 7)
    top = found.slots[0]
    assert top.posts == DAYS and top.pooled == by_hour[top.hour].n
    assert top.basis == f"from {DAYS} posts at {top.hour:02d}:00 ({top.pooled} with the hours either side)"
    # The queue's weekly times (one channel, and the same rule for several) avoid 06:00 as well.
    with database.read_sessions() as session:
        weekly = best_time.best_weekly_times(world.ctx(session), [channel_id])
    assert "06:00" not in {t for _, t in weekly}


def test_not_enough_data_says_so(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",), timezone=TIMEZONE)
    channel_id = world.channels["x"]
    with database.read_sessions() as session:
        empty = best_time.recommend(world.ctx(session), channel_id)
    assert empty.source == "none" and not empty.slots and empty.message.startswith("Not enough data")
    _history(database, world, clock, {3: 20})  # 28 posts, all at 03:00: one hour only
    with database.read_sessions() as session:
        one_hour = best_time.recommend(world.ctx(session), channel_id)
    assert one_hour.source == "none" and not one_hour.slots and one_hour.message.startswith("Not enough data")


def test_the_heatmap_leaves_hours_without_posts_blank(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",), timezone=TIMEZONE)
    channel_id = _history(database, world, clock, LIKES)
    with database.read_sessions() as session:
        found = best_time.recommend(world.ctx(session), channel_id)
    for day in range(7):
        for hour in range(24):
            if hour in LIKES:
                assert found.heatmap[day][hour] is not None, (day, hour)
            else:  # 06:00 too, though both its neighbours did well
                assert found.heatmap[day][hour] is None, (day, hour, found.heatmap[day][hour])
