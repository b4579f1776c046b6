"""Totals of ad results and the paid metrics computed from them, with intervals (analytics' own code).

Each metric is the one defined in analytics.definitions (CPC, CPM, CTR, CPA, conversion rate, ROAS, ROI,
frequency): a ratio of sums over the reporting rows. Its interval resamples the rows (one ad on one day
each) with analytics.statistics.ratio_ci, the same bootstrap the dashboards use for rates over posts;
below statistics.MIN_POSTS rows there is a value but no interval ("not enough data"). A metric whose
denominator is zero, or whose input no row reports, has no value and says why — never 0, never ∞.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from socialdesk.analytics import statistics as st
from socialdesk.analytics.definitions import METRICS, Metric, format_value
from socialdesk.campaigns.models import MICROS, AdResult

PAID_METRICS = ("cpc", "cpm", "ctr", "cpa", "conversion_rate", "roas", "roi", "frequency")
COUNTS = ("spend", "impressions", "reach", "clicks", "link_clicks", "conversions", "revenue", "video_views")
# What a missing input means, in words.
_MISSING_INPUT = {"revenue": "no revenue in the ad data", "ad_profit": "no revenue in the ad data",
                  "conversions": "no conversions in the ad data", "reach": "the platform does not report reach",
                  "clicks": "no clicks in the ad data"}
_ZERO_DENOMINATOR = {"clicks": "no clicks yet", "impressions": "no impressions yet", "spend": "no spend yet",
                     "conversions": "no conversions yet", "reach": "no reach yet"}


def row_inputs(row: AdResult) -> dict[str, float | None]:
    """One row's inputs by the names analytics.definitions uses (money in currency units)."""
    spend = row.spend_micros / MICROS
    revenue = None if row.revenue_micros is None else row.revenue_micros / MICROS
    clicks = row.link_clicks if row.link_clicks is not None else row.clicks
    return {"spend": spend, "impressions": float(row.impressions),
            "reach": None if row.reach is None else float(row.reach),
            "clicks": None if clicks is None else float(clicks),
            "all_clicks": None if row.clicks is None else float(row.clicks),
            "link_clicks": None if row.link_clicks is None else float(row.link_clicks),
            "conversions": row.conversions, "revenue": revenue,
            "ad_profit": None if revenue is None else revenue - spend,
            "video_views": None if row.video_views is None else float(row.video_views)}


@dataclass
class MetricValue:
    metric: Metric
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0  # reporting rows behind the value
    missing: str = ""  # why there is no value, or no interval

    @property
    def text(self) -> str:
        if self.value is None:
            return f"not available ({self.missing})" if self.missing else "not available"
        return format_value(self.value, self.metric.unit)

    @property
    def interval_text(self) -> str:
        if self.value is None:
            return ""
        if self.low is None or self.high is None:
            return f"no interval: {self.missing or f'not enough data ({self.n} rows, {st.MIN_POSTS} needed)'}"
        return f"95 % interval {format_value(self.low, self.metric.unit)} – {format_value(self.high, self.metric.unit)}"

    def as_dict(self) -> dict[str, object]:
        return {"key": self.metric.key, "label": self.metric.label, "formula": self.metric.formula,
                "unit": self.metric.unit.value, "value": _round(self.value), "low": _round(self.low),
                "high": _round(self.high), "n": self.n, "missing": self.missing}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


@dataclass
class Results:
    """The sums of a set of reporting rows and the paid metrics over them."""

    rows: int
    currency: str | None
    totals: dict[str, float | None]
    metrics: dict[str, MetricValue] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"rows": self.rows, "currency": self.currency,
                "totals": {k: _round(v) for k, v in self.totals.items()},
                "metrics": {k: m.as_dict() for k, m in self.metrics.items()}}


def results(rows: Sequence[AdResult], metrics: Sequence[str] = PAID_METRICS) -> Results:
    inputs = [row_inputs(r) for r in rows]
    currencies = sorted({r.currency for r in rows})
    totals: dict[str, float | None] = {}
    for name in COUNTS:
        source = "all_clicks" if name == "clicks" else name  # "clicks" feeds the rates: link clicks first
        offered = [i[source] for i in inputs if i.get(source) is not None]
        totals[name] = float(sum(offered)) if offered else (0.0 if name in ("spend", "impressions") else None)  # type: ignore[arg-type]
    out = Results(rows=len(rows), currency=currencies[0] if len(currencies) == 1 else None, totals=totals)
    for key in metrics:
        out.metrics[key] = estimate(METRICS[key], inputs)
    return out


def estimate(metric: Metric, inputs: Sequence[dict[str, float | None]]) -> MetricValue:
    """The metric as a ratio of sums over the rows that report both of its inputs, with its interval."""
    assert metric.denominator is not None
    top_name, bottom_name = metric.numerator[0], metric.denominator
    usable = [(i[top_name], i[bottom_name]) for i in inputs
              if i.get(top_name) is not None and i.get(bottom_name) is not None]
    if not inputs:
        return MetricValue(metric, None, missing="no ad results")
    if not usable:
        missing = next((_MISSING_INPUT[n] for n in (top_name, bottom_name)
                        if n in _MISSING_INPUT and all(i.get(n) is None for i in inputs)), "no ad results")
        return MetricValue(metric, None, missing=missing)
    num = np.array([u[0] for u in usable], dtype=float)
    den = np.array([u[1] for u in usable], dtype=float)
    if den.sum() <= 0:
        return MetricValue(metric, None, n=len(usable), missing=_ZERO_DENOMINATOR.get(bottom_name, "zero"))
    found = st.ratio_ci(num, den, scale=metric.scale)
    counted = int(np.count_nonzero(den > 0))
    if found.low is not None and counted < st.MIN_POSTS:
        # Two conversions on 42 ad-days: most resamples divide by zero and the interval runs to the billions.
        return MetricValue(metric, found.value, None, None, found.n, missing=(
            f"not enough data ({counted} rows with {bottom_name.replace('_', ' ')}, {st.MIN_POSTS} needed)"))
    return MetricValue(metric, found.value, found.low, found.high, found.n,
                       missing="" if found.low is not None else "not enough data")
