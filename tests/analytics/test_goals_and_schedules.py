"""Goals: progress, forecast and recorded outcomes. Scheduled reports: sent over SMTP to a local server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import Message

import pytest

from socialdesk.analytics.models import ChannelMetricSnapshot
from socialdesk.core.clock import ManualClock
from socialdesk.core.clock import utc as clock_utc
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.goals import service as goals
from socialdesk.goals.models import Goal, Milestone, Outcome
from socialdesk.jobs.runner import Runner
from socialdesk.reports import schedules
from socialdesk.reports.models import ReportSchedule
from tests.helpers import T0, World, make_world
from tests.mail import smtp_server_fixture  # noqa: F401 (a fixture)


def _followers(db: Database, world: World, channel_id: str, start_day: int, counts: list[int]) -> None:
    with db.unit_of_work() as session:
        for offset, n in enumerate(counts):
            session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel_id,
                                              collected_at=T0 + timedelta(days=start_day + offset), followers=n))


def test_a_follower_goal_tracks_forecasts_and_records_its_outcome(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("instagram",))
    channel = world.channels["instagram"]
    _followers(database, world, channel, -28, [1000 + 10 * d for d in range(29)])  # +10 a day up to T0
    with database.unit_of_work() as session:
        goal = goals.create(world.ctx(session), goals.GoalIn(
            name="+300 followers on Instagram", metric="followers", target=300, increase=True,
            due_on=(T0 + timedelta(days=60)).date(), channel_id=channel))
        goal_id = goal.id
        assert goal.baseline == 1280 and goal.target == 1580
        milestones = session.scalars(world.ctx(session).select(Milestone)).all()
        assert [m.due_on for m in milestones] == [date(2026, 4, 1)]  # a month start on the way
        progress = goals.progress(world.ctx(session), goal)
    assert progress.forecast is not None and progress.forecast.value == pytest.approx(1280 + 10 * 60, rel=0.01)
    assert progress.outlook == "on track" and "chance of reaching" in progress.explanation
    # Growth stops: by the milestone's day it is missed; later the level is reached, and the goal is met early.
    _followers(database, world, channel, 1, [1285] * 40)
    clock.set(T0 + timedelta(days=31))
    with database.unit_of_work() as session:
        changed = goals.evaluate(world.ctx(session))
        assert any("milestone" in c and "missed" in c for c in changed)
    _followers(database, world, channel, 41, [1600])
    clock.set(T0 + timedelta(days=41, hours=1))
    Runner(database).run_pending()  # the periodic job does the same
    with database.read_sessions() as session:
        done = session.get(Goal, goal_id)
        assert done is not None and done.status == Outcome.MET and done.outcome_value == 1600
        progress = goals.progress(world.ctx(session), done)
    assert progress.outlook == Outcome.MET and "Met with 1,600" in progress.explanation


def test_a_rate_goal_without_data_says_so_and_is_missed_at_its_due_day(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        goal = goals.create(ctx, goals.GoalIn(name="ER 3 %", metric="engagement_rate_reach", target=3.0,
                                              due_on=(T0 + timedelta(days=20)).date()))
        assert goal.baseline is None
        progress = goals.progress(ctx, goal)
        assert progress.outlook == "not enough data"
        with pytest.raises(ValidationFailed, match="no engagement rate by reach yet"):
            goals.create(ctx, goals.GoalIn(name="x", metric="engagement_rate_reach", target=1, increase=True,
                                           due_on=(T0 + timedelta(days=20)).date()))
        with pytest.raises(ValidationFailed, match="Unknown goal metric"):
            goals.create(ctx, goals.GoalIn(name="x", metric="likes", target=1, due_on=(T0 + timedelta(days=5)).date()))
    clock.set(T0 + timedelta(days=21))
    with database.unit_of_work() as session:
        goals.evaluate(world.ctx(session))
        goal = session.get(Goal, goal.id)
        assert goal is not None and goal.status == Outcome.MISSED and goal.outcome_value is None


def test_a_scheduled_report_is_sent_by_email(database: Database, clock: ManualClock,
                                             smtp_server: list[Message]) -> None:
    world = make_world(database, profiles=("x",))
    with database.unit_of_work() as session:
        schedule = schedules.create(world.ctx(session), "weekly", "csv", ["Client@Example.com", "boss@example.com"])
        schedule_id, due = schedule.id, schedule.next_run_at
        with pytest.raises(ValidationFailed, match="not addresses: nobody"):
            schedules.create(world.ctx(session), "weekly", "pdf", ["nobody"])
    # T0 is Monday 2 March: the week of 23 February is reported a week after it ended, at 08:00 local.
    assert due == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    clock.set(due - timedelta(minutes=1))
    Runner(database).run_pending()
    assert smtp_server == []
    clock.set(due + timedelta(hours=1))  # the periodic look for due reports runs hourly
    runner = Runner(database)
    runner.run_pending()
    runner.run_pending()  # the job enqueued by the periodic one
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "boss@example.com, client@example.com"
    assert "2026-W09" in message["Subject"] or "week 09" in message["Subject"]
    attachment = next(part for part in message.walk() if part.get_filename())
    assert attachment.get_filename().endswith("2026-W09.csv")
    assert attachment.get_payload(decode=True).startswith(b"publication_id,")
    with database.read_sessions() as session:
        sent = session.get(ReportSchedule, schedule_id)
        assert sent is not None and sent.last_period == "2026-W09" and sent.last_error is None
        assert sent.next_run_at == due + timedelta(days=7)


def test_milestones_are_decided_at_their_day_and_a_past_report_uses_that_periods_end(
        database: Database, clock: ManualClock) -> None:
    from socialdesk.analytics.periods import parse_period
    from socialdesk.reports import service as reports

    world = make_world(database, profiles=("instagram",))
    channel = world.channels["instagram"]
    _followers(database, world, channel, -28, [1000 + 10 * d for d in range(29)])  # 1,280 at T0 (2 March)
    with database.unit_of_work() as session:
        goal = goals.create(world.ctx(session), goals.GoalIn(
            name="+300 followers", metric="followers", target=300, increase=True,
            due_on=(T0 + timedelta(days=90)).date(), channel_id=channel))
        goal_id = goal.id
        targets = {m.due_on: m.target for m in session.scalars(world.ctx(session).select(Milestone))}
    assert targets == {date(2026, 4, 1): 1380, date(2026, 5, 1): 1480}
    # Flat through March, then a jump in April: 1,285 on 1 April, 1,600 today (16 April).
    _followers(database, world, channel, 1, [1285] * 29 + [1600] * 16)
    clock.set(T0 + timedelta(days=45))
    # The periodic job has not run yet: the page still shows 1 April as decided, from that day's number.
    with database.read_sessions() as session:
        ctx = world.ctx(session)
        now = goals.progress(ctx, session.get(Goal, goal_id))
        march = reports.build(ctx, parse_period("2026-03", "Europe/Zagreb"))
    first, second = now.milestones
    assert (first.status, first.outcome_value) == (Outcome.MISSED, 1285)
    assert (second.status, second.outcome_value) == (Outcome.MET, 1600)  # a level reached early
    assert now.current.value == 1600 and now.outlook == Outcome.MET
    # The March report: the values at the end of March, 1 April decided by then, May still ahead.
    section = march.goals[0]
    assert section.progress.current.value == 1285
    assert [(m.status, m.outcome_value) for m in section.progress.milestones] == [
        (Outcome.MISSED, 1285), (Outcome.ACTIVE, None)]
    assert section.progress.outlook != Outcome.MET
    assert section.next_step == "Next milestone: 1,480 by 01 May 2026."
    # Recorded by the job, the outcome is the same, dated at the milestone's day; the March report keeps
    # May open (it was met only in April).
    with database.unit_of_work() as session:
        goals.evaluate(world.ctx(session))
    with database.read_sessions() as session:
        ctx = world.ctx(session)
        recorded = session.scalars(ctx.select(Milestone).order_by(Milestone.due_on)).all()
        assert [(m.status, m.outcome_value) for m in recorded] == [(Outcome.MISSED, 1285), (Outcome.MET, 1600)]
        assert recorded[0].outcome_at is not None
        assert clock_utc(recorded[0].outcome_at) == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # 1 April, Zagreb
        again = reports.build(ctx, parse_period("2026-03", "Europe/Zagreb")).goals[0]
    assert [m.status for m in again.progress.milestones] == [Outcome.MISSED, Outcome.ACTIVE]
    assert again.next_step == "Next milestone: 1,480 by 01 May 2026."


def test_a_posts_goal_counts_posts_not_publications(database: Database, clock: ManualClock) -> None:
    from socialdesk.content.models import Post, Publication, PublicationStatus

    world = make_world(database, profiles=("x", "bluesky", "mastodon"))
    with database.unit_of_work() as session:
        for n in range(4):  # four posts, each on all three channels: twelve publications
            when = T0 - timedelta(days=n + 1)
            post = Post(workspace_id=world.workspace_id, text=f"Post {n}", scheduled_at=when)
            session.add(post)
            session.flush()
            session.add_all([Publication(workspace_id=world.workspace_id, post_id=post.id, channel_id=c,
                                         status=PublicationStatus.PUBLISHED, scheduled_at=when, published_at=when)
                             for c in world.channels.values()])
    with database.unit_of_work() as session:
        goal = goals.create(world.ctx(session), goals.GoalIn(name="10 posts a month", metric="posts_published",
                                                             target=10, due_on=(T0 + timedelta(days=40)).date()))
        assert goal.baseline == 4
        assert goals.measure(world.ctx(session), goal, T0).value == 4
        # A month is a calendar month where the workspace is, whatever zone the moment is given in.
        march_first = datetime(2026, 2, 28, 23, 0, tzinfo=UTC)  # 1 March 00:00 in Zagreb
        assert goals.measure(world.ctx(session), goal, march_first).window == "01 Feb – 28 Feb 2026"
