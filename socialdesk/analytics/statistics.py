"""How sure a number is: bootstrap intervals, comparisons that may say "not enough data", forecasts.

Every interval is computed with a fixed seed, so the same data always gives the same interval (a
report sent twice does not change). Engagement rates per post are skewed (a few posts do much
better), so small samples get a percentile bootstrap rather than a normal approximation; from
LARGE_SAMPLE posts on, the normal approximation is as good and much cheaper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np


def _stats() -> Any:
    """scipy.stats, imported when an interval is first computed: the import takes about a second,
    and commands that never compute one (`socialdesk demo`, `doctor`) should not pay for it."""
    from scipy import stats

    return stats


SEED = 20261127
RESAMPLES = 2000
LEVEL = 0.95
# A group needs this many posts before we estimate anything about it.
MIN_POSTS = 5
LARGE_SAMPLE = 400


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def enough(self) -> bool:
        return self.value is not None and self.n >= MIN_POSTS and self.low is not None

    @classmethod
    def none(cls, n: int = 0) -> Estimate:
        return cls(None, None, None, n)


@lru_cache(maxsize=32)
def _indices(n: int, stream: int = 0) -> np.ndarray:
    """RESAMPLES resamples of n items (drawn once per size: a dashboard resamples the same posts for every
    metric). `stream` keeps independent samples independent when they have the same size."""
    drawn = np.random.default_rng([SEED, stream]).integers(0, n, size=(RESAMPLES, n), dtype=np.int32)
    drawn.flags.writeable = False
    return drawn


@lru_cache(maxsize=16)
def _draws(n: int, stream: int = 0) -> np.ndarray:
    """How often each of n items is drawn in each resample of `_indices(n, stream)` (RESAMPLES × n)."""
    rows = np.arange(RESAMPLES, dtype=np.intp)[:, None] * n
    counts = np.bincount((rows + _indices(n, stream)).ravel(), minlength=RESAMPLES * n)
    draws = counts.reshape(RESAMPLES, n).astype(float)
    draws.flags.writeable = False
    return draws


def _exact_in_any_order(x: np.ndarray) -> bool:
    """Whole numbers whose resampled sums stay below 2**53: every partial sum is then exact, so any order of
    the additions gives the same floats."""
    return bool(x.size and np.isfinite(x).all() and (x == np.round(x)).all()
                and np.abs(x).max() * x.size < 2.0**53)


@lru_cache(maxsize=256)
def _sums_of(data: bytes, stream: int) -> np.ndarray:
    x = np.frombuffer(data, dtype=float)
    if _exact_in_any_order(x):
        # Counts (engagements, reach, followers): one product with the draw counts, the very same sums as
        # gathering each resample and adding it up, at a sixth of the cost. einsum, not `@`: BLAS threads
        # spin on a busy machine and cost more CPU time than the gathering they replace.
        sums = np.einsum("ij,j->i", _draws(x.size, stream), x)
    else:
        sums = x[_indices(x.size, stream)].sum(axis=1)
    sums.flags.writeable = False
    return sums


def _resampled_sums(x: np.ndarray, stream: int = 0) -> np.ndarray:
    """Each resample's sum of x. Kept by content: a dashboard's rates share numerators and denominators
    (the same followers behind five rates), and the same posts come back on the next view; the result is
    the very same array of numbers as computing it again."""
    return _sums_of(np.ascontiguousarray(x, dtype=float).tobytes(), stream)


def _bounds(samples: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def mean_ci(values: Sequence[float] | np.ndarray, level: float = LEVEL) -> Estimate:
    """The mean of per-post values with its interval; no interval below MIN_POSTS values."""
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return Estimate.none()
    mean = float(x.mean())
    if n < MIN_POSTS:
        return Estimate(mean, None, None, n)
    if n >= LARGE_SAMPLE:
        half = _stats().norm.ppf(0.5 + level / 2) * x.std(ddof=1) / np.sqrt(n)
        return Estimate(mean, mean - half, mean + half, n)
    means = x[_indices(n)].mean(axis=1)
    return Estimate(mean, *_bounds(means, level), n)


def median_ci(values: Sequence[float] | np.ndarray, level: float = LEVEL) -> Estimate:
    """The median with a percentile-bootstrap interval (response times are very skewed)."""
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return Estimate.none()
    value = float(np.median(x))
    if n < MIN_POSTS:
        return Estimate(value, None, None, n)
    medians = np.median(x[_indices(n)], axis=1)
    return Estimate(value, *_bounds(medians, level), n)


def ratio_ci(numerators: Sequence[float], denominators: Sequence[float], scale: float = 100.0,
             level: float = LEVEL) -> Estimate:
    """Σ numerators ÷ Σ denominators × scale over posts, resampling posts for the interval."""
    num, den = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    n = num.size
    if n == 0 or den.sum() <= 0:
        return Estimate.none(n)
    value = float(num.sum() / den.sum() * scale)
    if n < MIN_POSTS:
        return Estimate(value, None, None, n)
    if n >= LARGE_SAMPLE:
        half = _stats().norm.ppf(0.5 + level / 2) * _ratio_se(num, den) * scale
        return Estimate(value, value - half, value + half, n)
    ratios = _resampled_sums(num) / np.maximum(_resampled_sums(den), 1e-12) * scale
    return Estimate(value, *_bounds(ratios, level), n)


def _ratio_se(num: np.ndarray, den: np.ndarray) -> float:
    """Standard error of Σ num ÷ Σ den over independent posts (the delta method, as survey ratios use)."""
    n = num.size
    ratio = num.sum() / den.sum()
    residuals = num - ratio * den
    return float(np.sqrt((residuals**2).sum() / (n * (n - 1))) / den.mean())


def ratio_difference(a: tuple[Sequence[float], Sequence[float]], b: tuple[Sequence[float], Sequence[float]],
                     scale: float = 100.0, level: float = LEVEL) -> Estimate:
    """(ratio of a) − (ratio of b), each resampled on its own posts; n is the smaller sample."""
    (an, ad), (bn, bd) = (np.asarray(a[0], float), np.asarray(a[1], float)), (np.asarray(b[0], float),
                                                                                np.asarray(b[1], float))
    n = int(min(an.size, bn.size))
    if an.size == 0 or bn.size == 0 or ad.sum() <= 0 or bd.sum() <= 0:
        return Estimate.none(n)
    value = float((an.sum() / ad.sum() - bn.sum() / bd.sum()) * scale)
    if n < MIN_POSTS:
        return Estimate(value, None, None, n)
    if n >= LARGE_SAMPLE:
        half = _stats().norm.ppf(0.5 + level / 2) * np.hypot(_ratio_se(an, ad), _ratio_se(bn, bd)) * scale
        return Estimate(value, value - half, value + half, n)
    diffs = (_resampled_sums(an, 0) / np.maximum(_resampled_sums(ad, 0), 1e-12)
             - _resampled_sums(bn, 1) / np.maximum(_resampled_sums(bd, 1), 1e-12))
    return Estimate(value, *_bounds(diffs * scale, level), n)


def _resampled_means(x: np.ndarray, stream: int) -> np.ndarray:
    """RESAMPLES bootstrap means of x; for a large sample, drawn from the normal distribution they follow."""
    if x.size >= LARGE_SAMPLE:
        return np.random.default_rng([SEED, stream, x.size]).normal(x.mean(), x.std(ddof=1) / np.sqrt(x.size),
                                                                    RESAMPLES)
    return x[_indices(x.size, stream)].mean(axis=1)


def mean_difference(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray,
                    level: float = LEVEL) -> Estimate:
    """mean(a) − mean(b) with its interval; n is the smaller group."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = int(min(x.size, y.size))
    if x.size == 0 or y.size == 0:
        return Estimate.none(n)
    value = float(x.mean() - y.mean())
    if n < MIN_POSTS:
        return Estimate(value, None, None, n)
    if n >= LARGE_SAMPLE:
        se = np.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)
        half = _stats().norm.ppf(0.5 + level / 2) * se
        return Estimate(value, value - half, value + half, n)
    return Estimate(value, *_bounds(_resampled_means(x, 0) - _resampled_means(y, 1), level), n)


