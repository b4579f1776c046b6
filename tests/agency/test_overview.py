"""The agency overview: three client workspaces side by side, each figure from its own workspace, only the
workspaces the person is a member of, what their role there may see, and a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from socialdesk.agency import overview as agency
from socialdesk.auth.service import create_api_token, create_user, user_by_email
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.goals.models import Goal
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor
from socialdesk.workspaces.models import Role
from tests.helpers import PASSWORD, World, make_world
from tests.web_client import signed_in_client, web_app

AGENT = "agent@agency.test"


def _join(db: Database, world: World, role: str) -> None:
    with db.unit_of_work() as session:
        agent = user_by_email(session, AGENT) or create_user(session, AGENT, "Ana Agent", PASSWORD)
        workspaces.add_member(world.ctx(session), agent, Role(role))


def _post(db: Database, world: World, clock: ManualClock, intent: Intent, days: float, role: str = "owner") -> str:
    with db.unit_of_work() as session:
        return content.compose(world.ctx(session, role), PostIn(
            text=f"Post in {days} days", channel_ids=[world.channels["x"]],
            scheduled_at=clock.now() + timedelta(days=days), intent=intent)).post.id


@pytest.fixture
def clients(database: Database, clock: ManualClock) -> dict[str, World]:
    chain = ["approver", "client_reviewer"]
    found = {name: make_world(database, name, profiles=("x",), approval_steps=chain, roles=("editor", "approver"))
             for name in ("Kava", "Lipa", "More")}
    _join(database, found["Kava"], "admin")
    _join(database, found["Lipa"], "editor")
    _join(database, found["More"], "client_reviewer")
    make_world(database, "Stranger", profiles=("x",))  # the agent is not a member: never shown
    kava, lipa, more = found["Kava"], found["Lipa"], found["More"]
    # Kava: two scheduled this week (one published already), one next week; one waiting for approval.
    with database.unit_of_work() as session:
        ctx = kava.ctx(session)
        for days in (1, 3, 9):
            content.compose(ctx, PostIn(text=f"in {days}", channel_ids=[kava.channels["x"]],
                                        scheduled_at=clock.now() + timedelta(days=days), intent=Intent.DRAFT))
        ids = [p.id for p in content.list_posts(ctx)[0]]
        for post_id in ids:
            content.schedule(ctx, post_id)
    with database.unit_of_work() as session:  # the one in a day went out already
        session.execute(update(Publication).where(Publication.scheduled_at < clock.now() + timedelta(days=2))
                        .where(Publication.workspace_id == kava.workspace_id).values(status="published"))
    waiting = _post(database, kava, clock, Intent.DRAFT, 2, "editor")
    with database.unit_of_work() as session:
        content.submit(kava.ctx(session, "editor"), waiting)
    # Lipa: a failed publication, an unconfirmed one, a channel to reconnect, a goal at risk.
    for status in ("failed", "unconfirmed"):
        post_id = _post(database, lipa, clock, Intent.DRAFT, 4)
        with database.unit_of_work() as session:
            session.execute(update(Publication).where(Publication.post_id == post_id).values(status=status))
    with database.unit_of_work() as session:
        session.execute(update(Channel).where(Channel.id == lipa.channels["x"])
                        .values(status=ChannelStatus.NEEDS_RECONNECTION))
        session.add(Goal(workspace_id=lipa.workspace_id, name="Followers", metric="followers", target=5000,
                         start_on=clock.now().date(), due_on=(clock.now() + timedelta(days=90)).date(),
                         outlook="at risk"))
    # More: one post waits for the approver, one (later) for the client; the agent is its client reviewer.
    for _ in range(2):
        post_id = _post(database, more, clock, Intent.DRAFT, 5, "editor")
        with database.unit_of_work() as session:
            content.submit(more.ctx(session, "editor"), post_id)
        clock.advance(timedelta(hours=10))
    with database.unit_of_work() as session:
        content.approve(more.ctx(session, "approver"), post_id)  # the second: now the client's turn
    clock.advance(timedelta(hours=2))
    return found


def _actor(db: Database) -> Actor:
    with db.read_sessions() as session:
        agent = user_by_email(session, AGENT)
        assert agent is not None
        return Actor(agent.id, agent.email)


def test_three_clients_side_by_side(database: Database, clients: dict[str, World], clock: ManualClock) -> None:
    with database.read_sessions() as session:
        found = agency.overview(session, _actor(database), sort="name")
    rows = {r.name: r for r in found.clients}
    assert list(rows) == ["Kava", "Lipa", "More"]  # not "Stranger"
    kava, lipa, more = rows["Kava"], rows["Lipa"], rows["More"]
    assert (kava.scheduled_this_week, kava.published_this_week) == (1, 1)  # the one in 9 days is next week
    assert kava.awaiting_approval == 1 and kava.oldest_waiting_hours == 22.0
    assert (kava.failed, kava.unconfirmed, kava.channels_needing_reconnection) == (0, 0, 0)
    assert (lipa.failed, lipa.unconfirmed, lipa.channels_needing_reconnection) == (1, 1, 1)
    assert (lipa.goals_active, lipa.goals_at_risk) == (1, 1)
    assert lipa.inbox_backlog == 0 and lipa.inbox_overdue == 0
    # A client reviewer: only what waits for its own step, and nothing of the calendar, inbox or goals.
    assert more.awaiting_approval == 1 and more.oldest_waiting_hours == 12.0
    assert more.scheduled_this_week is None and more.failed is None and more.inbox_backlog is None
    assert more.goals_at_risk is None and more.channels_needing_reconnection is None
    assert more.url.endswith("/approvals") and kava.url == f"/w/{kava.workspace_id}"
    with database.read_sessions() as session:
        by_attention = agency.overview(session, _actor(database)).clients
    assert by_attention[0].name == "Lipa"  # 4 things need someone there
    with database.read_sessions() as session:
        names = [r.name for r in agency.overview(session, _actor(database), sort="name", descending=True).clients]
    assert names == ["More", "Lipa", "Kava"]


def test_a_fixed_number_of_queries(database: Database, clients: dict[str, World], clock: ManualClock) -> None:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.split()[0].upper() == "SELECT":  # not the BEGIN a session's first query sends
            statements.append(statement)

    with database.read_sessions() as session:
        agent_id = _actor(database).user_id
        event.listen(database.read_engine, "before_cursor_execute", count)
        try:
            agency.overview(session, Actor(agent_id, AGENT))
            three = len(statements)
            statements.clear()
            only_one = clients["Kava"].workspace_id
            agency.overview(session, Actor(agent_id, AGENT), token_workspace_id=only_one)
            one = len(statements)
        finally:
            event.remove(database.read_engine, "before_cursor_execute", count)
    assert three == one <= 10


def test_the_api_and_the_page(database: Database, clients: dict[str, World]) -> None:
    client, _ = signed_in_client(database, AGENT)
    data = client.get("/api/v1/agency/overview?sort=failed").json()
    assert data["clients"][0]["name"] == "Lipa"
    assert {c["name"] for c in data["clients"]} == {"Kava", "Lipa", "More"}
    more = next(c for c in data["clients"] if c["name"] == "More")
    assert more["inbox_backlog"] is None and more["awaiting_approval"] == 1
    assert client.get("/api/v1/agency/overview?sort=nonsense").status_code == 422
    page = client.get("/agency?sort=approvals&order=desc")
    assert page.status_code == 200
    for name in ("Kava", "Lipa", "More"):
        assert name in page.text
    assert "Stranger" not in page.text
    # A token limited to one workspace sees that one alone; a token's scopes narrow the figures.
    with database.unit_of_work() as session:
        agent = user_by_email(session, AGENT)
        assert agent is not None
        secret, _ = create_api_token(session, agent, "kava", ["posts:read"], workspace_id=clients["Kava"].workspace_id)
    data = client.get("/api/v1/agency/overview", headers={"Authorization": f"Bearer {secret}"}).json()
    assert [c["name"] for c in data["clients"]] == ["Kava"]
    assert data["clients"][0]["inbox_backlog"] is None and data["clients"][0]["scheduled_this_week"] == 1
    assert TestClient(web_app()).get("/api/v1/agency/overview").status_code == 401


def test_goal_outlook_is_kept_by_the_goals_job(database: Database, clients: dict[str, World]) -> None:
    from socialdesk.goals import service as goals

    with database.unit_of_work() as session:
        ctx = clients["Kava"].ctx(session)
        goal = goals.create(ctx, goals.GoalIn(name="Posts", metric="posts_published", target=20,
                                              due_on=(ctx.workspace.created_at + timedelta(days=60)).date()))
        assert goal.outlook is None
        goals.evaluate(ctx)
        assert session.scalars(select(Goal.outlook).where(Goal.id == goal.id)).one() is not None
