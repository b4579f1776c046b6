"""The layout's badges and alerts, read in one statement (web/pages/layout_counts.py), are what the services
count the long way, for every role, and follow each committed change (nothing is kept between requests)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from socialdesk.campaigns import service as campaigns
from socialdesk.campaigns.models import AdRequest, AdRequestStatus
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.timezones import zone
from socialdesk.jobs.models import Heartbeat
from socialdesk.notifications import people
from socialdesk.notifications import service as notifications
from socialdesk.web.pages import common
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission
from tests.helpers import World, make_world

ROLES = ("owner", "editor", "approver", "client_reviewer", "viewer")


def _long_way(ctx: WorkspaceContext) -> dict[str, object]:
    """The layout's numbers as render() read them before they were one statement."""
    return {
        "approval_count": (content.pending_approval_count(ctx) + common._ad_requests_waiting(ctx)
                           if ctx.can(Permission.POSTS_READ) or ctx.can(Permission.POSTS_APPROVE) else 0),
        "system_alerts": notifications.alerts(ctx) if ctx.can(Permission.POSTS_READ) else [],
        "my_unread": people.unread_mine(ctx),
    }


def _agree(database: Database, world: World) -> dict[str, dict[str, object]]:
    seen = {}
    with database.unit_of_work() as session:
        for role in ROLES:
            ctx = world.ctx(session, role)
            one_statement = common._layout_numbers(ctx)
            assert one_statement == _long_way(ctx), role
            seen[role] = one_statement
    return seen


def _local(clock: ManualClock, minutes: int) -> datetime:
    """`minutes` from now, as the workspace's wall clock reads it (the form's naive local time)."""
    return (clock.now().astimezone(zone("Europe/Zagreb")) + timedelta(minutes=minutes)).replace(tzinfo=None)


def _busy(database: Database, clock: ManualClock, steps: list[str]) -> World:
    world = make_world(database, profiles=("x", "mastodon"), approval_steps=steps)
    other = make_world(database, "Brand B", profiles=("x",), approval_steps=steps)  # its rows must not count in Brand A
    for w in (world, other):
        with database.unit_of_work() as session:
            editor = w.ctx(session, "editor")
            for n in range(3):
                content.compose(editor, PostIn(text=f"Waits {n}", channel_ids=list(w.channels.values()),
                                               intent=Intent.SUBMIT,
                                               scheduled_at=_local(clock, 30 + n)))
            content.compose(w.ctx(session), PostIn(text="Soon", channel_ids=list(w.channels.values())[:1],
                                           intent=Intent.SCHEDULE,
                                           scheduled_at=_local(clock, 20)))
            campaign = campaigns.create(w.ctx(session), name="Launch", budget=100.0)
            for step in (0, 1, 0):
                session.add(AdRequest(workspace_id=w.workspace_id, campaign_id=campaign.id, kind="boost",
                                      status=AdRequestStatus.PENDING_APPROVAL, approval_step=step))
            session.add(AdRequest(workspace_id=w.workspace_id, campaign_id=campaign.id, kind="boost",
                                  status=AdRequestStatus.DONE))
            notifications.notify(session, w.workspace_id, "publish_failed", "A post failed", subject="p1")
    return world


@pytest.mark.parametrize("steps", [["approver"], ["approver", "client_reviewer"]])
def test_layout_numbers_are_the_long_way_for_every_role(database: Database, clock: ManualClock,
                                                         steps: list[str]) -> None:
    world = _busy(database, clock, steps)
    seen = _agree(database, world)
    assert seen["owner"]["approval_count"] == 3 + 3
    assert seen["client_reviewer"]["system_alerts"] == []  # the alerts are for the team
    assert any("No job runner" in a.message for a in seen["owner"]["system_alerts"])  # type: ignore[attr-defined]
    assert any(n for n in seen.values() if n["my_unread"])


def test_layout_numbers_follow_each_committed_change(database: Database, clock: ManualClock) -> None:
    world = _busy(database, clock, ["approver"])
    first = _agree(database, world)
    assert any("No job runner" in a.message for a in first["owner"]["system_alerts"])  # type: ignore[attr-defined]
    assert first["approver"]["my_unread"]
    with database.unit_of_work() as session:
        session.add(Heartbeat(runner_id="w1", kind="worker", hostname="h", pid=1, started_at=clock.now(),
                              seen_at=clock.now()))
        for request in session.query(AdRequest).filter_by(workspace_id=world.workspace_id):
            request.status = AdRequestStatus.DONE
        people.mark_mine_read(world.ctx(session, "approver"))
    after = _agree(database, world)
    assert not any("No job runner" in a.message for a in after["owner"]["system_alerts"])  # type: ignore[attr-defined]
    assert after["owner"]["approval_count"] == 3
    assert after["approver"]["my_unread"] == 0
    clock.advance(timedelta(hours=1))  # the heartbeat goes stale: the alert comes back
    late = _agree(database, world)
    assert any("No job runner" in a.message for a in late["owner"]["system_alerts"])  # type: ignore[attr-defined]
