"""A client reviewer sees what it is asked to approve and the reports, nothing else: not the posts waiting
for someone else, not the team's internal comments or who wrote a post, not the workspace's system alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.notifications import service as notifications
from tests.helpers import World, make_world
from tests.web_client import signed_in_client


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database, "Kava", profiles=("x",), approval_steps=["approver", "client_reviewer"])


def _submitted(db: Database, world: World, clock: ManualClock, text: str, approve: bool) -> str:
    with db.unit_of_work() as session:
        post_id = content.compose(world.ctx(session, "editor"), PostIn(
            text=text, channel_ids=[world.channels["x"]], scheduled_at=clock.now() + timedelta(days=2),
            intent=Intent.SUBMIT)).post.id
    if approve:
        with db.unit_of_work() as session:
            content.approve(world.ctx(session, "approver"), post_id, "Internal: tone it down if they moan")
    return post_id


def test_the_client_reviewer_sees_only_what_waits_for_it(database: Database, world: World,
                                                          clock: ManualClock) -> None:
    mine = _submitted(database, world, clock, "Ready for the client", approve=True)
    internal = _submitted(database, world, clock, "Internal draft, not for the client yet", approve=False)
    with database.unit_of_work() as session:
        draft = content.compose(world.ctx(session, "editor"), PostIn(
            text="Secret idea", channel_ids=[world.channels["x"]], intent=Intent.DRAFT)).post.id
        notifications.notify(session, world.workspace_id, "channel_needs_reconnection",
                             "Kava x needs reconnecting: the token expired", subject="x")
    client, _ = signed_in_client(database, world.users["client_reviewer"])
    ws = f"/w/{world.workspace_id}"

    page = client.get(f"{ws}/approvals")
    assert page.status_code == 200
    assert "Ready for the client" in page.text and "Internal draft" not in page.text
    assert "tone it down" not in page.text and "Kava editor" not in page.text  # no internal comment, no author
    assert "needs reconnecting" not in page.text  # the team's alerts are not the client's business
    team, _ = signed_in_client(database, world.users["viewer"])
    assert "needs reconnecting" in team.get(f"{ws}/approvals").text

    listed = client.get(f"/api/v1/workspaces/{world.workspace_id}/approvals").json()
    assert [p["id"] for p in listed] == [mine]
    assert listed[0]["approvals"] == [] and listed[0]["author"] is None

    # Deciding on a post that does not wait for it shows nothing of that post, from the queue (htmx) or not.
    for post_id in (internal, draft):
        for headers in ({"HX-Request": "true"}, {}):
            refused = client.post(f"{ws}/posts/{post_id}/approve", data={"comment": "ok"}, headers=headers)
            assert refused.status_code == 404, refused.text
            assert "Internal draft" not in refused.text and "Secret idea" not in refused.text
    for path in (f"{ws}/posts/{internal}", f"{ws}/posts", f"{ws}/calendar", f"{ws}/inbox", f"{ws}/analytics",
                 f"{ws}/settings", f"/api/v1/workspaces/{world.workspace_id}/posts/{internal}"):
        assert client.get(path).status_code == 403, path

    decided = client.post(f"/api/v1/workspaces/{world.workspace_id}/posts/{mine}/approve", json={"comment": "Yes!"})
    assert decided.status_code == 200
    assert [(a["step"], a["comment"]) for a in decided.json()["post"]["approvals"]] == [("client_reviewer", "Yes!")]
