"""The ads-budget exercise: sandbox ads made through the campaigns service, scored on cost per purchase."""

from __future__ import annotations

from datetime import timedelta

from socialdesk.academy import catalog, scoring, service, strategies
from socialdesk.academy.play import Play
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database


def _ctx(session, started, run):  # type: ignore[no-untyped-def]
    from socialdesk.workspaces.context import Actor, WorkspaceContext
    from socialdesk.workspaces.models import Role, Workspace

    workspace = session.get(Workspace, started.workspace_id)
    return WorkspaceContext(session, workspace, Actor(run.user_id, "learner@example.com"), Role.OWNER)


def _make_ads(database: Database, started: service.Started, *, good: bool) -> None:
    from socialdesk.academy.strategies import ad_traits
    from socialdesk.campaigns import sandbox_ads
    from socialdesk.campaigns import service as campaigns
    from socialdesk.channels import service as channels
    from socialdesk.core import clock
    from socialdesk.networks.sandbox.ads import Targeting

    with database.unit_of_work() as session:
        run = service.get_run(session, started.run_id)
        ctx = _ctx(session, started, run)
        params = service.params_for(run)
        first = clock.utc(run.sim_start).date()
        campaign = campaigns.create(ctx, name="Zrno week")
        channel = channels.list_channels(ctx)[0]
        if good:
            traits = ad_traits(params)
            sandbox_ads.create(ctx, campaign_id=campaign.id, channel_id=channel.id, name="Beans",
                               text="Ovaj tjedan 20 % popusta na hranu i kavu u zrnu #hrana #gastro",
                               starts_on=first + timedelta(days=1), days=6, daily_budget=16.5, bid_cpm=7.0,
                               targeting=Targeting(age_min=traits["age_min"], age_max=traits["age_max"],
                                                   languages=tuple(traits["languages"]),
                                                   interests=tuple(traits["interests"])),
                               creative_quality=0.7, media=("image",))
        else:  # the whole budget on one day, to gamers, at a bid far below the going price
            sandbox_ads.create(ctx, campaign_id=campaign.id, channel_id=channel.id, name="All in",
                               text="Best gaming deals this week #gaming", starts_on=first + timedelta(days=2),
                               days=1, daily_budget=100.0, bid_cpm=1.5,
                               targeting=Targeting(age_min=16, age_max=25, interests=("gaming",)))


def test_ads_made_in_campaigns_are_scored_and_a_good_plan_beats_a_careless_one(database: Database,
                                                                                clock: ManualClock) -> None:
    results = {}
    for good in (True, False):
        started = service.start(database, "ads-budget", f"learner-{good}@example.com")
        _make_ads(database, started, good=good)
        service.step(database, started.run_id, days=3)
        with database.unit_of_work(read_only=True) as session:
            from sqlalchemy import select

            from socialdesk.campaigns.models import AdResult

            stored = session.scalars(select(AdResult).where(AdResult.workspace_id == started.workspace_id)).all()
            if good:  # Campaigns shows the days that ended, in simulated time
                assert stored and all(r.source == "sandbox" for r in stored)
        results[good] = service.finish(database, started.run_id)
    good, careless = results[True], results[False]
    assert good["score"] > careless["score"], (good, careless)
    skills = {s["skill"]: s for s in good["skills"]}
    assert set(skills) == {"cost", "targeting", "pacing"}
    assert skills["targeting"]["score"] == 100 and skills["pacing"]["score"] >= 80
    assert "per purchase" in " ".join(skills["cost"]["reasons"])
    low = {s["skill"]: s for s in careless["skills"]}
    assert "food" in low["targeting"]["reasons"][0]
    assert any("missed on interests, languages" in r and "gaming" in r for r in low["targeting"]["reasons"])
    assert set(good["reveal"]["ad_traits"]["interests"]) == {"food", "home"}


def test_no_ads_scores_zero_with_reasons() -> None:
    ex = catalog.get("ads-budget")
    from tests.academy.test_academy import START, _params

    params = _params("ads-budget")
    empty = Play(params, START, START + ex.days * 86400.0, [])
    reference = strategies.expert(ex, params, START)
    scores = scoring.score(ex, empty, reference)
    assert [s.score for s in scores] == [0, 0, 0] and all(s.reasons for s in scores)


def test_over_committing_the_budget_is_marked_down() -> None:
    from dataclasses import replace

    from tests.academy.test_academy import START, _params

    ex, params = catalog.get("ads-budget"), _params("ads-budget")
    good = strategies.expert(ex, params, START)
    greedy = strategies.expert(ex, params, START)
    greedy.ads = [replace(spec, daily_budget=spec.daily_budget * 3) for spec in greedy.ads]
    pacing = scoring.ad_pacing(ex, greedy, good)
    assert pacing.score < scoring.ad_pacing(ex, good, good).score
    assert any("more than the budget" in r for r in pacing.reasons)


def test_the_finished_page_reveals_who_the_ads_should_reach(database: Database, clock: ManualClock) -> None:
    from socialdesk.auth.service import create_user
    from tests.helpers import PASSWORD
    from tests.web_client import signed_in_client

    with database.unit_of_work() as session:
        create_user(session, "learner@example.com", "learner", PASSWORD)
    client, _ = signed_in_client(database, "learner@example.com")
    assert "Spend an ad budget for the best cost per result" in client.get("/academy").text
    started = client.post("/academy/start", data={"exercise": "ads-budget"})
    assert started.status_code == 303
    where = started.headers["location"]
    assert client.post(f"{where}/clock", data={"action": "finish"}).status_code == 303
    done = client.get(where).text
    assert "Who the ads should reach" in done and "You ran no ads" in done
