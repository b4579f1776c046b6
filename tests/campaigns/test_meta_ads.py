"""Meta Marketing API against the contract server (tests/contract/meta_ads.py): a boost is made exactly
once even when an answer is lost, pause/resume, paginated daily insights imported without doubling, and
the ad account's usage header respected."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from socialdesk.campaigns import meta_ads, service
from socialdesk.campaigns.models import Ad
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core.crypto import encrypt_json
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.base import RateLimited
from socialdesk.networks.meta.marketing import MarketingClient
from tests.helpers import World, make_world

TARGETING = {"geo_locations": {"countries": ["HR"]}, "age_min": 25, "age_max": 44}


def _published(database: Database, world_: World, page_id: str) -> tuple[str, str]:
    with database.unit_of_work() as session:
        ctx = world_.ctx(session)
        channel = Channel(workspace_id=world_.workspace_id, network="facebook", name="Roastery page",
                          handle="roastery", external_id=page_id, credentials_encrypted=encrypt_json({}))
        session.add(channel)
        session.flush()
        post = Post(workspace_id=world_.workspace_id, text="Our winter espresso is here")
        session.add(post)
        session.flush()
        publication = Publication(workspace_id=world_.workspace_id, post_id=post.id, channel_id=channel.id,
                                  status=PublicationStatus.PUBLISHED, external_id=f"{page_id}_555",
                                  published_at=datetime(2026, 3, 1, tzinfo=UTC))
        session.add(publication)
        campaign = service.create(ctx, name="Winter", goal="engagement", budget=300.0)
        session.flush()
        return campaign.id, publication.id


def test_boosting_a_post_makes_one_of_each_even_when_an_answer_is_lost(database: Database, meta: Any) -> None:
    w = make_world(database, "Roastery", profiles=())
    campaign_id, publication_id = _published(database, w, meta.page["id"])
    meta.graph.server.lose_answer("POST", r"/v\d+\.\d+/act_111/ads$")
    with database.unit_of_work() as session:
        ad = meta_ads.boost(w.ctx(session), campaign_id=campaign_id, publication_id=publication_id, token=meta.token,
                            ad_account="111", daily_budget=10.0, days=7, targeting=TARGETING)
        ad_id = ad.id
    made = [len(meta.marketing.of(k, "act_111")) for k in ("campaign", "adset", "adcreative", "ad")]
    assert made == [1, 1, 1, 1]
    creative = meta.marketing.of("adcreative", "act_111")[0]
    assert creative["object_story_id"] == f"{meta.page['id']}_555"
    adset = meta.marketing.of("adset", "act_111")[0]
    assert adset["daily_budget"] == "1000" and adset["targeting"]["geo_locations"] == {"countries": ["HR"]}
    # Boosting again (a second click, a retried job) finds the boost and makes nothing.
    with database.unit_of_work() as session:
        again = meta_ads.boost(w.ctx(session), campaign_id=campaign_id, publication_id=publication_id, token=meta.token,
                               ad_account="111", daily_budget=10.0, days=7, targeting=TARGETING)
        assert again.id == ad_id
    assert len(meta.graph.server.calls_to("POST", r"/v\d+\.\d+/act_111/ads$")) == 1
    assert len(meta.marketing.of("ad", "act_111")) == 1
    # Pause and resume.
    with database.unit_of_work() as session:
        meta_ads.set_status(w.ctx(session), ad_id, token=meta.token, active=True)
    assert meta.marketing.of("ad", "act_111")[0]["status"] == "ACTIVE"
    with database.unit_of_work() as session:
        assert meta_ads.set_status(w.ctx(session), ad_id, token=meta.token, active=False).status == "paused"
    assert meta.marketing.of("ad", "act_111")[0]["status"] == "PAUSED"


def test_a_boost_is_refused_before_any_call_when_it_cannot_be_made(database: Database, meta: Any) -> None:
    w = make_world(database, "Roastery", profiles=())
    campaign_id, publication_id = _published(database, w, meta.page["id"])
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="at least one country"):
        meta_ads.boost(w.ctx(session), campaign_id=campaign_id, publication_id=publication_id, token=meta.token,
                       ad_account="111", daily_budget=10.0, days=7, targeting={"age_min": 20})
    assert meta.graph.server.calls_to("POST", r".*") == []


def test_daily_insights_are_paged_and_a_second_import_replaces(database: Database, meta: Any) -> None:
    w = make_world(database, "Roastery", profiles=())
    start = date(2026, 1, 1)
    for n in range(2):
        ad = meta.world.add("ad", {"name": f"Ad {n}", "status": "ACTIVE", "effective_status": "ACTIVE",
                              "account": "act_111"})
        for d in range(60):  # 120 rows: two pages of 100
            meta.marketing.add_daily(ad, start + timedelta(days=d), spend="2.50", impressions=500, reach=400,
                                     clicks=12,
                                inline_link_clicks=8,
                                actions=[{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "1"}],
                                action_values=[{"action_type": "offsite_conversion.fb_pixel_purchase",
                                                "value": "20.00"}])
    with database.unit_of_work() as session:
        ctx = w.ctx(session)
        campaign = service.create(ctx, name="Always on", budget=1000.0)
        assert meta_ads.import_insights(ctx, token=meta.token, ad_account="111", since=start,
                                        until=start + timedelta(days=59), campaign_id=campaign.id) == 120
        meta_ads.import_insights(ctx, token=meta.token, ad_account="111", since=start + timedelta(days=50),
                                 until=start + timedelta(days=59), campaign_id=campaign.id)
        summary = service.view(ctx, campaign.id).summary()
    assert len(meta.graph.server.calls_to("GET", r"/v\d+\.\d+/act_111/insights$")) == 3  # 2 pages, then 1
    assert summary["rows"] == 120 and summary["spend"] == pytest.approx(300.0)
    assert summary["roas"] == pytest.approx(2400 / 300) and summary["ctr"] == pytest.approx(8 / 500 * 100)
    insights = meta.graph.server.calls_to("GET", r"/v\d+\.\d+/act_111/insights$")[0]
    assert json.loads(insights.query["time_range"]) == {"since": "2026-01-01", "until": "2026-03-01"}


def test_the_ad_account_usage_header_stops_the_client(meta: Any) -> None:
    meta.marketing.usage_pct = 97
    with MarketingClient(meta.token, "111") as client, pytest.raises(RateLimited) as refused:
        client.campaigns()
    assert refused.value.retry_after == 120


def test_without_ads_management_a_boost_is_refused_with_metas_words(database: Database, meta: Any) -> None:
    w = make_world(database, "Roastery", profiles=())
    campaign_id, publication_id = _published(database, w, meta.page["id"])
    reader = meta.world.user_token(meta.page["admins"][0], scopes=("ads_read",))
    with database.unit_of_work() as session, pytest.raises(Exception, match="ads_management"):
        meta_ads.boost(w.ctx(session), campaign_id=campaign_id, publication_id=publication_id, token=reader,
                       ad_account="111", daily_budget=10.0, days=7, targeting=TARGETING)
    with database.unit_of_work() as session:
        assert session.query(Ad).count() == 0
