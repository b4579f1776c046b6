"""The time log: a start/stop timer and time entered afterwards, per client workspace; one running timer per
person; each sees their own entries, admins everyone's and the month's CSV for invoicing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from socialdesk.agency import time_log
from socialdesk.auth.models import User
from socialdesk.auth.service import user_by_email
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.models import Role, Workspace
from tests.helpers import World, make_world
from tests.web_client import signed_in_client


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database, "Kava", profiles=())


def test_timer_and_entries_make_the_months_csv(database: Database, world: World, clock: ManualClock) -> None:
    other = make_world(database, "Lipa", profiles=())
    with database.unit_of_work() as session:  # the editor works for both clients
        workspaces.add_member(other.ctx(session), _user(session, world), Role.EDITOR)
    editor_web, _ = signed_in_client(database, world.users["editor"])
    ws = f"/w/{world.workspace_id}"
    assert editor_web.post(f"{ws}/time/start", data={"note": "=HYPERLINK(\"x\")"}).status_code == 303
    clock.advance(timedelta(minutes=95))
    with database.unit_of_work() as session:  # starting a timer for Lipa stops the one for Kava
        ctx = _as_editor(session, other, world)
        notes = time_log.start_timer(ctx)
        assert notes[0] == "Stopped your timer for another client after 95 min."
        with pytest.raises(Conflict):
            time_log.start_timer(ctx)
    clock.advance(timedelta(minutes=30))
    with database.unit_of_work() as session:
        assert time_log.stop_timer(_as_editor(session, other, world)) == ["Logged 30 min."]
    assert editor_web.post(f"{ws}/time/entries", data={"day": "2026-03-01", "hours": "1,5", "minutes": "10",
                                                       "note": "February report"}).status_code == 303
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="still to come"):
        time_log.add_entry(world.ctx(session, "editor"), date(2026, 3, 9), 10)
    with database.unit_of_work() as session:
        time_log.add_entry(world.ctx(session, "owner"), date(2026, 3, 2), 15, "client call")

    page = editor_web.get(f"{ws}/time?month=2026-03")
    assert page.status_code == 200 and "1 h 35 min" in page.text and "client call" not in page.text  # own only
    assert editor_web.get(f"{ws}/time/export.csv").status_code == 403  # invoicing is for admins
    owner_web, _ = signed_in_client(database, world.users["owner"])
    assert "client call" in owner_web.get(f"{ws}/time?month=2026-03").text
    february = list(csv.reader(io.StringIO(owner_web.get(f"{ws}/time/export.csv?month=2026-03").text)))
    assert february[0] == ["client", "date", "person", "email", "minutes", "hours", "note"]
    lines = {(r[1], r[2], r[4], r[6]) for r in february[1:]}
    assert ("2026-03-02", "Kava editor", "95", "'=HYPERLINK(\"x\")") in lines  # a formula is kept as text
    assert ("2026-03-01", "Kava editor", "100", "February report") in lines
    assert ("2026-03-02", "Kava owner", "15", "client call") in lines
    assert february[-1][1:6] == ["total 2026-03", "everyone", "", "210", "3.50"]
    api = owner_web.get(f"/api/v1/workspaces/{world.workspace_id}/time-entries?month=2026-03").json()
    assert sorted(e["minutes"] for e in api) == [15, 95, 100]
    assert owner_web.get(f"/api/v1/workspaces/{world.workspace_id}/time-entries.csv?month=2026-03").text.startswith(
        "client,date")
    made = editor_web.post(f"/api/v1/workspaces/{world.workspace_id}/time-entries",
                           json={"day": "2026-03-02", "minutes": 5})
    assert made.status_code == 201 and made.json()["person"] == "Kava editor"
    # Lipa's 30 min are Lipa's: not in Kava's month.
    assert "30" not in {r[4] for r in february[1:-1]}
    # Someone else's entry cannot be deleted by an editor; the owner can.
    owners = [e["id"] for e in api if e["minutes"] == 15]
    assert editor_web.post(f"{ws}/time/entries/{owners[0]}/delete", data={}).status_code == 303
    assert "client call" in owner_web.get(f"{ws}/time?month=2026-03").text
    owner_web.post(f"{ws}/time/entries/{owners[0]}/delete", data={})
    assert "client call" not in owner_web.get(f"{ws}/time?month=2026-03").text


def _user(session: Session, world: World) -> User:
    user = user_by_email(session, world.users["editor"])
    assert user is not None
    return user


def _as_editor(session: Session, other: World, world: World) -> WorkspaceContext:
    """Kava's editor, acting in Lipa."""
    user = _user(session, world)
    workspace = session.get(Workspace, other.workspace_id)
    assert workspace is not None
    return WorkspaceContext(session, workspace, Actor(user.id, user.email), Role.EDITOR)
