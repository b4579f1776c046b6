"""The academy pages: bad input gets a clear answer, other people see nothing of a learner's exercise."""

from __future__ import annotations

from socialdesk.academy import service
from socialdesk.auth.service import create_user, user_by_email
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.models import Role, Workspace
from tests.helpers import PASSWORD
from tests.web_client import signed_in_client


def _users(db: Database) -> None:
    with db.unit_of_work() as session:
        for email in ("learner@example.com", "other@example.com", "viewer@example.com"):
            create_user(session, email, email.split("@")[0], PASSWORD)


def test_start_from_the_page_and_move_the_clock(database: Database, clock: ManualClock) -> None:
    _users(database)
    client, _ = signed_in_client(database, "learner@example.com")
    page = client.get("/academy")
    assert page.status_code == 200 and "Find the best hour to post" in page.text
    unknown = client.post("/academy/start", data={"exercise": "<script>x</script>"})
    assert unknown.status_code == 404 and "There is no exercise" in unknown.text
    assert "<script>x</script>" not in unknown.text
    started = client.post("/academy/start", data={"exercise": "content-mix"})
    assert started.status_code == 303
    where = started.headers["location"]
    assert client.get(where).status_code == 200
    bad = client.post(f"{where}/clock", data={"action": "rewind"})
    assert bad.status_code == 422 and "Unknown clock action" in bad.text
    assert client.post(f"{where}/clock", data={"action": "day"}).status_code == 303
    assert "Day 1.0 of 7" in client.get(where).text
    assert client.post(f"{where}/clock", data={"action": "run"}).status_code == 303
    assert "running" in client.get(f"{where}/clock").text
    assert client.post(f"{where}/clock", data={"action": "finish"}).status_code == 303
    done = client.get(where).text
    assert "Your score" in done and "The audience, revealed" in done
    late = client.post(f"{where}/clock", data={"action": "day"})
    assert late.status_code == 422 and "finished" in late.text
    assert "mix" in client.get("/academy").text


def test_others_see_nothing_and_a_viewer_cannot_move_the_clock(database: Database, clock: ManualClock) -> None:
    _users(database)
    started = service.start(database, "best-hour", "learner@example.com")
    with database.unit_of_work() as session:
        workspace = session.get(Workspace, started.workspace_id)
        learner = user_by_email(session, "learner@example.com")
        viewer = user_by_email(session, "viewer@example.com")
        assert workspace and learner and viewer
        ctx = WorkspaceContext(session, workspace, Actor(learner.id, learner.email), Role.OWNER)
        workspaces.add_member(ctx, viewer, Role.VIEWER)
    where = f"/w/{started.workspace_id}/academy"
    other, _ = signed_in_client(database, "other@example.com")
    assert other.get(where).status_code == 404
    assert other.post(f"{where}/clock", data={"action": "day"}).status_code == 404
    assert "best-hour" not in other.get("/academy").text.split("Your runs")[1]
    viewer_client, _ = signed_in_client(database, "viewer@example.com")
    assert viewer_client.get(where).status_code == 200
    assert viewer_client.post(f"{where}/clock", data={"action": "day"}).status_code == 403
