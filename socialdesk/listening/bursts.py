"""Burst detection: is this hour's volume more than the monitor's usual for this hour of the week?

The method (docs/listening.md, "Bursts"): a Gamma-Poisson model per hour of the week.
- The prior rate for hour h comes from the same hour of the day over the last PRIOR_DAYS days (the daily
  rhythm; their mean without the largest day), worth PRIOR_WEIGHT observations.
- It is updated with the counts at the same hour of the week over the last WEEKS weeks (the weekly rhythm),
  each capped at 3 x prior + 3 so that a burst from before the detector could flag it is not learnt.
- The next count is then negative-binomial (the Gamma-Poisson predictive): overdispersion and the
  uncertainty of a short history are both in it, so a young monitor needs a bigger jump to alert.
- The hour is a burst when P(X >= observed) < alpha, the false-alarm rate the user set (per hour: 0.001
  means about one false alarm in six weeks of quiet hours), and the count is at least MIN_COUNT.
Hours already flagged are left out of later baselines, so a burst does not teach the model that bursts
are normal. A monitor with less than MIN_HISTORY_DAYS of history raises nothing: it is still learning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

WEEKS = 8
PRIOR_DAYS = 14
PRIOR_WEIGHT = 1.0
MIN_COUNT = 5
MIN_HISTORY_DAYS = 7
FLOOR_RATE = 0.05  # a rate of zero would make any single mention a burst


@dataclass(frozen=True)
class Verdict:
    hour: datetime
    volume: int
    baseline: float  # the expected count (the predictive mean)
    p_value: float
    burst: bool
    learning: bool = False


def floor_hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _trimmed_mean(values: list[int]) -> float:
    """The mean without the largest value (one bursty day among 14 does not lift the prior)."""
    if not values:
        return FLOOR_RATE
    kept = sorted(values)[:-1] if len(values) >= 5 else values
    return max(FLOOR_RATE, sum(kept) / len(kept))


def judge(counts: Mapping[datetime, int], hour: datetime, *, alpha: float, history_start: datetime,
          skip: Set[datetime] = frozenset()) -> Verdict:
    """The verdict on `hour` (an hour start) given hourly counts (missing hours count as zero, from
    history_start on); `skip`: earlier hours already judged bursts."""
    volume = int(counts.get(hour, 0))
    if hour - history_start < timedelta(days=MIN_HISTORY_DAYS):
        return Verdict(hour, volume, 0.0, 1.0, False, learning=True)
    daily = [hour - timedelta(days=d) for d in range(1, PRIOR_DAYS + 1)]
    daily = [h for h in daily if h >= history_start and h not in skip]
    prior_rate = _trimmed_mean([counts.get(h, 0) for h in daily])
    weekly = [hour - timedelta(weeks=w) for w in range(1, WEEKS + 1)]
    weekly = [h for h in weekly if h >= history_start and h not in skip]
    # A burst the detector could not flag (while it was learning) must not become the norm: a past count
    # is capped at a level the daily rhythm makes very unlikely.
    cap = math.ceil(3 * prior_rate + 3)
    shape = prior_rate * PRIOR_WEIGHT + sum(min(counts.get(h, 0), cap) for h in weekly)
    rate = PRIOR_WEIGHT + len(weekly)
    baseline = shape / rate
    # Predictive: NB(n=shape, p=rate/(rate+1)); P(X >= volume) = sf(volume - 1).
    from scipy.stats import nbinom  # half a second to import: only when a monitor is judged

    p_value = float(nbinom.sf(volume - 1, shape, rate / (rate + 1.0))) if volume > 0 else 1.0
    return Verdict(hour, volume, baseline, p_value, volume >= MIN_COUNT and p_value < alpha)


def scan(counts: Mapping[datetime, int], start: datetime, end: datetime, *, alpha: float,
         history_start: datetime) -> list[Verdict]:
    """Judge every hour in [start, end) in order, leaving flagged hours out of later baselines."""
    flagged: set[datetime] = set()
    verdicts = []
    hour = floor_hour(start)
    while hour < end:
        verdict = judge(counts, hour, alpha=alpha, history_start=history_start, skip=flagged)
        if verdict.burst:
            flagged.add(hour)
        verdicts.append(verdict)
        hour += timedelta(hours=1)
    return verdicts


def episodes(verdicts: list[Verdict], gap_hours: int = 2) -> list[list[Verdict]]:
    """Burst hours grouped into episodes: bursts less than `gap_hours` apart are one event (one alert)."""
    found: list[list[Verdict]] = []
    for verdict in verdicts:
        if not verdict.burst:
            continue
        if found and verdict.hour - found[-1][-1].hour <= timedelta(hours=gap_hours):
            found[-1].append(verdict)
        else:
            found.append([verdict])
    return found
