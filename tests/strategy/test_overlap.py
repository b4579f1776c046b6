"""Personas with fields, and the audience overlap with them: the maths against numbers worked out by hand,
validation that says what to fix, and the platform comparison's recommendation that uses the overlap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialdesk.analytics.post_values import PostRecord
from socialdesk.channels.models import Channel
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.networks.base import POST_METRICS
from socialdesk.strategy import audience, overlap, personas, platforms, service
from socialdesk.strategy.audience import Tally
from tests.helpers import make_world
from tests.strategy.test_audience_platforms import _messages, _published


def test_wilson_interval_by_hand() -> None:
    # 60 of 100, z = 1.96: centre (0.6 + 3.8415/200) / 1.038415 = 0.59630, half-width 1.88749 × 0.049960 = 0.09430.
    low, high = overlap.wilson(60, 100)
    assert low == pytest.approx(0.5020, abs=1e-4) and high == pytest.approx(0.6906, abs=1e-4)
    assert overlap.wilson(0, 50)[0] == 0.0 and overlap.wilson(50, 50)[1] == 1.0


def test_age_buckets_count_by_the_years_covered() -> None:
    assert overlap.age_fraction("35-44", 25, 40) == pytest.approx(6 / 10)  # 35..40 of 35..44
    assert overlap.age_fraction("18-24", 25, 40) == 0.0
    assert overlap.age_fraction("65+", 60, 100) == 1.0
    assert overlap.age_fraction("13-17", 16, 30) == pytest.approx(2 / 5)
    assert overlap.age_fraction("U", 20, 30) is None


def _persona(**fields: object) -> personas.Persona:
    return personas.clean("Busy parent", "", **fields)  # type: ignore[arg-type]


def test_demographic_shares_by_hand() -> None:
    persona = _persona(age_min=25, age_max=40, genders="female", countries="hr")
    age = overlap.demographic_part("age", Tally({"18-24": 100, "25-34": 200, "35-44": 100}, 400), persona, True)
    # 200 + 100 × 6/10 = 260 of 400.
    assert age.status == "ok" and age.share == pytest.approx(0.65) and age.n == 400
    low, high = overlap.wilson(260, 400)
    assert (age.low, age.high) == (pytest.approx(low), pytest.approx(high))
    gender = overlap.demographic_part("gender", Tally({"female": 60, "male": 30, "unknown": 10}, 100), persona, True)
    assert gender.share == pytest.approx(0.6)  # people of unknown gender count in n, never as a match
    country = overlap.demographic_part("country", Tally({"HR": 90, "SI": 10}, 100), persona, True)
    assert country.share == pytest.approx(0.9)
    # YouTube gives per cent; n is the views they are of.
    yt = overlap.demographic_part("gender", Tally({"female": 42.5, "male": 57.5}, 800), persona, True)
    assert yt.share == pytest.approx(0.425) and yt.n == 800
    assert overlap.demographic_part("age", None, persona, False).status == "unknown for this network"
    assert overlap.demographic_part("age", None, persona, True).status == "not enough data"
    few = overlap.demographic_part("country", Tally({"HR": 20}, 20), persona, True)
    assert few.status == "not enough data" and few.share is None and few.n == 20


def test_language_hours_and_the_overall_share_by_hand() -> None:
    persona = _persona(languages="hr", timezone="Europe/Zagreb", countries="HR")
    at = datetime(2026, 12, 1, tzinfo=UTC)
    # 40 messages: 30 in Croatian (triage says "hbs" for 10 of them), 10 in English; 32 sent at 10:00 UTC
    # (11:00 in Zagreb, awake) and 8 at 02:00 UTC (03:00, asleep).
    messages = ([("hr", at + timedelta(hours=10))] * 20 + [("hbs", at + timedelta(hours=10))] * 10
                + [("en", at + timedelta(hours=10))] * 2 + [("en", at + timedelta(hours=2))] * 8)
    audience_ = overlap.NetworkAudience("facebook", "Facebook", messages,
                                        {"country": Tally({"HR": 80, "AT": 20}, 100)}, True)
    found = overlap.fit(persona, audience_)
    parts = {p.what: p for p in found.parts}
    assert parts["language"].share == pytest.approx(30 / 40) and parts["language"].n == 40
    assert parts["waking hours"].share == pytest.approx(32 / 40)
    assert parts["country"].share == pytest.approx(0.8)
    assert found.status == "ok" and found.share == pytest.approx(0.75 * 0.8 * 0.8)
    assert found.low == pytest.approx(parts["language"].low * parts["waking hours"].low * parts["country"].low)
    assert "taken as independent" in found.text and "Facebook" in found.text
    # Too few messages: not enough data, and the other fields still count.
    thin = overlap.fit(persona, overlap.NetworkAudience("x", "X", messages[:10], {}, False))
    statuses = {p.what: p.status for p in thin.parts}
    assert statuses == {"language": "not enough data", "waking hours": "not enough data",
                        "country": "unknown for this network"}
    assert thin.status == "not enough data" and thin.share is None and thin.text.startswith("Not enough data")


def test_interests_share_of_engagements_by_hand() -> None:
    persona = _persona(interests="kava, home brewing")
    now = datetime(2026, 12, 1, tzinfo=UTC)

    def post(text: str, likes: int, tags: list[str] | None = None) -> PostRecord:
        return PostRecord("p" + text, "p" + text, "c1", "instagram", now, text, "text", 100,
                          {**dict.fromkeys(POST_METRICS), "likes": likes, "comments": 0, "reposts": 0}, tags or [])

    records = [post("Nova kavu iz Brazila", 30), post("Home brewing guide", 20), post("Brewing at home", 5),
               post("Team photo", 25), post("Sale", 10, ["kava"]), post("Office", 10)]
    part = overlap.interests_part(records, persona)
    # kavu (a form of kava), "home brewing" (both words), #kava: 30 + 20 + 5 + 10 of 100 engagements.
    assert part.status == "ok" and part.share == pytest.approx(65 / 100) and part.n == 6
    assert part.low is not None and part.low <= 0.65 <= part.high
    assert overlap.interests_part(records[:3], persona).status == "not enough data"


def test_persona_validation_says_what_to_fix() -> None:
    good = personas.clean(" Busy  parent ", "Wants quick tips", languages="hr, EN", countries="hr si",
                          timezone="Europe/Zagreb", age_min="25", age_max=40, genders=["F"],
                          interests="#Kava, home brewing")
    assert (good.name, good.languages, good.countries, good.genders, good.interests) == (
        "Busy parent", ["hr", "en"], ["HR", "SI"], ["female"], ["kava", "home brewing"])
    assert good.age_range == "25–40" and good.id
    cases = [({"languages": "croatian"}, "Languages: 'croatian' is not a language code"),
             ({"countries": "Croatia"}, "two-letter ISO 3166 codes"),
             ({"timezone": "Zagreb"}, "Time zone: Unknown time zone 'Zagreb'"),
             ({"age_min": "forty"}, "whole number of years"),
             ({"age_min": 8}, "between 13 and 100"),
             ({"age_min": 40, "age_max": 25}, "must not be above the oldest"),
             ({"genders": "robot"}, "choose female, male"),
             ({"interests": "x" * 41}, "at most 40 characters")]
    for fields, message in cases:
        with pytest.raises(ValidationFailed, match=message):
            personas.clean("Busy parent", **fields)  # type: ignore[arg-type]
    assert personas.clean("P", genders="female, male").genders == []  # both: everyone


def test_demographic_tallies_are_read_one_way_for_every_network() -> None:
    yt = Channel(network="youtube", name="Tube", settings={"account_details": {
        "audience": {"age": {"age18-24": 40.0, "age65-": 10.0}, "gender": {"female": 45.0, "male": 55.0},
                     "country": {"HR": 700, "DE": 300}},
        "audience_base": {"age": 1000, "gender": 1000, "country": 1000}}})
    tallies = audience.demographic_tallies(yt)
    assert tallies["age"].counts == {"18-24": 40.0, "65+": 10.0} and tallies["age"].n == 1000
    shown, source = audience._demographics(yt)
    assert [s.label for s in shown["gender"]] == ["male", "female"] and "ageGroup" in source
    fb = Channel(network="facebook", name="Page", settings={"account_details": {
        "audience": {"country": {"HR": 150, "SI": 50}, "city": {"Zagreb, Croatia": 120}}}})
    assert audience.demographic_tallies(fb)["country"].n == 200
    assert "page_follows_country" in audience._demographics(fb)[1]
    vk = Channel(network="vk", name="Club", settings={"account_details": {"days": [{
        "sex_age": [{"value": "f;18-21", "count": 3}, {"value": "m;18-21", "count": 1}],
        "countries": [{"name": "Russia", "code": "RU", "count": 4}]}]}})
    vk_tallies = audience.demographic_tallies(vk)
    assert vk_tallies["gender"].counts == {"female": 3, "male": 1} and vk_tallies["country"].counts == {"RU": 4}
    assert audience.demographic_tallies(Channel(network="sandbox", name="S", settings={})) == {}


def test_the_comparison_shows_the_overlap_and_the_recommendation_uses_it(database: Database,
                                                                        clock: ManualClock) -> None:
    world = make_world(database, profiles=("x", "instagram"), roles=())
    for i, (a, b) in enumerate(zip([40, 50, 45, 55, 60, 48], [10, 12, 8, 11, 9, 10], strict=True)):
        _published(database, world, clock, f"Instagram {i}", ["instagram"], 10 + i, {"instagram": a})
        _published(database, world, clock, f"X kava {i}", ["x"], 10 + i, {"x": b})
    _messages(database, world, "instagram", "en", list(range(5, 23)), 3, clock)  # English, Zagreb's day
    _messages(database, world, "x", "hr", list(range(5, 23)), 3, clock)  # Croatian, Zagreb's day
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        without = platforms.compare(ctx, days=30)
        assert without.overlap == [] and "none compared" in without.recommendation.text
        service.add_persona(ctx, "Croatian coffee lover", languages="hr", timezone="Europe/Zagreb",
                            countries="HR", interests="kava")
        with pytest.raises(Conflict):
            service.add_persona(ctx, "croatian coffee lover")
        result = platforms.compare(ctx, days=30)
    fits = {f.network: f for f in result.overlap}
    x, insta = fits["x"], fits["instagram"]
    x_parts, insta_parts = {p.what: p for p in x.parts}, {p.what: p for p in insta.parts}
    assert x_parts["language"].share == 1.0 and insta_parts["language"].share == 0.0
    assert x_parts["country"].status == "unknown for this network"  # sandbox channels give no demographics
    assert x_parts["interests"].share == 1.0 and insta_parts["interests"].share == 0.0
    # 05-22 UTC is 06-23 in Zagreb: 16 of the 18 hours are between 07:00 and 23:00.
    assert x_parts["waking hours"].share == pytest.approx(16 / 18)
    assert x.share == pytest.approx(16 / 18) and insta.share == 0.0
    reco = result.recommendation
    assert reco.network == "instagram" and reco.confidence == "clear"  # by engagements per post
    assert "but for Croatian coffee lover X's audience matches clearly better, 89%" in reco.text
    assert "Audience overlap with the target personas" in reco.text and reco.overlap
    body = result.as_dict()
    assert body["audience_overlap"][0]["parts"][0]["what"] == "language"
    assert body["recommendation"]["audience_overlap"] == reco.overlap


def test_channels_of_one_network_are_added_up_by_their_n(database: Database) -> None:
    world = make_world(database, profiles=(), roles=())
    per_cent = Channel(id="c-yt1", network="youtube", name="Tube", settings={"account_details": {
        "audience": {"gender": {"female": 40.0, "male": 60.0}}, "audience_base": {"gender": 1000}}})
    counted = Channel(id="c-yt2", network="youtube", name="Tube 2", settings={"account_details": {
        "audience": {"gender": {"female": 150, "male": 50}}}})
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with database.unit_of_work() as s:
        found = overlap.network_audiences(world.ctx(s), {"youtube": [per_cent, counted]}, now - timedelta(days=30),
                                          now, [])
    gender = found["youtube"].demographics["gender"]
    # 40 % of 1000 viewers + 150 of 200 followers = 550 of 1200.
    assert gender.n == 1200 and gender.counts["female"] == pytest.approx(550)
    part = overlap.demographic_part("gender", gender, _persona(genders="female"), True)
    assert part.share == pytest.approx(550 / 1200)
