"""The academy: exercise files, a good learner beating a random one on every exercise, the reveal, runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from socialdesk.academy import catalog, scoring, service, strategies
from socialdesk.academy.play import Play
from socialdesk.academy.reveal import reveal
from socialdesk.academy.schema import ExerciseFileError, load, parse
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.networks.sandbox.audience import AccountParams, audience_activity, population

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()
SLUGS = ("ads-budget", "answer-negative", "best-hour", "content-mix", "crisis-burst", "fair-giveaway",
         "grow-followers", "troll-attack")


def _params(slug: str) -> AccountParams:
    ex = catalog.get(slug)
    return AccountParams(handle=f"academy-test-{slug}", seed=ex.seed, audience_size=ex.audience.size,
                         timezone=ex.audience.timezone, languages=tuple(sorted(ex.audience.languages.items())),
                         topics=tuple(ex.audience.interests), created_at=START, bot_share=ex.audience.spam_share,
                         troll_share=ex.audience.troll_share)


def test_every_shipped_exercise_is_listed_and_valid() -> None:
    assert tuple(ex.slug for ex in catalog.shipped()) == SLUGS
    for ex in catalog.shipped():
        assert ex.title["en"] and ex.title["hr"] and ex.brief.text["hr"] and ex.goal.text["hr"]


@pytest.mark.parametrize("slug", SLUGS)
def test_a_good_learner_beats_a_random_poster_on_the_same_seed(slug: str) -> None:
    ex, params = catalog.get(slug), _params(slug)
    good = strategies.expert(ex, params, START)
    good_total = scoring.total(scoring.score(ex, good, good))
    for seed in (1, 2, 3):
        random_play = strategies.random_poster(ex, params, START, seed)
        random_total = scoring.total(scoring.score(ex, random_play, good))
        assert good_total > random_total, (slug, seed, good_total, random_total)


def test_reasons_name_the_audience_peak_and_compare_hours() -> None:
    ex, params = catalog.get("best-hour"), _params("best-hour")
    play = strategies.random_poster(ex, params, START, 1)
    timing = scoring.timing(ex, play, None)
    best = int(audience_activity(params).by_hour.argmax())
    assert f"most active at {best:02d}:00" in timing.reasons[0]
    assert any("fewer people" in r for r in timing.reasons)


def test_nothing_published_scores_zero_with_a_reason() -> None:
    ex, params = catalog.get("grow-followers"), _params("grow-followers")
    empty = Play(params, START, START + ex.days * 86400.0, [])
    scores = scoring.score(ex, empty, None)
    relevance = next(s for s in scores if s.skill == "relevance")
    assert relevance.score == 0 and relevance.reasons


def test_the_reveal_matches_the_sandbox_hidden_traits() -> None:
    ex, params = catalog.get("troll-attack"), _params("troll-attack")
    shown = reveal(ex, params)
    pop = population(params)
    activity = audience_activity(params)
    assert shown["peak_hours"] == list(activity.peak_hours)
    assert shown["best_hour"] == int(activity.by_hour.argmax())
    assert shown["troll_share"] == round(float(pop.troll.mean()), 4) and pop.troll.sum() > 0
    assert shown["spam_share"] == round(float(pop.bot.mean()), 4)
    assert set(shown["interests"]) >= set(ex.audience.interests[:1]) or shown["interests"]
    assert max(shown["languages"], key=shown["languages"].get) == "hr"
    assert next(iter(shown["time_zones"])) == "Europe/Zagreb"


def test_an_account_without_trolls_is_unchanged_by_the_troll_setting() -> None:
    params = _params("best-hour")
    pop = population(params)
    assert not pop.troll.any()


def test_check_names_the_path_of_each_bad_field(tmp_path: Path) -> None:
    data = catalog.get("best-hour").model_dump(mode="json")
    data["audience"]["timezone"] = "Mars/Olympus"
    data["title"] = {"en": "Only English"}
    data["channels"][0]["imitates"] = "myspace"
    data["surprise"] = 1
    with pytest.raises(ExerciseFileError) as caught:
        parse(data, "mine.yaml")
    text = "\n".join(caught.value.problems)
    assert "audience.timezone: unknown time zone 'Mars/Olympus'" in text
    assert "title: " in text and "hr" in text
    assert "channels[0].imitates" in text
    assert "surprise: is not a field" in text
    broken = tmp_path / "broken.yaml"
    broken.write_text("slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(ExerciseFileError, match="not valid YAML"):
        load(broken)
    assert load(catalog.FOLDER / "best-hour.yaml").slug == "best-hour"


def test_a_run_goes_through_the_product_and_scores_the_learner(database: Database, clock: ManualClock) -> None:
    from socialdesk.academy.models import AcademySkillScore
    from socialdesk.content import service as content
    from socialdesk.content.schemas import Intent, PostIn
    from socialdesk.workspaces.context import Actor, WorkspaceContext
    from socialdesk.workspaces.models import Role, Workspace

    started = service.start(database, "best-hour", "learner@example.com")
    assert started.password  # a new account was made for the learner
    with database.unit_of_work() as session:
        run = service.get_run(session, started.run_id)
        workspace = session.get(Workspace, started.workspace_id)
        assert workspace is not None and run.user_id
        ctx = WorkspaceContext(session, workspace, Actor(run.user_id, "learner@example.com"), Role.OWNER)
        from socialdesk.channels import service as channels
        from socialdesk.media import service as media

        channel_ids = [c.id for c in channels.list_channels(ctx)]
        images = [m.id for m in media.list_media(ctx)]
        ex = service.exercise_of(run)
        params = service.params_for(run)
        best = int(audience_activity(params).by_hour.argmax())
        first = run.sim_start.astimezone(__import__("zoneinfo").ZoneInfo(ex.audience.timezone)).date()
        for day in range(1, ex.days):
            local = datetime.combine(first + timedelta(days=day), datetime.min.time()).replace(hour=best)
            content.compose(ctx, PostIn(text=f"Svježi kruh iz pećnice, dan {day} #kruh #hrana",
                                        channel_ids=channel_ids, media_ids=images[:1], scheduled_at=local,
                                        timezone=ex.audience.timezone, intent=Intent.SCHEDULE))
    at = service.step(database, started.run_id, days=2)
    assert at > clock.now()  # simulated time ran ahead of the process clock, which did not move
    _requests_in_the_workspace_see_simulated_time(started.workspace_id, at)
    result = service.finish(database, started.run_id)
    timing = next(s for s in result["skills"] if s["skill"] == "timing")
    assert timing["score"] >= 90, timing
    assert result["reveal"]["best_hour"] == best
    with database.unit_of_work(read_only=True) as session:
        stored = session.scalars(select(AcademySkillScore)).all()
        assert {s.skill for s in stored} == {"timing", "reach"}
        assert service.get_run(session, started.run_id).score == result["score"]
        # The product did the work in simulated time: posts went out on schedule, comments reached the inbox.
        from socialdesk.content.models import Publication, PublicationStatus
        from socialdesk.inbox.models import InboxItem

        published = session.scalars(select(Publication).where(Publication.workspace_id == started.workspace_id)).all()
        assert len(published) == 6 and all(p.status == PublicationStatus.PUBLISHED for p in published)
        assert all(p.published_at is not None and p.published_at.hour == p.scheduled_at.hour for p in published)
        assert session.scalars(select(InboxItem).where(InboxItem.workspace_id == started.workspace_id)).first()


def _requests_in_the_workspace_see_simulated_time(workspace_id: str, at: datetime) -> None:
    import asyncio
    from types import SimpleNamespace

    from socialdesk.core import clock as clock_module
    from socialdesk.web.academy_clock import exercise_time

    async def inside(params: dict[str, str]) -> datetime:
        steps = exercise_time(SimpleNamespace(path_params=params, url=SimpleNamespace(path="/w/page")))  # type: ignore[arg-type]
        await steps.__anext__()
        try:
            return clock_module.now()
        finally:
            await steps.aclose()

    assert asyncio.run(inside({"workspace_id": workspace_id})) == at
    assert asyncio.run(inside({"workspace_id": "not-an-exercise"})) != at
    assert clock_module.now() != at  # the process clock never moved

