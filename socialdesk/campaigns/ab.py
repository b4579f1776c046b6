"""A/B comparisons of two ads (or two posts): the difference with its interval, and the sample needed to
decide. No winner is named before both arms have that sample (docs/ads.md, "A/B comparisons").

The compared metric is a proportion: CTR (link clicks of impressions) or conversion rate (conversions of
link clicks). The difference B − A gets a Wald interval at the level corrected for the number of
comparisons made together (Bonferroni: analytics.statistics.adjusted_level), the same correction the
analytics breakdowns use. The sample needed per arm is the classic two-proportion formula for detecting
a relative lift of `minimum_lift` over the better-measured baseline at that level with 80 % power.
Until both arms reach it, the verdict is "not enough data" whatever the interval says: stopping early
when a difference looks good is how A/B tests mislead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from socialdesk.analytics import statistics as st

POWER = 0.80
DEFAULT_LIFT = 0.20  # a 20 % relative difference is the smallest worth acting on, unless told otherwise
PROPORTIONS = {"ctr": ("link clicks", "impressions"), "conversion_rate": ("conversions", "link clicks"),
               # Posts: engagements (likes, reposts, comments, saves, quotes) of the people reached, at most one each.
               "engagement_rate": ("engagements", "people reached")}


@dataclass(frozen=True)
class Arm:
    label: str
    successes: float
    trials: float

    @property
    def rate(self) -> float | None:
        return None if self.trials <= 0 else self.successes / self.trials


@dataclass(frozen=True)
class Comparison:
    metric: str
    a: Arm
    b: Arm
    difference: float | None  # b − a, in percentage points
    low: float | None
    high: float | None
    level: float
    needed_per_arm: int | None  # trials (impressions or clicks) each arm needs
    verdict: str  # not_enough_data, b_higher, a_higher, no_clear_difference
    explanation: str

    def as_dict(self) -> dict[str, object]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 6)

        return {"metric": self.metric, "a": {"label": self.a.label, "successes": self.a.successes,
                                             "trials": self.a.trials, "rate": r(_pct(self.a.rate))},
                "b": {"label": self.b.label, "successes": self.b.successes, "trials": self.b.trials,
                      "rate": r(_pct(self.b.rate))},
                "difference_points": r(self.difference), "low": r(self.low), "high": r(self.high),
                "level": round(self.level, 6), "needed_per_arm": self.needed_per_arm, "verdict": self.verdict,
                "explanation": self.explanation}


def _pct(x: float | None) -> float | None:
    return None if x is None else x * 100


def sample_needed(p: float, lift: float, level: float, power: float = POWER) -> int | None:
    """Trials per arm to detect p → p·(1 + lift) at `level` (two-sided) with `power`."""
    q = p * (1 + lift)
    if not 0 < p < 1 or not 0 < q < 1 or lift <= 0:
        return None
    norm = st._stats().norm
    z_a, z_b = norm.ppf(1 - (1 - level) / 2), norm.ppf(power)
    return math.ceil((z_a + z_b) ** 2 * (p * (1 - p) + q * (1 - q)) / (q - p) ** 2)


def compare(metric: str, a: Arm, b: Arm, *, comparisons: int = 1, minimum_lift: float = DEFAULT_LIFT) -> Comparison:
    if metric not in PROPORTIONS:
        raise ValueError(f"A/B comparisons are made on {', '.join(PROPORTIONS)}")
    level = st.adjusted_level(comparisons)
    what, of = PROPORTIONS[metric]
    if a.rate is None or b.rate is None:
        return Comparison(metric, a, b, None, None, None, level, None, "not_enough_data",
                          f"Each side needs {of} before its {what} can be compared.")
    pa, pb = a.rate, b.rate
    diff = (pb - pa) * 100
    se = math.sqrt(pa * (1 - pa) / a.trials + pb * (1 - pb) / b.trials) * 100
    z = st._stats().norm.ppf(1 - (1 - level) / 2)
    low, high = diff - z * se, diff + z * se
    baseline = pa if a.trials >= b.trials else pb
    needed = sample_needed(baseline, minimum_lift, level) if baseline > 0 else None
    shortest = min(a.trials, b.trials)
    if needed is None or shortest < needed:
        want = f"{needed:,.0f} {of} for each" if needed else f"some {what} in both"
        return Comparison(metric, a, b, diff, low, high, level, needed, "not_enough_data",
                          f"Not enough data: to tell a {minimum_lift:.0%} difference apart at "
                          f"{level:.1%} confidence with {POWER:.0%} power takes {want}; the smaller arm has "
                          f"{shortest:,.0f}. No winner yet.")
    if low > 0:
        verdict, text = "b_higher", f"{b.label} has the higher {metric.replace('_', ' ')}"
    elif high < 0:
        verdict, text = "a_higher", f"{a.label} has the higher {metric.replace('_', ' ')}"
    else:
        verdict, text = "no_clear_difference", "No clear difference: the interval includes zero"
    return Comparison(metric, a, b, diff, low, high, level, needed, verdict,
                      f"{text} ({level:.1%} interval of B − A: {low:+.2f} to {high:+.2f} points).")
