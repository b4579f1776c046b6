"""An academy run end to end through the product: a giveaway run with Contests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from socialdesk.academy import service
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database


def test_a_fair_giveaway_through_contests_scores_its_fairness(database: Database, clock: ManualClock,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from zoneinfo import ZoneInfo

    from socialdesk.channels import service as channels
    from socialdesk.content import service as content
    from socialdesk.content.models import Publication
    from socialdesk.content.schemas import Intent, PostIn
    from socialdesk.contests import service as contests
    from socialdesk.core import clock as clock_module
    from socialdesk.media import service as media
    from socialdesk.workspaces.context import Actor, WorkspaceContext
    from socialdesk.workspaces.models import Role, Workspace

    # A fixed run id: the sandbox handle, and so the audience, is the same on every test run.
    monkeypatch.setattr(service, "new_id", lambda: "01JACADEMYTESTRUN000000002")
    started = service.start(database, "fair-giveaway", "learner@example.com")

    def learner(session: object) -> WorkspaceContext:
        workspace = session.get(Workspace, started.workspace_id)  # type: ignore[attr-defined]
        run = service.run_of_workspace(session, started.workspace_id)  # type: ignore[arg-type]
        assert workspace is not None and run is not None
        return WorkspaceContext(session, workspace, Actor(run.user_id, "learner@example.com"), Role.OWNER)  # type: ignore[arg-type]

    with database.unit_of_work() as session:
        ctx = learner(session)
        run = service.run_of_workspace(session, started.workspace_id)
        assert run is not None
        day1 = run.sim_start.astimezone(ZoneInfo("Europe/Zagreb")).date() + timedelta(days=1)
        post_time = datetime.combine(day1, datetime.min.time()).replace(hour=19)
        post_time = datetime.combine(day1, datetime.min.time()).replace(hour=19)
        content.compose(ctx, PostIn(
            text="Nagradna igra! Osvojite poklon bon od 100 € za društvene igre. Komentirajte WIN i označite "
                 "prijatelja. #nagradnaigra", channel_ids=[c.id for c in channels.list_channels(ctx)],
            media_ids=[media.list_media(ctx)[0].id], timezone="Europe/Zagreb", intent=Intent.SCHEDULE,
            scheduled_at=post_time))
    # Just after the post went out: the contest is made on it and opens before the first entries arrive.
    at = service.advance(database, started.run_id, post_time.replace(tzinfo=ZoneInfo("Europe/Zagreb"))
                         + timedelta(minutes=5))
    with clock_module.scoped(ManualClock(at)), database.unit_of_work() as session:
        ctx = learner(session)
        publication = session.scalars(select(Publication).where(
            Publication.workspace_id == started.workspace_id)).one()
        assert publication.published_at is not None
        contest = contests.create(ctx, name="Board games", prize="100 € voucher", opens_at=at,
                                  closes_at=at + timedelta(days=1), winners=2, publication_ids=[publication.id],
                                  rules={"keyword": "WIN", "per": "person", "spam_threshold": 0.8})
        contest_id = contest.id
    at = service.step(database, started.run_id, days=1, hours=2)
    with clock_module.scoped(ManualClock(at)), database.unit_of_work() as session:
        drawn = contests.make_draw(learner(session), contest_id)
        assert drawn.winners
    result = service.finish(database, started.run_id)
    fairness = next(s for s in result["skills"] if s["skill"] == "fairness")
    reach = next(s for s in result["skills"] if s["skill"] == "reach")
    assert fairness["score"] == 100, fairness
    assert reach["score"] > 0, reach
