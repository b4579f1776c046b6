"""Campaigns: what a campaign accepts, pacing, alerts, A/B comparisons and sandbox ads (docs/ads.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from socialdesk.campaigns import ab, alerts, pacing, sandbox_ads, service
from socialdesk.campaigns.models import AdResult
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, Forbidden, ValidationFailed
from socialdesk.networks.sandbox.ads import Targeting
from socialdesk.notifications.models import Notification
from tests.helpers import T0, World, make_world
from tests.web_client import signed_in_client


def test_a_campaign_refuses_what_makes_no_sense(database: Database) -> None:
    world = make_world(database, "Roastery", profiles=())
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        service.create(ctx, name="Launch", budget=100.0)
        for bad, match in (({"name": " "}, "name"), ({"name": "X", "goal": "fame"}, "goal"),
                           ({"name": "X", "starts_on": date(2026, 5, 2), "ends_on": date(2026, 5, 1)}, "end"),
                           ({"name": "X", "budget": -5.0}, "budget"), ({"name": "X", "currency": "euro"}, "currency"),
                           ({"name": "X", "targets": {"likes_per_day": 5}}, "Unknown target"),
                           ({"name": "X", "targets": {"roas": "lots"}}, "not a number"),
                           ({"name": "X", "utm": {"utm_colour": "red"}}, "UTM")):
            with pytest.raises(ValidationFailed, match=match):
                service.create(ctx, **bad)  # type: ignore[arg-type]
        with pytest.raises(Conflict):
            service.create(ctx, name="launch ".upper().strip().capitalize())
        with pytest.raises(Forbidden):
            service.create(world.ctx(session, "viewer"), name="Viewer's")


def test_pacing_on_track_over_under_and_finished() -> None:
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    even = {start + timedelta(days=d): 10.0 for d in range(10)}
    on = pacing.pace(300.0, start, end, even, date(2026, 11, 10))
    assert on.status == "on_track" and on.projected_end == pytest.approx(300.0) and on.expected_to_date == 100.0
    fast = pacing.pace(200.0, start, end, even, date(2026, 11, 10))
    assert fast.status == "over" and fast.projected_end == pytest.approx(300.0)
    slow = pacing.pace(600.0, start, end, even, date(2026, 11, 10))
    assert slow.status == "under"
    done = pacing.pace(100.0, start, date(2026, 11, 10), even, date(2026, 12, 1))
    assert done.finished and done.status == "on_track" and done.spent == pytest.approx(100.0)
    assert pacing.pace(None, start, end, even, date(2026, 11, 10)).status == "no_budget"
    assert pacing.pace(300.0, start, end, {}, date(2026, 10, 1)).status == "not_started"
    # A row covering a week is spread over its days.
    assert sum(pacing.daily_spend([AdResult(starts_on=start, ends_on=start + timedelta(days=6),
                                            spend_micros=70_000_000)]).values()) == pytest.approx(70.0)


def test_ab_names_no_winner_before_the_sample_needed() -> None:
    small = ab.compare("ctr", ab.Arm("A", 20, 1000), ab.Arm("B", 35, 1000))
    assert small.verdict == "not_enough_data" and small.needed_per_arm and small.needed_per_arm > 1000
    assert "No winner yet" in small.explanation
    big = ab.compare("ctr", ab.Arm("A", 2000, 100_000), ab.Arm("B", 3000, 100_000))
    assert big.verdict == "b_higher" and big.low is not None and big.low > 0
    same = ab.compare("ctr", ab.Arm("A", 2000, 100_000), ab.Arm("B", 2010, 100_000))
    assert same.verdict == "no_clear_difference"
    # Five comparisons at once: a wider interval and a bigger sample (Bonferroni).
    five = ab.compare("ctr", ab.Arm("A", 2000, 100_000), ab.Arm("B", 3000, 100_000), comparisons=5)
    assert five.level == pytest.approx(0.99) and (five.high - five.low) > (big.high - big.low)
    assert five.needed_per_arm > big.needed_per_arm  # type: ignore[operator]
    empty = ab.compare("conversion_rate", ab.Arm("A", 0, 0), ab.Arm("B", 1, 10))
    assert empty.verdict == "not_enough_data" and empty.difference is None


def test_sandbox_ads_deliver_day_by_day_and_feed_pacing_alerts_and_ab(database: Database,
                                                                      clock: ManualClock) -> None:
    world = make_world(database, "Roastery", profiles=("instagram",), audience=4000)
    first = (T0 + timedelta(days=1)).date()
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        campaign = service.create(ctx, name="Espresso", goal="sales", starts_on=first,
                                  ends_on=first + timedelta(days=9), budget=50.0, targets={"roas": 50.0})
        common = {"campaign_id": campaign.id, "channel_id": world.channels["instagram"], "starts_on": first,
                  "days": 10, "bid_cpm": 9.0}
        a = sandbox_ads.create(ctx, name="Video", text="Fresh espresso and coffee, roasted on Monday #coffee",
                               daily_budget=4.0, targeting=Targeting(), creative_quality=0.3, **common)  # type: ignore[arg-type]
        b = sandbox_ads.create(ctx, name="Carousel", text="Fresh espresso and coffee, roasted on Monday #coffee",
                               daily_budget=4.0, targeting=Targeting(), creative_quality=0.9, **common)  # type: ignore[arg-type]
        assert session.scalars(select(AdResult).where(AdResult.ad_id == a.id)).all() == []  # nothing yet
        with pytest.raises(ValidationFailed, match="play money left"):
            sandbox_ads.create(ctx, name="Huge", text="x", daily_budget=5000.0, targeting=Targeting(), **common)  # type: ignore[arg-type]
        with pytest.raises(ValidationFailed, match="unknown interests"):
            sandbox_ads.create(ctx, name="Odd", text="x", daily_budget=1.0, targeting=Targeting(interests=("yoga",)),
                               **common)  # type: ignore[arg-type]
        a_id, b_id, campaign_id = a.id, b.id, campaign.id
    clock.set(T0 + timedelta(days=6))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        sandbox_ads.refresh_all(ctx)
        rows = session.scalars(select(AdResult).where(AdResult.ad_id == a_id)).all()
        assert len(rows) == 5 and all(r.source == "sandbox" for r in rows)  # 3–7 March: the days that ended
        shown = service.view(ctx, campaign_id)
        # Two ads at 4 a day against a budget of 50 over 10 days (5 a day): over pace.
        assert shown.pacing.status == "over" and shown.pacing.projected_end > 55
        raised = alerts.check(ctx, service.get(ctx, campaign_id))
        comparison = service.compare_ads(ctx, a_id, b_id, "ctr")
    assert any("over budget pace" in m for m in raised)
    assert comparison.a.trials > 0 and comparison.verdict in ("not_enough_data", "b_higher")
    with database.unit_of_work() as session:
        kinds = {n.kind for n in session.scalars(select(Notification))}
    assert "campaign_kpi" in kinds  # a ROAS target of 50 is missed


def test_the_hourly_job_brings_sandbox_ads_up_to_date(database: Database, clock: ManualClock) -> None:
    from socialdesk.campaigns import tasks

    world = make_world(database, "Roastery", profiles=("x",), audience=2000)
    first = (T0 + timedelta(days=1)).date()
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        campaign = service.create(ctx, name="Job", starts_on=first, ends_on=first + timedelta(days=5), budget=30.0)
        ad = sandbox_ads.create(ctx, campaign_id=campaign.id, channel_id=world.channels["x"], name="One",
                                text="Coffee beans #coffee", starts_on=first, days=6, daily_budget=5.0, bid_cpm=9.0,
                                targeting=Targeting())
        ad_id = ad.id
    clock.set(T0 + timedelta(days=4))
    tasks.check_all()
    with database.unit_of_work() as session:
        assert len(session.scalars(select(AdResult).where(AdResult.ad_id == ad_id)).all()) == 3
    tasks.check_all()  # safe to run twice: the same rows
    with database.unit_of_work() as session:
        assert len(session.scalars(select(AdResult).where(AdResult.ad_id == ad_id)).all()) == 3


def test_a_cost_per_conversion_from_two_conversions_has_no_interval() -> None:
    """42 ad-days with 2 conversions: resampling divides by zero in most draws, so no interval is shown."""
    from socialdesk.analytics.definitions import METRICS
    from socialdesk.campaigns.metrics import estimate

    rows = [{"spend": 5.0, "conversions": 1.0 if day in (3, 30) else 0.0} for day in range(42)]
    found = estimate(METRICS["cpa"], rows)
    assert found.value == pytest.approx(105.0)
    assert found.low is None and found.high is None
    assert "2 rows with conversions" in found.interval_text
    steady = estimate(METRICS["cpa"], [{"spend": 5.0, "conversions": 1.0 + day % 3} for day in range(42)])
    assert steady.low is not None and steady.low < steady.value < steady.high


def _two_published_variants(database: Database) -> tuple[World, list[str]]:
    """Two published posts on X: 800 and 1,200 of 40,000 people reached engaged (2 % and 3 %)."""
    from socialdesk.analytics.models import PublicationMetricSnapshot
    from socialdesk.content.models import Post, Publication, PublicationStatus

    world = make_world(database, profiles=("x",))
    ids = []
    with database.unit_of_work() as session:
        for n, (likes, reach) in enumerate(((800, 40_000), (1_200, 40_000))):
            post = Post(workspace_id=world.workspace_id, text=f"Variant {n}", scheduled_at=T0)
            session.add(post)
            session.flush()
            publication = Publication(workspace_id=world.workspace_id, post_id=post.id,
                                      channel_id=world.channels["x"], scheduled_at=T0, published_at=T0,
                                      status=PublicationStatus.PUBLISHED, external_id=f"x-{n}")
            session.add(publication)
            session.flush()
            # An older snapshot is ignored: the newest numbers decide.
            for hours, scale in ((1, 0.1), (48, 1.0)):
                session.add(PublicationMetricSnapshot(
                    workspace_id=world.workspace_id, publication_id=publication.id,
                    collected_at=T0 + timedelta(hours=hours), likes=int(likes * scale), reposts=0, comments=0,
                    saves=None, quotes=None, clicks=5, impressions=80_000, reach=int(reach * scale)))
            ids.append(publication.id)
    return world, ids


def test_two_posts_are_compared_like_two_ads(database: Database) -> None:
    world, ids = _two_published_variants(database)
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        result = service.compare_posts(ctx, ids[0], ids[1])
        # 2 % against 3 % of 40,000 people (enough to tell a 20 % lift): B − A = 1 point, Wald interval by hand.
        se = ((0.02 * 0.98 + 0.03 * 0.97) / 40_000) ** 0.5 * 100
        assert result.difference == pytest.approx(1.0) and result.low == pytest.approx(1.0 - 1.959964 * se, abs=1e-3)
        assert result.verdict == "b_higher"
        assert result.a.label.startswith("A: ") and result.a.label.endswith(": Variant 0")  # side, channel, text
        assert service.compare_posts(ctx, ids[0], ids[1], "ctr").verdict == "not_enough_data"
        with pytest.raises(ValidationFailed):
            service.compare_posts(ctx, ids[0], ids[0])
        with pytest.raises(ValidationFailed):
            service.compare_posts(ctx, ids[0], ids[1], "likes")


def test_the_campaigns_page_compares_two_posts(database: Database) -> None:
    world, ids = _two_published_variants(database)
    client, _ = signed_in_client(database, world.users["viewer"])
    page = f"/w/{world.workspace_id}/campaigns"
    shown = client.get(page, params={"pa": ids[0], "pb": ids[1]})
    assert shown.status_code == 200
    assert "B is higher" in shown.text or "b_higher" in shown.text
    assert "+1.00 points" in shown.text and "Variant 0" in shown.text and "A: A:" not in shown.text
    # What a person can get wrong is said on the page, never a 500.
    for params, said in (({"pa": ids[0], "pb": ids[0]}, "Compare two different posts."),
                         ({"pa": ids[0]}, "Choose two posts, A and B."),
                         ({"pa": ids[0], "pb": ids[1], "pmetric": "likes"}, "Compare posts by"),
                         ({"pa": ids[0], "pb": "no-such-post"}, "publication")):
        answer = client.get(page, params=params)
        assert answer.status_code == 200 and said in answer.text, params
