"""The calendar's kept grid (scheduling/kept_month.py) is never stale: every kind of change the grid shows,
made through the path that really makes it (a service call, a worker's raw Core statement, another process's
engine), shows on the very next request; and the kept grid is really used when nothing changed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, event, insert, select, update

from socialdesk.auth.models import User
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.content import assignments
from socialdesk.content import service as content
from socialdesk.content.models import PostMedia, Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.scheduling import kept_month
from socialdesk.scheduling.models import CalendarVersion
from socialdesk.strategy import key_dates
from socialdesk.strategy import service as strategy
from socialdesk.workspaces.models import Workspace
from tests.helpers import make_world
from tests.web.conftest import Site

MONTH = "/calendar?date=2026-03-04"


@pytest.fixture(autouse=True)
def _nothing_kept() -> Iterator[None]:
    kept_month.forget()
    yield
    kept_month.forget()


def _month(site: Site) -> str:
    response = site.client.get(site.w + MONTH)
    assert response.status_code == 200
    return response.text


def _warm(site: Site) -> str:
    """The month drawn, then served from the kept grid (so a later change must get past a kept copy)."""
    first = _month(site)
    reused = kept_month.stats["reused"]
    assert _month(site) == first
    assert kept_month.stats["reused"] == reused + 1
    return first


@contextmanager
def _other_process(site: Site) -> Iterator[Database]:
    """A second engine on the same database, as another server process or a publishing worker has."""
    other = Database(site.db.url)
    try:
        yield other
    finally:
        other.dispose()


def _statements(site: Site, action: Callable[[], object]) -> int:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    # Every engine: the app's own Database opens its engine on the same URL.
    event.listen(Engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return len(seen)


def test_a_second_identical_request_uses_the_kept_grid(site: Site) -> None:
    first = _statements(site, lambda: _month(site))
    second = _statements(site, lambda: _month(site))
    assert kept_month.stats["reused"] >= 1
    assert second <= first - 5, (first, second)


def test_an_edit_through_the_service_shows_at_once(site: Site) -> None:
    assert "Fresh beans" in _warm(site)
    with site.db.unit_of_work() as session:
        ctx = site.world.ctx(session)
        data = content.to_input(ctx, content.get_post(ctx, site.post_id))
        content.compose(ctx, data.model_copy(update={"text": "Roasted on Monday", "intent": Intent.SCHEDULE,
                                                     "scheduled_at": datetime(2026, 3, 4, 10, 0)}),
                        post_id=site.post_id)
    page = _month(site)
    assert "Roasted on Monday" in page and "Fresh beans" not in page


def test_a_drag_to_another_day_shows_at_once(site: Site) -> None:
    _warm(site)
    response = site.post(f"{site.w}/posts/{site.post_id}/move", {"date": "2026-03-20", "time": "16:45"},
                         headers={"accept": "application/json"})
    assert response.status_code == 200, response.text
    assert 'data-time="16:45"' in _month(site)


def test_a_deleted_post_goes_at_once(site: Site) -> None:
    _warm(site)
    with site.db.unit_of_work() as session:
        content.delete_post(site.world.ctx(session), site.post_id)
    assert "Fresh beans" not in _month(site)


def test_a_new_post_shows_at_once(site: Site) -> None:
    _warm(site)
    with site.db.unit_of_work() as session:
        ctx = site.world.ctx(session)
        data = content.to_input(ctx, content.get_post(ctx, site.post_id))
        content.compose(ctx, data.model_copy(update={"text": "Second cup", "scheduled_at": datetime(2026, 3, 9, 8)}))
    assert "Second cup" in _month(site)


def test_a_workers_core_status_update_shows_at_once_from_another_process(site: Site) -> None:
    assert "st-scheduled" in _warm(site)
    with _other_process(site) as worker, worker.engine.begin() as conn:
        conn.execute(update(Publication).where(Publication.id == site.publication_id)
                     .values(status=PublicationStatus.FAILED))
    assert 'class="cal-entry st-failed"' in _month(site)


def test_media_attached_by_another_process_shows_at_once(site: Site) -> None:
    assert "thumb" not in _warm(site).split('class="cal-month"')[1]
    with _other_process(site) as other, other.engine.begin() as conn:
        conn.execute(insert(PostMedia).values(id="01CAL19MEDIA0000000000000A", post_id=site.post_id,
                                              media_id=site.media_id, position=0))
    assert "thumb" in _month(site).split('class="cal-month"')[1]


def test_a_renamed_or_removed_channel_shows_at_once(site: Site) -> None:
    _warm(site)
    with site.db.unit_of_work() as session:
        channels.rename(site.world.ctx(session), site.world.channels["x"], "Espresso bar")
    assert "Espresso bar" in _month(site)
    with _other_process(site) as other, other.engine.begin() as conn:
        conn.execute(delete(Channel).where(Channel.id == site.world.channels["x"]))
    assert "Espresso bar" not in _month(site) and "Fresh beans" not in _month(site)


def test_key_dates_and_pillars_show_at_once(site: Site) -> None:
    _warm(site)
    with site.db.unit_of_work() as session:
        key_dates.add(site.world.ctx(session), "Coffee day", "2026-03-10")
    assert "Coffee day" in _month(site)
    with site.db.unit_of_work() as session:
        ctx = site.world.ctx(session)
        strategy.add_pillar(ctx, "Education", target_share=0.5)
        strategy.tag_post(ctx, site.post_id, "Education")
    assert 'class="cal-pillar">Education<' in _month(site)


def test_an_assignment_and_its_assignees_name_show_at_once(site: Site) -> None:
    _warm(site)
    with site.db.unit_of_work() as session:
        ctx = site.world.ctx(session)
        editor = session.scalar(select(User).where(User.email == site.world.users["editor"]))
        assignments.assign(ctx, site.post_id, editor.id, datetime(2026, 3, 3, 12, 0).astimezone())
        editor_id = editor.id
    assert "cal-due" in _month(site)
    with _other_process(site) as other, other.engine.begin() as conn:
        conn.execute(update(User).where(User.id == editor_id).values(name="Ana Barista"))
    assert "Ana Barista" in _month(site)


def test_an_assignment_turns_overdue_with_time_alone(site: Site, clock: ManualClock) -> None:
    with site.db.unit_of_work() as session:
        ctx = site.world.ctx(session)
        editor = session.scalar(select(User).where(User.email == site.world.users["editor"]))
        draft = content.compose(ctx, PostIn(text="An idea", channel_ids=[site.world.channels["x"]])).post
        assignments.assign(ctx, draft.id, editor.id, clock.now() + timedelta(hours=2))
    assert "cal-due overdue" not in _warm(site)
    clock.advance(timedelta(hours=3))
    assert "cal-due overdue" in _month(site)


def test_the_workspaces_time_zone_shows_at_once(site: Site) -> None:
    assert "Times in Europe/Zagreb" in _warm(site)
    before = _month(site).split('class="cal-month"')[1]
    with _other_process(site) as other, other.engine.begin() as conn:
        conn.execute(update(Workspace).where(Workspace.id == site.world.workspace_id)
                     .values(timezone="America/New_York"))
    after = _month(site).split('class="cal-month"')[1]
    assert after != before and '<span class="cal-time">04:00</span>' in after


def test_drag_handles_only_for_those_who_may_write(site: Site) -> None:
    from tests.web_client import signed_in_client

    assert 'draggable="true"' in _warm(site)
    viewer, _ = signed_in_client(site.db, site.world.users["viewer"])
    page = viewer.get(site.w + MONTH).text
    assert "Fresh beans" in page and 'draggable="true"' not in page
    assert 'draggable="true"' in _month(site)


def test_a_kept_grid_is_never_served_for_another_workspace(site: Site) -> None:
    from tests.web_client import signed_in_client

    _warm(site)
    other = make_world(site.db, "Brand B")
    client, _ = signed_in_client(site.db, other.users["owner"])
    page = client.get(f"/w/{other.workspace_id}{MONTH}").text
    assert "Fresh beans" not in page and "Nothing planned" in page


def test_a_publication_change_the_calendar_does_not_show_bumps_nothing(site: Site) -> None:
    def version() -> int:
        with site.db.unit_of_work() as session:
            return kept_month.version(session, site.world.workspace_id)

    before = version()
    with site.db.engine.begin() as conn:
        conn.execute(update(Publication).where(Publication.id == site.publication_id).values(attempts=3))
    assert version() == before
    with site.db.engine.begin() as conn:
        conn.execute(update(Publication).where(Publication.id == site.publication_id)
                     .values(status=PublicationStatus.PUBLISHING))
    assert version() == before + 1
    with site.db.unit_of_work() as session:  # publications bump the shard their id picks, not one hot row
        shard = ord(site.publication_id[-1]) % 8
        bumped = session.scalar(select(CalendarVersion.version).where(
            CalendarVersion.workspace_id == site.world.workspace_id, CalendarVersion.shard == shard))
    with site.db.engine.begin() as conn:
        conn.execute(update(Publication).where(Publication.id == site.publication_id)
                     .values(status=PublicationStatus.SCHEDULED))
    with site.db.unit_of_work() as session:
        assert session.scalar(select(CalendarVersion.version).where(
            CalendarVersion.workspace_id == site.world.workspace_id, CalendarVersion.shard == shard)) == bumped + 1

def test_every_watched_table_still_has_its_triggers(database: Database) -> None:
    """A later migration that recreates a watched table (SQLite's batch mode) must recreate its triggers."""
    from sqlalchemy import text

    query = ("SELECT name FROM sqlite_master WHERE type = 'trigger'" if database.engine.dialect.name == "sqlite"
             else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    with database.engine.connect() as conn:
        names = {n for n in conn.execute(text(query)).scalars() if n.startswith("calendar_bump_")}
    assert len(names) == 28, sorted(names)
