"""Saved audiences: checked specs, suggestions from the inbox and the sandbox audience, Meta's reach
estimate (contract server), the sandbox's exact count, and boosting with a saved audience."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from socialdesk.campaigns import ad_requests, audiences
from socialdesk.channels.models import Channel
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, ServiceUnavailable, ValidationFailed
from socialdesk.inbox.models import InboxItem
from tests.campaigns.test_meta_ads import _published
from tests.helpers import make_world

SPEC = {"locations": "hr, DE", "age_min": 25, "age_max": 44, "genders": ["female"], "languages": "hr,de",
        "interests": ["6003107902433:Coffee"]}


def test_a_spec_is_checked_and_cleaned(database: Database) -> None:
    w = make_world(database, profiles=())
    with database.unit_of_work() as session:
        ctx = w.ctx(session, "editor")
        saved = audiences.save(ctx, name="  Coffee  lovers ", spec=SPEC)
        assert saved.name == "Coffee lovers"
        assert saved.spec["locations"] == ["HR", "DE"] and saved.spec["languages"] == ["hr", "de"]
        for bad, message in ((({"locations": "Croatia"}), "two-letter countries"),
                             ({"age_min": 40, "age_max": 20}, "youngest first"),
                             ({"genders": "other"}, "female and/or male"),
                             ({"languages": "Croatian"}, "ISO 639-1"),
                             ({"custom_audiences": "abc"}, "audience ids")):
            with pytest.raises(ValidationFailed, match=message):
                audiences.save(ctx, name="Bad", spec=bad)
        with pytest.raises(Conflict, match="exists already"):
            audiences.save(ctx, name="coffee LOVERS", spec={})
    targeting = audiences.meta_targeting(saved.spec)
    assert targeting == {"age_min": 25, "age_max": 44, "geo_locations": {"countries": ["HR", "DE"]}, "genders": [2],
                         "flexible_spec": [{"interests": [{"id": "6003107902433", "name": "Coffee"}]}]}


def test_suggestions_come_from_the_inbox_and_the_sandbox_audience(database: Database) -> None:
    w = make_world(database, profiles=("instagram",))
    with database.unit_of_work() as session:
        ctx = w.ctx(session)
        for n, language in enumerate(["hr"] * 6 + ["en"] * 3 + ["de"]):
            session.add(InboxItem(workspace_id=w.workspace_id, channel_id=w.channels["instagram"], kind="comment",
                                  external_id=f"c{n}", author_external_id="a", author_handle="a", text="hi",
                                  language=language, received_at=clock.now() - timedelta(days=1)))
        session.flush()
        found = audiences.suggest(ctx)
    assert found["sources"][0] == "10 inbox messages of the last 90 days"
    assert any("simulated audience" in s for s in found["sources"])
    assert found["languages"] and found["countries"] and found["time_zones"] and found["interests"]
    assert abs(sum(s for _, s in found["countries"]) - 1) < 0.2  # shares of the whole (top 8)
    assert found["proposal"]["languages"][0] == found["languages"][0][0]
    # The proposal is a valid spec as it is.
    with database.unit_of_work() as session:
        audiences.save(w.ctx(session), name="Suggested", spec=found["proposal"])


def test_the_sandbox_counts_the_audience_and_narrower_is_smaller(database: Database) -> None:
    w = make_world(database, profiles=("instagram",))
    with database.unit_of_work() as session:
        ctx = w.ctx(session)
        channel = session.get(Channel, w.channels["instagram"])
        assert channel is not None
        wide = audiences.save(ctx, name="Everyone", spec={})
        narrow = audiences.save(ctx, name="Young", spec={"age_min": 18, "age_max": 24})
        everyone = audiences.estimate_sandbox(ctx, wide.id, channel.id)
        young = audiences.estimate_sandbox(ctx, narrow.id, channel.id)
    assert everyone["source"] == "sandbox" and 0 < young["lower"] < everyone["lower"] <= 3000


def test_metas_reach_estimate_and_a_boost_with_a_saved_audience(database: Database, meta: Any) -> None:
    meta.marketing.people = {"HR": 2_000_000, "DE": 40_000_000}
    w = make_world(database, "Roastery", profiles=())
    with database.unit_of_work() as session:
        ctx = w.ctx(session)
        audience_id = audiences.save(ctx, name="Coffee lovers", spec=SPEC).id
        estimate = audiences.estimate_meta(ctx, audience_id, token=meta.token, ad_account="111")
    # 42 M people × 20/53 of the age span × ½ (one gender) × 0.1 (one interest group), ±15 %.
    expected = 42_000_000 * 20 / 53 * 0.5 * 0.1
    assert estimate["lower"] == int(expected * 0.85) and estimate["upper"] == int(expected * 1.15)
    call = meta.graph.server.calls_to("GET", r"/v\d+\.\d+/act_111/reachestimate$")[0]
    assert '"countries": ["HR", "DE"]' in call.query["targeting_spec"]
    with database.unit_of_work() as session:
        ctx = w.ctx(session)
        custom = audiences.save(ctx, name="Buyers", spec={"locations": "HR", "custom_audiences": "23850001"}).id
        with pytest.raises(ServiceUnavailable, match="no estimate"):
            audiences.estimate_meta(ctx, custom, token=meta.token, ad_account="111")
        no_country = audiences.save(ctx, name="Zones", spec={"locations": "Europe/Zagreb"}).id
        with pytest.raises(ValidationFailed, match="at least one country"):
            audiences.estimate_meta(ctx, no_country, token=meta.token, ad_account="111")
    campaign_id, publication_id = _published(database, w, meta.page["id"])
    with database.unit_of_work() as session:
        request = ad_requests.request_boost(w.ctx(session), campaign_id=campaign_id, publication_id=publication_id,
                                            token=meta.token, ad_account="111", daily_budget=5.0, days=3,
                                            audience_id=audience_id)
        assert request.params["audience"] == "Coffee lovers"
        assert request.params["targeting"]["geo_locations"] == {"countries": ["HR", "DE"]}


def test_the_cli_saves_an_audience_and_boosts_with_it(database: Database, meta: Any) -> None:
    import json

    from typer.testing import CliRunner

    from socialdesk.cli import app

    w = make_world(database, "Roastery", profiles=())
    campaign_id, publication_id = _published(database, w, meta.page["id"])
    runner = CliRunner()
    saved = runner.invoke(app, ["ads", "audience-save", "-w", "Roastery", "--name", "Young Croatians", "--location",
                                "HR", "--age-min", "20", "--age-max", "30", "--gender", "female"])
    assert saved.exit_code == 0, saved.output
    bad = runner.invoke(app, ["ads", "audience-save", "-w", "Roastery", "--name", "X", "--language", "Croatian"])
    # (socialdesk.cli.main prints a DomainError as "error: …" with exit status 2)
    assert isinstance(bad.exception, ValidationFailed) and "ISO 639-1" in bad.exception.message
    listed = json.loads(runner.invoke(app, ["ads", "audiences", "-w", "Roastery", "--json"]).stdout)
    assert [a["name"] for a in listed["audiences"]] == ["Young Croatians"]
    boosted = runner.invoke(app, ["ads", "boost", "-w", "Roastery", "-c", campaign_id, "--token", meta.token,
                                  "--ad-account", "111", "--publication", publication_id, "--daily-budget", "5",
                                  "--audience", "Young Croatians"])
    assert boosted.exit_code == 0, boosted.output
    adset = meta.marketing.of("adset", "act_111")[0]
    assert adset["targeting"] == {"age_min": 20, "age_max": 30, "geo_locations": {"countries": ["HR"]},
                                  "genders": [2]}
    missing = runner.invoke(app, ["ads", "boost", "-w", "Roastery", "-c", campaign_id, "--token", meta.token,
                                  "--ad-account", "111", "--publication", publication_id, "--daily-budget", "5",
                                  "--audience", "Nobody"])
    assert "No saved audience named 'Nobody'" in str(getattr(missing.exception, "message", ""))
