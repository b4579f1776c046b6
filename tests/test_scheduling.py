"""Queue slots and the next free slot, recurring posts, the calendar, and time zones around DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from socialdesk.content import service as content
from socialdesk.content.models import Post, Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import local_to_utc
from socialdesk.scheduling import service as scheduling
from tests.helpers import make_world

ZAGREB = ZoneInfo("Europe/Zagreb")


@pytest.mark.parametrize(("zone", "gap", "fold"), [
    ("Europe/Zagreb", datetime(2026, 3, 29, 2, 30), datetime(2026, 10, 25, 2, 30)),
    ("America/New_York", datetime(2026, 3, 8, 2, 30), datetime(2026, 11, 1, 1, 30)),
    ("Australia/Sydney", datetime(2026, 10, 4, 2, 30), datetime(2026, 4, 5, 2, 30)),
    ("America/Santiago", datetime(2026, 9, 6, 0, 30), datetime(2026, 4, 4, 23, 30)),
    ("Europe/London", datetime(2026, 3, 29, 1, 30), datetime(2026, 10, 25, 1, 30)),
])
def test_times_that_do_not_exist_or_happen_twice_are_explained(zone: str, gap: datetime, fold: datetime) -> None:
    skipped = local_to_utc(gap, zone)
    assert skipped.note and "does not exist" in skipped.note
    # The instant chosen is just after the gap: an hour later on the wall clock.
    assert skipped.at.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == gap + timedelta(hours=1)
    twice = local_to_utc(fold, zone)
    assert twice.note and "happens twice" in twice.note and "first one" in twice.note
    assert twice.at.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == fold
    assert twice.at.astimezone(ZoneInfo(zone)).fold == 0
    normal = local_to_utc(datetime(2026, 7, 1, 12, 0), zone)
    assert normal.note is None and normal.at.astimezone(ZoneInfo(zone)).hour == 12


def test_next_free_slot_skips_taken_slots_in_the_workspace_zone(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "mastodon"))
    x, mastodon = world.channels["x"], world.channels["mastodon"]
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        scheduling.set_slots(ctx, [(0, "09:00"), (0, "13:00"), (2, "09:00")])  # Monday, Wednesday
        # It is Monday 10:00 in Zagreb: today's 09:00 has passed.
        first = scheduling.next_free_slot(ctx, [x])
        assert first.astimezone(ZAGREB).replace(tzinfo=None) == datetime(2026, 3, 2, 13, 0)
        content.compose(ctx, PostIn(text="takes 13:00", channel_ids=[x], use_queue=True, intent=Intent.SCHEDULE))
        second = scheduling.next_free_slot(ctx, [x])
        assert second.astimezone(ZAGREB).replace(tzinfo=None) == datetime(2026, 3, 4, 9, 0)
        # Another channel is still free at 13:00; both together are not.
        assert scheduling.next_free_slot(ctx, [mastodon]) == first
        assert scheduling.next_free_slot(ctx, [x, mastodon]) == second


def test_queue_slots_follow_local_time_across_dst(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    clock.set(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))  # Friday before the spring change
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        scheduling.set_slots(ctx, [(5, "09:00"), (0, "09:00")])
        saturday = scheduling.next_free_slot(ctx, [world.channels["x"]])
        monday = scheduling.next_free_slot(ctx, [world.channels["x"]], after=saturday)
    assert saturday == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert monday == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_bad_slots_and_no_slots_are_explained(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        with pytest.raises(ValidationFailed, match="no queue slots"):
            scheduling.next_free_slot(ctx, [world.channels["x"]])
        with pytest.raises(ValidationFailed, match="must look like 09:30"):
            scheduling.set_slots(ctx, [(1, "9h")])
        with pytest.raises(ValidationFailed, match="Weekday"):
            scheduling.set_slots(ctx, [(7, "09:00")])


def test_recurring_post_creates_its_occurrences_at_the_same_local_time(database: Database, clock: ManualClock
                                                                       ) -> None:
    world = make_world(database, profiles=("x",))
    with database.unit_of_work() as session:
        result = content.compose(world.ctx(session), PostIn(
            text="Weekly tip #coffee", channel_ids=[world.channels["x"]],
            scheduled_at=datetime(2026, 3, 16, 9, 0), recurrence="FREQ=WEEKLY;COUNT=4", intent=Intent.SCHEDULE))
        assert any("Repeats" in n for n in result.notes)
        root_id = result.post.id
    with database.read_sessions() as session:
        copies = list(session.scalars(select(Post).where(Post.recurrence_parent_id == root_id)
                                      .order_by(Post.scheduled_at)))
        local = [p.scheduled_at.astimezone(ZAGREB).replace(tzinfo=None) for p in copies]
        # Across the change to summer time on 29 March, still 09:00 in Zagreb.
        assert local == [datetime(2026, 3, 23, 9, 0), datetime(2026, 3, 30, 9, 0), datetime(2026, 4, 6, 9, 0)]
        statuses = set(session.scalars(select(Publication.status).where(
            Publication.post_id.in_([p.id for p in copies]))))
        assert statuses == {"scheduled"}
    # Extending again adds nothing twice.
    with database.unit_of_work() as session:
        assert scheduling.extend_all_recurrences(world.ctx(session)) == 0


def test_bad_repeat_rule_is_refused(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    with pytest.raises(ValidationFailed, match="repeat rule"), database.unit_of_work() as session:
        content.compose(world.ctx(session), PostIn(
            text="x", channel_ids=[world.channels["x"]], scheduled_at=datetime(2026, 3, 16, 9, 0),
            recurrence="FREQ=SOMETIMES", intent=Intent.SCHEDULE))


def test_calendar_groups_by_local_day_and_moves_by_drag(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "mastodon"))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        # 23:30 in Zagreb on 3 March is 22:30 UTC: it belongs to the 3rd, not the 4th.
        post = content.compose(ctx, PostIn(text="Late night", channel_ids=list(world.channels.values()),
                                           scheduled_at=datetime(2026, 3, 3, 23, 30), intent=Intent.SCHEDULE)).post
        days = scheduling.calendar(ctx, date(2026, 3, 1), date(2026, 4, 1))
        assert list(days) == [date(2026, 3, 3)]
        entry = days[date(2026, 3, 3)][0]
        assert entry.post_id == post.id and entry.at.hour == 23 and len(entry.channels) == 2
        content.reschedule(ctx, post.id, datetime(2026, 3, 10, 8, 15))
        days = scheduling.calendar(ctx, date(2026, 3, 1), date(2026, 4, 1))
        assert list(days) == [date(2026, 3, 10)]
        with pytest.raises(ValidationFailed, match="in the past"):
            content.reschedule(ctx, post.id, datetime(2026, 3, 1, 8, 0))
