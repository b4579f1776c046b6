"""Dashboards without reading every hourly snapshot, and kept numbers that a new snapshot invalidates.

The follower numbers from daily rows and index look-ups (analytics/followers.py) are compared with
the computation over every hourly snapshot they replace (FollowerHistory); a kept dashboard is
recomputed as soon as the collector writes a snapshot or a post is published, and equals a fresh one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from socialdesk.analytics import cache, dashboard, followers
from socialdesk.analytics import service as analytics
from socialdesk.analytics.dashboard import follower_numbers
from socialdesk.analytics.models import AnalyticsVersion, ChannelFollowerDay, ChannelMetricSnapshot
from socialdesk.analytics.periods import Period
from socialdesk.analytics.post_values import FollowerHistory, post_records
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.timezones import zone
from tests.helpers import T0, make_world

# Around the end of summer time in Europe (25 October 2026): local days of 23, 24 and 25 hours.
START = datetime(2026, 10, 1, 0, 17, tzinfo=zone("UTC"))


def _hourly(database: Database, workspace_id: str, channel_ids: list[str], days: int, seed: int = 3) -> None:
    """Hourly follower counts that rise and fall, with missing hours, unknown counts and a silent day."""
    rng = np.random.default_rng(seed)
    with database.unit_of_work() as session:
        for channel_id in channel_ids:
            count = 5000
            for hour in range(days * 24):
                if rng.random() < 0.05 or 24 * 9 <= hour < 24 * 10:
                    continue  # not collected then
                count += int(rng.integers(-30, 40))
                at = START + timedelta(hours=hour, minutes=int(rng.integers(0, 3)))
                session.add(ChannelMetricSnapshot(workspace_id=workspace_id, channel_id=channel_id, collected_at=at,
                                                  followers=None if rng.random() < 0.03 else count))


def _reference_curve(history: FollowerHistory, ids: list[str], period: Period) -> dict[str, list[tuple[date, int]]]:
    """The curve as it was computed from every hourly snapshot."""
    tz = zone(period.timezone)
    curves = {}
    for channel_id in ids:
        times, counts = history.times.get(channel_id), history.counts.get(channel_id)
        if times is None or counts is None:
            continue
        inside = (times >= period.start.timestamp()) & (times < period.end.timestamp())
        by_day: dict[date, int] = {}
        for t, n in zip(times[inside], counts[inside], strict=True):
            by_day[datetime.fromtimestamp(float(t), tz).date()] = int(n)
        curves[channel_id] = sorted(by_day.items())
    return curves


def test_follower_numbers_equal_those_of_every_hourly_snapshot(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "instagram"))
    ids = sorted(world.channels.values())
    _hourly(database, world.workspace_id, ids, days=45)
    # Followers when each post went out: the last snapshot before it, else the first after.
    with database.unit_of_work() as writing:
        for n, hours in enumerate((-50, 3, 50.5, 9 * 24 + 7, 30 * 24, 44 * 24 + 4)):
            at = START + timedelta(hours=hours)
            post = Post(workspace_id=world.workspace_id, text=f"post {n}", scheduled_at=at)
            writing.add(post)
            writing.flush()
            writing.add(Publication(workspace_id=world.workspace_id, post_id=post.id, channel_id=ids[n % 2],
                                    scheduled_at=at, published_at=at, status=PublicationStatus.PUBLISHED,
                                    external_id=f"x{n}"))
    clock.set(START + timedelta(days=44, hours=5))  # "now" inside the last day: the window ends there
    with database.read_sessions() as session:
        ctx = world.ctx(session)
        for first, days in ((date(2026, 10, 20), 7), (date(2026, 10, 8), 14), (date(2026, 10, 25), 1),
                            (date(2026, 11, 1), 28), (date(2026, 9, 1), 7)):
            period = Period(first, first + timedelta(days=days - 1), "Europe/Zagreb")
            previous = period.previous()
            window = (previous.start - timedelta(days=7), min(period.end, clock.now()) + timedelta(seconds=1))
            history = FollowerHistory.load(ctx, set(ids), *window)
            for since, until in ((period.start, period.end), (previous.start, previous.end)):
                assert followers.numbers(ctx, ids, since, until, *window) == follower_numbers(
                    history, ids, since, until), (period, since)
            assert followers.curve(ctx, ids, period, *window) == _reference_curve(history, ids, period)
        start, end = START - timedelta(days=3), START + timedelta(days=46)
        records = post_records(ctx, start, end)
        history = FollowerHistory.load(ctx, set(ids), start - timedelta(days=7), end)
        expected = history.at_many([r.channel_id for r in records],
                                   np.array([r.published_at.timestamp() for r in records]))
        assert [r.followers for r in records] == expected and len(records) == 6


def test_the_day_rows_kept_by_each_write_equal_a_rebuild(database: Database) -> None:
    world = make_world(database, profiles=("x",))
    ids = list(world.channels.values())
    _hourly(database, world.workspace_id, ids, days=6)

    def rows() -> list[tuple[object, ...]]:
        with database.read_sessions() as session:
            return [tuple(r) for r in session.execute(select(
                ChannelFollowerDay.channel_id, ChannelFollowerDay.day, ChannelFollowerDay.first_at,
                ChannelFollowerDay.first_followers, ChannelFollowerDay.last_at, ChannelFollowerDay.last_followers,
                ChannelFollowerDay.drops, ChannelFollowerDay.snapshots).order_by(ChannelFollowerDay.day))]

    kept = rows()
    assert len(kept) == 6 and all(r[7] > 0 for r in kept)
    with database.unit_of_work() as session:
        followers.rebuild_days(session.connection(), world.workspace_id)
    assert rows() == kept


def _board(database: Database, world: object, period: Period) -> dashboard.Dashboard:
    with database.read_sessions() as session:
        return dashboard.build(world.ctx(session), period)  # type: ignore[attr-defined]


def _kpis(board: dashboard.Dashboard) -> dict[str, object]:
    return {k.key: (k.value, k.previous, k.low, k.high, k.n) for k in board.kpis}


def test_a_snapshot_from_the_collector_invalidates_the_kept_dashboard(database: Database,
                                                                      clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    channel = world.channels["x"]
    analytics.collect_channel(database, channel)
    period = Period(T0.date() - timedelta(days=6), T0.date(), "UTC")
    cache.clear()
    first = _board(database, world, period)
    again = _board(database, world, period)
    assert cache.stats == {"computed": 1, "reused": 1}
    assert _kpis(again) == _kpis(first)
    followers_before = {k.key: k for k in first.kpis}["followers"].value
    assert followers_before is not None

    clock.set(T0 + timedelta(hours=2))
    with database.unit_of_work() as session:  # the audience grows before the next collection
        session.execute(select(AnalyticsVersion))  # (a read does not bump anything)
    version_before = _version(database, world.workspace_id)
    analytics.collect_channel(database, channel)
    assert _version(database, world.workspace_id) == version_before + 1
    after = _board(database, world, period)
    assert cache.stats["computed"] == 2  # not the kept numbers: the collector wrote a snapshot
    assert after.newest_snapshot_at is not None and after.newest_snapshot_at >= T0 + timedelta(hours=2)
    cache.clear()
    assert _kpis(after) == _kpis(_board(database, world, period))  # the same as computed afresh


def _version(database: Database, workspace_id: str) -> int:
    with database.read_sessions() as session:
        return session.scalar(select(AnalyticsVersion.version).where(
            AnalyticsVersion.workspace_id == workspace_id)) or 0


def test_a_snapshot_written_by_anything_else_and_a_new_publication_also_invalidate(database: Database,
                                                                                  clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    channel = world.channels["x"]
    period = Period(T0.date() - timedelta(days=6), T0.date(), "UTC")
    with database.unit_of_work() as session:
        session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel,
                                          collected_at=T0 - timedelta(days=2), followers=1000))
    cache.clear()
    assert {k.key: k for k in _board(database, world, period).kpis}["followers"].value == 1000
    with database.unit_of_work() as session:
        session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel,
                                          collected_at=T0 - timedelta(days=1), followers=1200))
    board = _board(database, world, period)
    assert {k.key: k for k in board.kpis}["followers"].value == 1200
    assert {k.key: k for k in board.kpis}["posts"].value == 0
    with database.unit_of_work() as session:
        post = Post(workspace_id=world.workspace_id, text="Hello", scheduled_at=T0 - timedelta(hours=3))
        session.add(post)
        session.flush()
        session.add(Publication(workspace_id=world.workspace_id, post_id=post.id, channel_id=channel,
                                scheduled_at=post.scheduled_at, published_at=post.scheduled_at,
                                status=PublicationStatus.PUBLISHED, external_id="x1"))
    assert {k.key: k for k in _board(database, world, period).kpis}["posts"].value == 1
    assert cache.stats == {"computed": 3, "reused": 0}


def test_the_page_loads_the_breakdowns_after_the_kpis(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    period = Period(T0.date() - timedelta(days=6), T0.date(), "UTC")
    with database.read_sessions() as session:
        ctx = world.ctx(session)
        board = dashboard.build(ctx, period, with_breakdowns=False)
        assert board.breakdowns == [] and board.breakdowns_pending
        assert [b.key for b in dashboard.breakdowns_of(ctx, period)] == [
            "network", "content_type", "length", "hashtag", "weekday", "hour"]


def test_the_pages_show_the_kpis_then_fetch_breakdowns_and_best_times(database: Database,
                                                                       clock: ManualClock) -> None:
    from tests.web_client import signed_in_client

    world = make_world(database, profiles=("x", "instagram"))
    for channel in world.channels.values():
        analytics.collect_channel(database, channel)
    client, _ = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    channel = world.channels["x"]
    for page in (f"{w}/analytics?days=7&age=24h", f"{w}/channels/{channel}/analytics?days=7&age=24h"):
        html = client.get(page).text
        assert "Followers" in html and "What made a difference" not in html
        assert "Every number includes the snapshots collected up to" in html
        path, query = page.split("?")
        assert f'hx-get="{path}/more?{query.replace("&", "&amp;")}"' in html
        more = client.get(f"{path}/more?{query}")
        assert more.status_code == 200 and "What made a difference" in more.text
        # Every channel's best times come with the breakdowns; a channel's own stay on its page.
        assert ("Best time to post" in more.text) == ("/channels/" not in page)
        assert ("Best time to post" in html) == ("/channels/" in page)
    assert client.get(f"{w}/channels/{'0' * 26}/analytics/more").status_code == 404


def test_best_times_are_kept_until_a_snapshot_a_post_or_a_message_arrives(database: Database,
                                                                         clock: ManualClock) -> None:
    from socialdesk.analytics import best_time
    from socialdesk.inbox.models import InboxItem

    world = make_world(database, profiles=("x",))
    channel = world.channels["x"]
    analytics.collect_channel(database, channel)

    def recommend() -> best_time.BestTime:
        with database.read_sessions() as session:
            return best_time.recommend(world.ctx(session), channel)

    first = recommend()
    assert recommend() is first and cache.stats == {"computed": 1, "reused": 1}
    clock.set(T0 + timedelta(hours=1))
    analytics.collect_channel(database, channel)  # the collector: a new snapshot
    assert recommend() is not first and cache.stats["computed"] == 2
    with database.unit_of_work() as session:
        session.add(InboxItem(workspace_id=world.workspace_id, channel_id=channel, kind="comment", external_id="m1",
                              author_external_id="u", author_handle="u", text="hi",
                              received_at=T0 + timedelta(minutes=30)))
    assert recommend().activity_items == first.activity_items + 1 and cache.stats["computed"] == 3


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()
