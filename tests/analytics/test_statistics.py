"""Comparisons name a winner only when the data supports one; too little data says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from socialdesk.analytics import statistics as st
from socialdesk.analytics.dashboard import Breakdown, breakdowns
from socialdesk.analytics.definitions import METRICS
from socialdesk.analytics.periods import parse_period
from socialdesk.analytics.post_values import PostRecord, Sample
from socialdesk.core.errors import ValidationFailed


def _post(index: int, content_type: str, likes: int, hour: int = 9) -> PostRecord:
    at = datetime(2026, 3, 2, hour, tzinfo=UTC) + timedelta(days=index)
    return PostRecord(f"p{index}", f"post{index}", "c1", "x", at, "Hello", content_type, 1000,
                      {"likes": likes, "comments": 0, "reposts": 0, "quotes": 0, "saves": 0, "impressions": None,
                       "reach": None, "views": None, "clicks": None})


def _by_type(posts: list[PostRecord]) -> Breakdown:
    found = breakdowns(Sample.of(posts), METRICS["engagement_rate_followers"], "UTC")
    return next(b for b in found if b.key == "content_type")


def test_too_little_data_says_so_instead_of_naming_a_winner() -> None:
    # Videos look twice as good, but there are only three of them.
    posts = [_post(i, "video", 40) for i in range(3)] + [_post(10 + i, "image", 20) for i in range(8)]
    by_type = _by_type(posts)
    assert by_type.best is None
    assert by_type.conclusion.startswith("Not enough data")
    video = next(g for g in by_type.groups if g.label == "video")
    assert video.verdict == st.Verdict.NOT_ENOUGH_DATA and video.estimate.n == 3 and video.estimate.low is None
    assert st.verdict(st.mean_difference([4.0, 4.1, 3.9], [2.0, 2.1, 1.9, 2.2, 2.0, 1.8])) == st.Verdict.NOT_ENOUGH_DATA


def test_a_noisy_difference_is_no_clear_difference() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(2.0, 1.0, 12), rng.normal(2.1, 1.0, 12)
    assert st.verdict(st.mean_difference(a, b)) == st.Verdict.NO_CLEAR_DIFFERENCE


def test_a_clear_difference_names_the_better_group_with_its_interval() -> None:
    rng = np.random.default_rng(5)
    posts = ([_post(i, "video", int(v)) for i, v in enumerate(rng.normal(40, 4, 12))]
             + [_post(20 + i, "image", int(v)) for i, v in enumerate(rng.normal(20, 4, 12))])
    by_type = _by_type(posts)
    assert by_type.best == "video"
    video = next(g for g in by_type.groups if g.label == "video")
    assert video.verdict == st.Verdict.HIGHER and video.difference.low is not None and video.difference.low > 0
    assert "n = 12" in by_type.conclusion


def test_intervals_are_reproducible_and_cover_the_mean() -> None:
    values = np.random.default_rng(1).lognormal(0, 1, 40)
    first, second = st.mean_ci(values), st.mean_ci(values)
    assert first == second
    assert first.low is not None and first.high is not None and first.low < first.value < first.high
    ratio = st.ratio_ci([1, 2, 3, 4, 5, 6], [100, 100, 100, 100, 100, 100])
    assert ratio.value == pytest.approx(3.5) and ratio.low is not None and ratio.low < 3.5 < ratio.high
    assert st.adjusted_level(5) == pytest.approx(0.99)


def test_a_random_walk_forecast_widens_with_the_horizon() -> None:
    values = [1000 + 10 * day + (3 if day % 2 else -3) for day in range(29)]
    near = st.random_walk_forecast(values, 7, 1500)
    far = st.random_walk_forecast(values, 70, 1500)
    assert near is not None and far is not None
    assert near.value == pytest.approx(values[-1] + 7 * (values[-1] - values[0]) / 28)
    assert far.high - far.low > near.high - near.low
    assert far.probability > 0.99 and near.probability < 0.01  # +10 a day reaches 1,500 in 70 days, not in 7
    assert st.random_walk_forecast(values[:4], 7, 1500) is None  # too few days


@pytest.mark.parametrize(("text", "first", "last"), [
    ("2026-10", "2026-10-01", "2026-10-31"), ("2026-W43", "2026-10-19", "2026-10-25"),
    ("2026-02-01..2026-02-10", "2026-02-01", "2026-02-10")])
def test_periods(text: str, first: str, last: str) -> None:
    period = parse_period(text, "Europe/Zagreb")
    assert (period.first.isoformat(), period.last.isoformat()) == (first, last)
    assert period.key == text
    assert period.previous().next() == period


def test_a_wrong_period_is_explained() -> None:
    with pytest.raises(ValidationFailed, match="2026-W43"):
        parse_period("October", "UTC")


def test_large_samples_use_the_normal_approximation_which_agrees_with_the_bootstrap() -> None:
    rng = np.random.default_rng(8)
    den = rng.integers(500, 5000, 600).astype(float)
    num = den * rng.lognormal(np.log(0.02), 0.7, 600)
    normal = st.ratio_ci(num, den)
    boot = st.ratio_ci(num[:st.LARGE_SAMPLE - 1], den[:st.LARGE_SAMPLE - 1])  # bootstrap just below the switch
    assert normal.low is not None and boot.low is not None
    width_normal = (normal.high - normal.low) * np.sqrt(600)
    width_boot = (boot.high - boot.low) * np.sqrt(st.LARGE_SAMPLE - 1)
    assert width_normal == pytest.approx(width_boot, rel=0.2)  # same spread per √n
