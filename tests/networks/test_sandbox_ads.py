"""The sandbox ad auction responds to budget, bid and targeting as docs/sandbox.md ("Ads") says, with
the same results for the same seed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from socialdesk.networks.sandbox import ads
from socialdesk.networks.sandbox.audience import AccountParams, Population, population

START = date(2026, 11, 2)
COFFEE = "Fresh espresso and coffee beans, roasted every Monday. Come taste our new blend! #coffee"
TECH = "Our new app update: faster sync, dark mode and a smarter code editor for developers. #tech"


def _pop(seed: int = 11, size: int = 6000) -> Population:
    settings = {"languages": {"hr": 0.6, "en": 0.4}, "timezone": "Europe/Zagreb", "topics": ["food", "travel"]}
    return population(AccountParams.from_settings("adtest", seed, size, datetime(2026, 1, 1, tzinfo=UTC), settings))


def _total(rows: list[dict], key: str) -> float:
    return sum(float(r.get(key, 0)) for r in rows)


def _spec(**changes: object) -> ads.AdSpec:
    base: dict[str, object] = {"ad_id": "ad-1", "text": COFFEE, "starts_on": START, "days": 7, "daily_budget": 4.0,
                               "bid_cpm": 9.0}
    base.update(changes)
    return ads.AdSpec(**base)  # type: ignore[arg-type]


def test_results_have_the_shape_of_meta_insights_and_the_seed_fixes_them() -> None:
    rows = ads.deliver(_pop(), _spec())
    assert [r["date_start"] for r in rows] == [(START + timedelta(days=d)).isoformat() for d in range(7)]
    for row in rows:
        assert {"date_start", "date_stop", "spend", "impressions", "reach", "clicks", "inline_link_clicks",
                "actions", "action_values"} <= row.keys()
        assert isinstance(row["spend"], str) and int(row["reach"]) <= int(row["impressions"])
    assert ads.deliver(_pop(), _spec()) == rows
    assert ads.deliver(_pop(seed=12), _spec()) != rows


def test_a_day_never_spends_more_than_its_budget_and_more_budget_buys_more_until_the_audience_runs_out() -> None:
    pop = _pop()
    spent = {}
    for budget in (2.0, 4.0, 200.0, 400.0):
        rows = ads.deliver(pop, _spec(daily_budget=budget))
        assert all(float(r["spend"]) <= budget for r in rows)
        spent[budget] = (_total(rows, "spend"), _total(rows, "impressions"))
    assert spent[4.0][1] > spent[2.0][1] * 1.6  # budget-limited: twice the budget, about twice the impressions
    assert spent[400.0][1] == pytest.approx(spent[200.0][1], rel=0.05)  # the audience is exhausted: no more to buy
    assert spent[200.0][0] < 200.0 * 7 / 2  # ...and the unspent budget is not charged


def test_a_low_bid_loses_the_auction() -> None:
    pop = _pop()
    low = ads.deliver(pop, _spec(bid_cpm=1.0, daily_budget=200.0))
    high = ads.deliver(pop, _spec(bid_cpm=20.0, daily_budget=200.0))
    assert _total(low, "impressions") < _total(high, "impressions") / 5
    for rows, bid in ((low, 1.0), (high, 20.0)):  # never pays more than the bid per 1,000 impressions
        assert _total(rows, "spend") <= _total(rows, "impressions") / 1000 * bid + 0.05


def test_targeting_narrows_the_audience() -> None:
    pop = _pop()
    everyone = ads.estimated_audience(pop, ads.Targeting())
    croatia = ads.estimated_audience(pop, ads.Targeting(locations=("HR",)))
    young_croatian_speakers = ads.estimated_audience(pop, ads.Targeting(locations=("HR",), languages=("hr",),
                                                                        age_min=18, age_max=30))
    assert everyone > croatia > young_croatian_speakers > 0
    assert ads.estimated_audience(pop, ads.Targeting(locations=("BR",))) < everyone / 20
    with pytest.raises(ValueError, match="unknown interests"):
        ads.Targeting(interests=("knitting",)).check()


def test_clicks_follow_the_match_between_topic_and_interests_and_creative_quality() -> None:
    pop = _pop()
    food_fans = ads.Targeting(interests=("food",))
    matched = ads.deliver(pop, _spec(targeting=food_fans))
    mismatched = ads.deliver(pop, _spec(text=TECH, targeting=food_fans))
    ctr = lambda rows: _total(rows, "inline_link_clicks") / _total(rows, "impressions")  # noqa: E731
    assert ctr(matched) > ctr(mismatched) * 1.5
    poor = ads.deliver(pop, _spec(targeting=food_fans, creative_quality=0.0))
    great = ads.deliver(pop, _spec(targeting=food_fans, creative_quality=1.0))
    assert ctr(great) > ctr(poor) * 1.8


def test_frequency_fatigue_lowers_ctr_over_time() -> None:
    pop = _pop(size=1500)
    rows = ads.deliver(pop, _spec(days=14, daily_budget=100.0, bid_cpm=30.0))
    first = rows[:4]
    last = rows[-4:]
    ctr = lambda rs: _total(rs, "inline_link_clicks") / _total(rs, "impressions")  # noqa: E731
    assert ctr(last) < ctr(first) * 0.8
