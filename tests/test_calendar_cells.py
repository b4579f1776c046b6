"""The month's cells are cut by the database (each local day's first six posts and how many more): the same
cells as reading the whole month and cutting in Python, across the workspace's day boundaries and summer time,
and only the shown posts' rows are read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.scheduling import service as scheduling
from tests.helpers import make_world


def _post(session: object, workspace_id: str, channels: list[str], *moments: datetime, text: str = "",
          published: bool = False) -> None:
    post = Post(workspace_id=workspace_id, text=text or f"post at {moments[0]:%d %H:%M}", scheduled_at=moments[0])
    session.add(post)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    # One moment: every channel then; several: one channel each.
    for channel, at in zip(channels, moments if len(moments) > 1 else moments * len(channels), strict=False):
        session.add(Publication(  # type: ignore[attr-defined]
            workspace_id=workspace_id, post_id=post.id, channel_id=channel, scheduled_at=at,
            status=PublicationStatus.PUBLISHED if published else PublicationStatus.SCHEDULED,
            published_at=at + timedelta(minutes=3) if published else None))


def test_month_cells_are_the_first_six_of_each_local_day(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "mastodon", "facebook"))  # Europe/Zagreb
    with database.unit_of_work() as session:
        channels = list(session.scalars(select(Channel.id).where(Channel.workspace_id == world.workspace_id)
                                        .order_by(Channel.id)))
        utc = UTC
        # 3 March: 23:30 UTC is 00:30 on the 4th in Zagreb (winter, +1); 22:59 UTC is still the 3rd.
        for minute in range(9):
            _post(session, world.workspace_id, channels[: 1 + minute % 3],
                  datetime(2026, 3, 3, 22, 50 + minute, tzinfo=utc))
        for minute in range(8):
            _post(session, world.workspace_id, channels[:2], datetime(2026, 3, 3, 23, 30 + minute, tzinfo=utc))
        # Summer time begins on 29 March: local midnight is 22:00 UTC after it, 23:00 before.
        for hour, minute in ((21, 59), (22, 0), (22, 30), (22, 59), (23, 0), (23, 1), (23, 2), (23, 3)):
            _post(session, world.workspace_id, channels[:1], datetime(2026, 3, 29, hour, minute, tzinfo=utc))
            _post(session, world.workspace_id, channels[1:2], datetime(2026, 3, 28, hour, minute, tzinfo=utc))
        # Seven posts at the very same moment: the id decides.
        for _ in range(7):
            _post(session, world.workspace_id, channels[:1], datetime(2026, 3, 12, 8, 0, tzinfo=utc))
        # A post whose first publication is on the 15th and the next on the 20th belongs to the 15th; one whose
        # first publication is before the month belongs to the day of its first one inside it.
        _post(session, world.workspace_id, channels[:2], datetime(2026, 3, 15, 9, 0, tzinfo=utc),
              datetime(2026, 3, 20, 9, 0, tzinfo=utc))
        _post(session, world.workspace_id, channels[:2], datetime(2026, 2, 20, 9, 0, tzinfo=utc),
              datetime(2026, 3, 2, 9, 0, tzinfo=utc), published=True)
        for n in range(10):  # published ones count by their published time
            _post(session, world.workspace_id, channels[2:], datetime(2026, 3, 18, 7, n, tzinfo=utc), published=True)
    start, end = date(2026, 2, 23), date(2026, 4, 6)
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        everything = scheduling.calendar(ctx, start, end)
        cells, more = scheduling.calendar_cells(ctx, start, end, 6)
    expected = {day: entries[:6] for day, entries in everything.items()}
    assert {d: [(e.post_id, e.at, e.status, e.text, e.channels) for e in es] for d, es in cells.items()} == \
        {d: [(e.post_id, e.at, e.status, e.text, e.channels) for e in es] for d, es in expected.items()}
    assert more == {day: len(entries) - 6 for day, entries in everything.items() if len(entries) > 6}
    assert more[date(2026, 3, 3)] == 3 and more[date(2026, 3, 4)] == 2 and more[date(2026, 3, 12)] == 1
    # Winter (+1) before the change at 01:00 UTC on the 29th, summer (+2) after it.
    assert [len(everything[date(2026, 3, d)]) for d in (28, 29, 30)] == [4, 4 + 1, 7]
    assert date(2026, 3, 20) not in everything and len(everything[date(2026, 3, 2)]) == 1


def test_only_the_shown_posts_are_read(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "mastodon"))
    with database.unit_of_work() as session:
        for n in range(200):  # 100 a day on two days, two publications each
            _post(session, world.workspace_id, list(world.channels.values()),
                  datetime(2026, 3, 10 + n % 2, 8, 0, tzinfo=UTC) + timedelta(minutes=n))
    fetched: list[int] = []  # rows of each statement that reads publications

    class Kept:
        def __init__(self, rows: list[object]) -> None:
            self.rows = rows

        def all(self) -> list[object]:
            return self.rows

        def __iter__(self) -> object:
            return iter(self.rows)

    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        execute = session.execute

        def counting(statement: object, *args: object, **kwargs: object) -> Kept:
            rows = list(execute(statement, *args, **kwargs).all())  # type: ignore[call-overload]
            if "publications" in str(statement):
                fetched.append(len(rows))
            return Kept(rows)

        session.execute = counting  # type: ignore[method-assign]
        cells, more = scheduling.calendar_cells(ctx, date(2026, 3, 1), date(2026, 4, 1), 6)
        session.execute = execute  # type: ignore[method-assign]
    # The shown posts' publications only (12 posts on two channels), not the month's 400; the media by their ids.
    assert fetched[0] == 2 * 12 and sum(len(e) for e in cells.values()) == 12
    assert more == {date(2026, 3, 10): 94, date(2026, 3, 11): 94}
