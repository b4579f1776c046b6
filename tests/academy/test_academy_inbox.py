"""An academy run end to end through the product: negative comments answered in the Inbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from socialdesk.academy import catalog, scoring, service, strategies
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database


def test_answering_through_the_inbox_is_scored(database: Database, clock: ManualClock,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A learner who answers the inbox's negative comments politely, every simulated hour, beats the floor."""
    from socialdesk.core import clock as clock_module
    from socialdesk.inbox import actions
    from socialdesk.inbox.models import InboxItem
    from socialdesk.networks.base import IncomingKind
    from socialdesk.workspaces.context import Actor, WorkspaceContext
    from socialdesk.workspaces.models import Role, Workspace

    # A fixed run id: the sandbox handle, and so the audience, is the same on every test run.
    monkeypatch.setattr(service, "new_id", lambda: "01JACADEMYTESTRUN000000001")
    started = service.start(database, "answer-negative", "learner@example.com")
    at = None
    triaged = 0
    for _ in range(96):  # the whole budget, an hour at a time
        at = service.step(database, started.run_id, hours=1)
        with clock_module.scoped(ManualClock(at)), database.unit_of_work() as session:
            workspace = session.get(Workspace, started.workspace_id)
            run = service.run_of_workspace(session, started.workspace_id)
            assert workspace is not None and run is not None
            ctx = WorkspaceContext(session, workspace, Actor(run.user_id, "learner@example.com"), Role.OWNER)
            items = session.scalars(select(InboxItem).where(
                InboxItem.workspace_id == started.workspace_id, InboxItem.kind == IncomingKind.COMMENT,
                InboxItem.reply_text.is_(None))).all()
            triaged += sum(1 for i in items if i.triaged_at is not None)
            for item in items:
                # The Inbox's triage: what reads negative or as a complaint, not spam (what a learner filters by).
                if (item.sentiment == "negative" or item.intent == "complaint") and not item.spam:
                    name = (item.author_name or "").split(" ")[0]
                    actions.reply(ctx, item.id, f"Poštovani {name}, ispričavamo se i hvala na strpljenju. "
                                                "Pošaljite nam poruku s detaljima i riješit ćemo to danas.")
    assert triaged > 0  # triage ran in simulated time, not days later
    result = service.finish(database, started.run_id)
    scores = {s["skill"]: s["score"] for s in result["skills"]}
    ex = catalog.get("answer-negative")
    play = service.learner_play(database, _run(database, started.run_id))
    floor = scoring.total(scoring.score(ex, strategies.random_poster(ex, play.params, play.start, 1), None))
    assert play.replies and result["score"] > floor, (scores, floor, result["skills"])
    assert scores["tone"] >= 75, result["skills"]


def _run(database: Database, run_id: str) -> object:
    with database.unit_of_work(read_only=True) as session:
        run = service.get_run(session, run_id)
        session.expunge(run)
        return run
