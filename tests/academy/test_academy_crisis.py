"""The crisis-burst exercise: a listening monitor in the product catches the exercise's complaint burst in
simulated time, and a quick, polite public answer beats silence and a careless one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from socialdesk.academy import service
from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database


def _ctx(session, started, run):  # type: ignore[no-untyped-def]
    from socialdesk.workspaces.context import Actor, WorkspaceContext
    from socialdesk.workspaces.models import Role, Workspace

    workspace = session.get(Workspace, started.workspace_id)
    return WorkspaceContext(session, workspace, Actor(run.user_id, "learner@example.com"), Role.OWNER)


def _answer(database: Database, started: service.Started, at, text: str) -> None:  # type: ignore[no-untyped-def]
    from socialdesk.channels import service as channels
    from socialdesk.content import service as content
    from socialdesk.content.schemas import Intent, PostIn

    with database.unit_of_work() as session:
        run = service.get_run(session, started.run_id)
        ctx = _ctx(session, started, run)
        ids = [c.id for c in channels.list_channels(ctx)]
        content.compose(ctx, PostIn(text=text, channel_ids=ids, scheduled_at=at.replace(tzinfo=None),
                                    timezone="UTC", intent=Intent.SCHEDULE))


def test_a_monitor_catches_the_burst_and_a_quick_polite_answer_scores_high(database: Database,
                                                                           clock: ManualClock) -> None:
    from socialdesk.listening import service as listening
    from socialdesk.listening.models import ListeningAlert

    started = service.start(database, "crisis-burst", "learner@example.com")
    with database.unit_of_work() as session:
        run = service.get_run(session, started.run_id)
        ex = service.exercise_of(run)
        burst = service.crisis_burst(ex, clock_module.utc(run.sim_start))
        listening.add_monitor(_ctx(session, started, run), name="Zrno", terms=["Zrno"], sources=["sandbox"])
    service.step(database, started.run_id, hours=(burst.start - service.sim_now(run)).total_seconds() / 3600)
    during: list = []
    for _ in range(3):  # the learner watches Listening hour by hour
        at = service.step(database, started.run_id, hours=1)
        with database.unit_of_work(read_only=True) as session:
            alerts = session.scalars(select(ListeningAlert).where(
                ListeningAlert.workspace_id == started.workspace_id, ListeningAlert.kind == "burst")).all()
            # (a quiet evening can raise a false alarm before the burst: the detector's history is young)
            during = [clock_module.utc(a.created_at) for a in alerts if clock_module.utc(a.created_at) > burst.start]
        if during:
            break
    assert during, "the listening monitor raised no burst alert in simulated time"
    noticed = min(during)
    assert noticed <= burst.start + timedelta(hours=2)
    _answer(database, started, at + timedelta(minutes=1),
            "Pozdrav svima, žao nam je zbog loših pošiljki i hvala što ste nam javili. Pošaljite nam poruku s "
            "brojem narudžbe i danas ćemo to riješiti.")
    good = service.finish(database, started.run_id)
    skills = {s["skill"]: s for s in good["skills"]}
    assert skills["detection"]["score"] >= 90 and skills["response_time"]["score"] == 100, skills
    assert skills["tone"]["score"] >= 75

    silent = service.start(database, "crisis-burst", "quiet@example.com")
    with database.unit_of_work(read_only=True) as session:
        run = service.get_run(session, silent.run_id)
    _answer(database, silent, burst.start + timedelta(days=1, hours=3), "Order now!!")
    careless = service.finish(database, silent.run_id)
    assert good["score"] > careless["score"]
    low = {s["skill"]: s for s in careless["skills"]}
    assert low["detection"]["score"] == 0 and "no listening monitor" in low["detection"]["reasons"][0]
    assert low["tone"]["score"] < 50 and "no apology or thanks" in " ".join(low["tone"]["reasons"])