class Verdict(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NO_CLEAR_DIFFERENCE = "no_clear_difference"
    NOT_ENOUGH_DATA = "not_enough_data"


VERDICT_TEXT = {
    Verdict.HIGHER: "higher", Verdict.LOWER: "lower",
    Verdict.NO_CLEAR_DIFFERENCE: "no clear difference", Verdict.NOT_ENOUGH_DATA: "not enough data",
}


def verdict(difference: Estimate) -> Verdict:
    """Higher or lower only when the whole interval is on one side of zero."""
    if not difference.enough:
        return Verdict.NOT_ENOUGH_DATA
    assert difference.low is not None and difference.high is not None
    if difference.low > 0:
        return Verdict.HIGHER
    if difference.high < 0:
        return Verdict.LOWER
    return Verdict.NO_CLEAR_DIFFERENCE


def adjusted_level(comparisons: int, level: float = LEVEL) -> float:
    """Bonferroni: naming the best of k groups needs each interval at 1 − (1 − level) / k."""
    return 1 - (1 - level) / max(comparisons, 1)


# Forecasts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    value: float
    low: float
    high: float
    probability: float  # that the target is reached (by the comparison asked for)
    basis: str  # what the forecast rests on, in words


def random_walk_forecast(values: Sequence[float], steps: float, target: float, *, at_least: bool = True,
                         level: float = LEVEL) -> Forecast | None:
    """Where a count such as followers will be after `steps` more days, from its daily changes.

    A random walk with drift: the mean daily change continues, and each day adds its own noise;
    the interval widens with the square root of the horizon, plus the uncertainty of the drift
    itself. Needs at least MIN_POSTS daily changes.
    """
    y = np.asarray(values, dtype=float)
    changes = np.diff(y)
    n = changes.size
    if n < MIN_POSTS or steps < 0:
        return None
    drift, spread = float(changes.mean()), float(changes.std(ddof=1))
    value = float(y[-1] + drift * steps)
    se = float(np.sqrt(steps * spread**2 + steps**2 * spread**2 / n)) if spread > 0 else 0.0
    if se == 0:
        reached = value >= target if at_least else value <= target
        return Forecast(value, value, value, 1.0 if reached else 0.0, f"the trend of {n} daily changes")
    t = _stats().t(df=n - 1)
    half = t.ppf(0.5 + level / 2) * se
    z = (target - value) / se
    probability = float(1 - t.cdf(z)) if at_least else float(t.cdf(z))
    return Forecast(value, value - half, value + half, probability, f"the trend of {n} daily changes")
