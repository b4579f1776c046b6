"""Follower goals read one index look-up per channel and day instead of every hourly snapshot of five weeks:
the same answers as the hourly reading gave, on the same data (irregular snapshots, gaps of days, a channel
without any, snapshots exactly at the moment asked, missing follower counts)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Engine, event

from socialdesk.analytics.dashboard import follower_numbers
from socialdesk.analytics.models import ChannelMetricSnapshot
from socialdesk.analytics.post_values import FollowerHistory
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.goals import service as goals
from socialdesk.goals.models import Goal
from socialdesk.workspaces.context import WorkspaceContext
from tests.helpers import T0, make_world


def _hourly_reading_level(ctx: WorkspaceContext, ids: list[str], until: datetime) -> float | None:
    """What `measure` answered before: every snapshot of the week read, the last one kept."""
    end = until + timedelta(seconds=1)
    history = FollowerHistory.load(ctx, set(ids), until - timedelta(days=7), end)
    return follower_numbers(history, ids, until - timedelta(days=7), end)["followers_end"]


def _hourly_reading_days(ctx: WorkspaceContext, ids: list[str], now: datetime) -> list[float]:
    """What `_daily_levels` answered before: five weeks of snapshots read, walked day by day."""
    history = FollowerHistory.load(ctx, set(ids), now - timedelta(days=goals.TREND_DAYS + 7), now)
    found = []
    for back in range(goals.TREND_DAYS, -1, -1):
        end = now - timedelta(days=back)
        value = follower_numbers(history, ids, end - timedelta(days=1), end)["followers_end"]
        if value is not None:
            found.append(value)
    return found


def test_follower_goals_answer_as_the_hourly_reading_did(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "instagram", "facebook"))
    x, instagram, facebook = (world.channels[p] for p in ("x", "instagram", "facebook"))
    rng = np.random.default_rng(19)
    moments: list[datetime] = []
    with database.unit_of_work() as session:
        # x: hourly at odd minutes for 40 days, with a four-day gap and some snapshots without a follower count.
        n = 5000
        for hour in range(40 * 24):
            at = T0 - timedelta(days=40) + timedelta(hours=hour, minutes=int(rng.integers(60)))
            if 20 * 24 <= hour < 24 * 24:
                continue
            n += int(rng.integers(-30, 40))
            session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=x, collected_at=at,
                                              followers=None if hour % 17 == 3 else n))
            moments.append(at)
        # instagram: a few snapshots a day, falling and rising.
        for k in range(120):
            at = T0 - timedelta(days=36) + timedelta(hours=7 * k)
            session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=instagram, collected_at=at,
                                              followers=800 + int(50 * np.sin(k / 5))))
        # facebook: none at all.
    assert facebook
    asked = [T0, T0 - timedelta(hours=5, minutes=13), T0 - timedelta(days=17, hours=2), T0 - timedelta(days=45),
             T0 + timedelta(days=3), *moments[::97]]
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        for channel_ids in ([x, instagram, facebook], [x], [instagram], [facebook]):
            for now in asked:
                goal = Goal(workspace_id=world.workspace_id, name="Followers", metric="followers", target=9000,
                            due_on=(now + timedelta(days=60)).date(), at_least=True,
                            channel_id=channel_ids[0] if len(channel_ids) == 1 else None)
                assert goals.measure(ctx, goal, now).value == _hourly_reading_level(ctx, channel_ids, now), now
                # (17 s after the asked moment, so that no day's end falls exactly on a snapshot: the hourly
                # reading's SQLite epochs, julianday × 86,400, came out 7 µs early for some instants and put such a
                # snapshot in the day before; see the next test for that case, read exactly now.)
                later = now + timedelta(seconds=17)
                assert goals._daily_levels(ctx, goal, later) == _hourly_reading_days(ctx, channel_ids, later), now


def test_a_snapshot_exactly_at_a_days_end_belongs_to_the_next_day(database: Database, clock: ManualClock) -> None:
    world = make_world(database)
    x = world.channels["x"]
    with database.unit_of_work() as session:
        for back, n in ((2, 100), (1, 200), (0, 300)):  # one snapshot a day, each exactly at the moment asked
            session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=x,
                                              collected_at=T0 - timedelta(days=back, minutes=13), followers=n))
    goal = Goal(workspace_id=world.workspace_id, name="Followers", metric="followers", target=9500,
                due_on=(T0 + timedelta(days=60)).date(), at_least=True, channel_id=x)
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        # The days are [end − 1 day, end): the snapshot at the last end is outside, the one at T0 − 2 days inside
        # the day that ends at T0 − 1 day, and so on.
        assert goals._daily_levels(ctx, goal, T0 - timedelta(minutes=13)) == [100.0, 200.0]
        assert goals.measure(ctx, goal, T0 - timedelta(minutes=13)).value == 300.0  # a level at `until` counts it


def test_the_daily_levels_are_each_days_last_count_in_one_statement(database: Database, clock: ManualClock) -> None:
    world = make_world(database)
    x = world.channels["x"]
    with database.unit_of_work() as session:
        for hour in range(36 * 24):
            session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=x,
                                              collected_at=T0 - timedelta(hours=hour), followers=9000 - hour))
    rows: list[int] = []

    def note(conn: object, cursor: object, statement: str, parameters: object, context: object,
             executemany: bool) -> None:
        if "channel_metric_snapshots" in statement:
            rows.append(0)

    goal = Goal(workspace_id=world.workspace_id, name="Followers", metric="followers", target=9500,
                due_on=(T0 + timedelta(days=60)).date(), at_least=True, channel_id=x)
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        event.listen(Engine, "before_cursor_execute", note)
        try:
            found = goals._daily_levels(ctx, goal, T0 + timedelta(minutes=30))
        finally:
            event.remove(Engine, "before_cursor_execute", note)
    # One statement giving the last count of each day (before: one statement too, but 864 hourly rows read).
    assert len(rows) == 1
    assert found == [float(9000 - 24 * back) for back in range(goals.TREND_DAYS, -1, -1)]
