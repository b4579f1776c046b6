"""Every derived metric, defined once: its formula as the UI shows it, and how it is computed.

Inputs are raw counts by name (`impressions`, `likes`, `followers`, …). An input is None when the
network does not offer it; a metric that needs such an input is None too — "not available on this
network", never 0. Rates are percentages.

Where the industry disagrees, the choice made here is written next to the definition and, at
length, in docs/analytics.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

Inputs = Mapping[str, float | None]


class Unit(StrEnum):
    PERCENT = "percent"
    COUNT = "count"
    HOURS = "hours"
    MONEY = "money"
    RATIO = "ratio"


# What counts as an engagement: the reactions a person makes to a post. Clicks are left out (they
# are measured by CTR, and most networks do not report them), as are views (passive).
ENGAGEMENT_PARTS = ("likes", "comments", "reposts", "quotes", "saves")
SHARE_PARTS = ("reposts", "quotes")


def total(values: Inputs, names: tuple[str, ...]) -> float | None:
    """The sum of the parts the network offers; None when it offers none of them."""
    offered = [values.get(n) for n in names if values.get(n) is not None]
    return float(sum(offered)) if offered else None  # type: ignore[arg-type]


def total_array(columns: Mapping[str, np.ndarray], names: tuple[str, ...], size: int) -> np.ndarray:
    """`total` for many posts at once: NaN (not offered) parts are skipped, all-NaN gives NaN."""
    stacked = np.vstack([columns.get(n, np.full(size, np.nan)) for n in names])
    offered = ~np.isnan(stacked)
    return np.where(offered.any(axis=0), np.where(offered, stacked, 0.0).sum(axis=0), np.nan)


@dataclass(frozen=True)
class Metric:
    """numerator (the sum of the offered parts) ÷ denominator × scale; no denominator: the numerator."""

    key: str
    label: str
    formula: str  # shown next to every number in the UI and the reports
    unit: Unit
    numerator: tuple[str, ...]
    denominator: str | None = None
    scale: float = 100.0
    higher_is_better: bool = True
    note: str = ""  # the choice made where definitions differ, or where the inputs come from
    per_post: bool = True  # computed for a single post (else only for a channel or workspace over a period)

    def parts(self, values: Inputs) -> tuple[float | None, float | None]:
        """Numerator and denominator, for a rate over many posts (the sum of each, then the ratio)."""
        bottom = values.get(self.denominator) if self.denominator else None
        return total(values, self.numerator), None if bottom is None else float(bottom)

    def compute(self, values: Inputs) -> float | None:
        top, bottom = self.parts(values)
        if self.denominator is None:
            return top
        if top is None or bottom is None or bottom <= 0:
            return None
        return top / bottom * self.scale

    def arrays(self, columns: Mapping[str, np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
        """Numerators and denominators of many posts (NaN where not available); no denominator: ones."""
        top = total_array(columns, self.numerator, size)
        bottom = columns.get(self.denominator, np.full(size, np.nan)) if self.denominator else np.ones(size)
        return top, bottom

    def compute_array(self, columns: Mapping[str, np.ndarray], size: int) -> np.ndarray:
        top, bottom = self.arrays(columns, size)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = self.scale if self.denominator else 1.0
            return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0) * scale, np.nan)


METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("engagements", "Engagements", "likes + comments + shares + quotes + saves", Unit.COUNT, ENGAGEMENT_PARTS,
           note="Only the parts the network reports are added up; clicks and views are not engagements here."),
    Metric("engagement_rate_reach", "Engagement rate by reach", "engagements ÷ reach × 100", Unit.PERCENT,
           ENGAGEMENT_PARTS, "reach",
           note="Of the people who saw the post, how many reacted. Needs a network that reports reach."),
    Metric("engagement_rate_followers", "Engagement rate by followers",
           "engagements ÷ followers when published × 100", Unit.PERCENT, ENGAGEMENT_PARTS, "followers",
           note="Followers are the channel's count at the last snapshot before the post went out."),
    Metric("amplification", "Amplification rate", "(shares + quotes) ÷ followers × 100", Unit.PERCENT,
           SHARE_PARTS, "followers", note="How far followers carry a post to their own audiences."),
    Metric("virality", "Virality rate", "(shares + quotes) ÷ impressions × 100", Unit.PERCENT,
           SHARE_PARTS, "impressions",
           note="Shares per view. Networks that report views but not impressions have no virality here."),
    Metric("applause", "Applause rate", "likes ÷ followers × 100", Unit.PERCENT, ("likes",), "followers"),
    Metric("conversation", "Conversation rate", "comments ÷ followers × 100", Unit.PERCENT, ("comments",),
           "followers"),
    Metric("saves_rate", "Saves rate", "saves ÷ reach × 100", Unit.PERCENT, ("saves",), "reach"),
    Metric("ctr", "Click-through rate (CTR)", "link clicks ÷ impressions × 100", Unit.PERCENT, ("clicks",),
           "impressions"),
    Metric("follower_growth", "Follower growth", "(followers at end − followers at start) ÷ followers at start × 100",
           Unit.PERCENT, ("followers_change",), "followers_start", per_post=False,
           note="Net growth over the period, from the channel's follower snapshots."),
    Metric("follower_churn", "Follower churn (at least)", "followers lost ÷ followers at start × 100",
           Unit.PERCENT, ("followers_lost",), "followers_start", higher_is_better=False, per_post=False,
           note="Networks report how many follow, not who left: 'lost' adds up every drop between two "
                "consecutive snapshots, so follows and unfollows within one snapshot interval cancel out. "
                "A lower bound of the true churn."),
    Metric("response_rate", "Response rate", "messages answered ÷ messages received × 100", Unit.PERCENT,
           ("items_answered",), "items_received", per_post=False,
           note="Comments, mentions and direct messages from the audience that arrived in the period."),
    Metric("median_first_response", "Median first-response time", "median(first reply − arrival), in hours",
           Unit.HOURS, ("median_response_hours",), higher_is_better=False, per_post=False,
           note="Over the answered messages of the period; unanswered ones count in the response rate."),
    Metric("cpc", "Cost per click (CPC)", "ad spend ÷ link clicks", Unit.MONEY, ("spend",), "clicks",
           scale=1.0, higher_is_better=False, per_post=False,
           note="From ad results (imported, Marketing API or sandbox). Link clicks where the platform reports "
                "them, else all clicks (docs/ads.md)."),
    Metric("cpm", "Cost per mille (CPM)", "ad spend ÷ impressions × 1,000", Unit.MONEY, ("spend",), "impressions",
           scale=1000.0, higher_is_better=False, per_post=False, note="From ad results."),
    Metric("roas", "Return on ad spend (ROAS)", "attributed revenue ÷ ad spend", Unit.RATIO, ("revenue",), "spend",
           scale=1.0, per_post=False,
           note="Revenue as the ad platform attributes it (its own window, e.g. Meta's 7-day click, 1-day view)."),
    Metric("cpa", "Cost per acquisition (CPA)", "ad spend ÷ conversions", Unit.MONEY, ("spend",), "conversions",
           scale=1.0, higher_is_better=False, per_post=False,
           note="Conversions as the ad platform counts them (its result or purchase column)."),
    Metric("conversion_rate", "Conversion rate", "conversions ÷ link clicks × 100", Unit.PERCENT, ("conversions",),
           "clicks", per_post=False, note="Of the people who clicked, how many converted."),
    Metric("roi", "Return on investment (ROI)", "(revenue − ad spend) ÷ ad spend × 100", Unit.PERCENT,
           ("ad_profit",), "spend", per_post=False,
           note="Revenue less ad spend only: production and agency costs are not in the ad data."),
    Metric("frequency", "Frequency", "impressions ÷ reach", Unit.RATIO, ("impressions",), "reach", scale=1.0,
           higher_is_better=False, per_post=False,
           note="Reach is counted per reporting row (per ad and day), so a person reached on two days counts "
                "twice: this is the average frequency per ad and day, a lower bound of the period's."),
)}

# The per-post rates that posts are compared by, best first: by reach where the network reports it.
RANKING = ("engagement_rate_reach", "engagement_rate_followers")


def metric(key: str) -> Metric:
    try:
        return METRICS[key]
    except KeyError:
        raise KeyError(f"unknown metric {key!r}; known: {', '.join(METRICS)}") from None


def format_value(value: float | None, unit: Unit | str) -> str:
    """A number as the UI and the reports write it; None as 'not available'."""
    if value is None:
        return "not available"
    if unit == Unit.PERCENT:
        return f"{value:.2f} %"
    if unit == Unit.HOURS:
        return f"{value:.1f} h" if value >= 1 else f"{value * 60:.0f} min"
    if unit == Unit.MONEY:
        return f"{value:,.2f}"
    if unit == Unit.RATIO:
        return f"{value:.2f}×"
    return f"{value:,.0f}"
