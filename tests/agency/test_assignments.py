"""Assignments and due dates on drafts: the assignee is told, reminded once when overdue; My work; the calendar."""

from __future__ import annotations

from datetime import date, timedelta
from email.message import Message

import pytest

from socialdesk.content import assignments
from socialdesk.content import service as content
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.jobs.runner import Runner
from socialdesk.notifications import reminders
from tests.agency import people as shared
from tests.helpers import make_world
from tests.mail import smtp_server_fixture  # noqa: F401 (a fixture)


def test_a_draft_is_assigned_with_a_due_date_and_the_assignee_is_told_then_reminded_once(
        database: Database, clock: ManualClock, smtp_server: list[Message]) -> None:
    world = make_world(database, profiles=("mastodon",))
    editor = shared.uid(database, world.users["editor"])
    post_id = shared.draft(database, world)
    due = clock.now() + timedelta(days=2)
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        with pytest.raises(ValidationFailed, match="cannot write posts"):
            assignments.assign(ctx, post_id, shared.uid(database, world.users["viewer"]), due)
        with pytest.raises(ValidationFailed, match="member of this workspace"):
            assignments.assign(ctx, post_id, "01nobody000000000000000000", due)
        assignments.assign(ctx, post_id, editor, due)
    told = shared.told(database, "assigned")
    assert [n.user_id for n in told] == [editor] and "Winter menu teaser" in told[0].message
    Runner(database).run_pending()
    assert any("asks you to write" in str(m["Subject"]) for m in smtp_server)
    with database.read_sessions() as session:
        mine = assignments.my_work(world.ctx(session, "editor"))
    assert [i.post_id for i in mine.assigned] == [post_id] and not mine.overdue

    clock.advance(timedelta(days=2, minutes=1))
    with database.unit_of_work() as session:
        assert reminders.run(session)["posts"] == 1
    with database.unit_of_work() as session:
        assert reminders.run(session)["posts"] == 0  # told once
    assert [n.user_id for n in shared.told(database, "assignment_overdue")] == [editor]
    with database.read_sessions() as session:
        mine = assignments.my_work(world.ctx(session, "editor"))
        on_calendar = assignments.due_by_day(world.ctx(session), date.today() - timedelta(days=400),
                                             date.today() + timedelta(days=400))
    assert [i.post_id for i in mine.overdue] == [post_id]
    assert [i.overdue for items in on_calendar.values() for i in items] == [True]
    # Sent for approval, the work is done: no longer overdue.
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        ctx.workspace.approval_steps = ["approver"]
        content.submit(ctx, post_id)
    with database.read_sessions() as session:
        mine = assignments.my_work(world.ctx(session, "editor"))
    assert not mine.assigned and not mine.overdue


def test_my_work_page_assigning_from_the_post_page_and_the_calendar(database: Database, clock: ManualClock) -> None:
    from tests.web_client import signed_in_client

    world = make_world(database, profiles=("mastodon",), approval_steps=["approver"])
    post_id = shared.draft(database, world, "Write the <b>spring</b> post")
    editor = shared.uid(database, world.users["editor"])
    owner, csrf = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    page = owner.get(f"{w}/posts/{post_id}")
    assert page.status_code == 200 and "Assignment" in page.text and "Nobody is assigned" in page.text
    bad = owner.post(f"{w}/posts/{post_id}/assign", data={"csrf_token": csrf, "assignee_id": editor,
                                                          "due_at": "Thursday"})
    assert bad.status_code == 303 and "date and time" in owner.get(bad.headers["location"]).text
    for edge in ("0001-01-01T00:00", "9999-12-31T23:59"):
        odd = owner.post(f"{w}/posts/{post_id}/assign", data={"csrf_token": csrf, "assignee_id": editor,
                                                              "due_at": edge})
        assert odd.status_code == 303  # a clear message, never a 500
    done = owner.post(f"{w}/posts/{post_id}/assign", data={"csrf_token": csrf, "assignee_id": editor,
                                                           "due_at": "2026-03-05T17:00"})
    assert done.status_code == 303
    assert "writes it" in owner.get(f"{w}/posts/{post_id}").text
    calendar = owner.get(f"{w}/calendar?date=2026-03-05")
    assert "Due 17:00" in calendar.text and "&lt;b&gt;spring" in calendar.text
    editor_client, _ = signed_in_client(database, world.users["editor"])
    work = editor_client.get(f"{w}/my-work")
    assert work.status_code == 200 and "&lt;b&gt;spring" in work.text and "<b>spring" not in work.text
    # The approver's work: what waits for their step.
    with database.unit_of_work() as session:
        content.submit(world.ctx(session, "editor"), post_id)
    approver, _ = signed_in_client(database, world.users["approver"])
    assert "Open the approvals" in approver.get(f"{w}/my-work").text
    viewer, _ = signed_in_client(database, world.users["viewer"])
    assert viewer.post(f"{w}/posts/{post_id}/assign", data={"assignee_id": editor}).status_code == 403

