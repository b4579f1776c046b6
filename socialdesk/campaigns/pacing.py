"""Is the campaign spending its budget at the right speed? (docs/ads.md, "Pacing")

Spend is expected to run evenly from the first to the last day of the campaign. The projection carries
the average daily spend of the last PACE_WINDOW days with spend data to the end date. The campaign is
*on track* while the projected end spend stays within TOLERANCE of the budget, *over* above, *under*
below; once it has ended, the same test is made on what it actually spent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from socialdesk.campaigns.models import MICROS, AdResult

TOLERANCE = 0.10
PACE_WINDOW = 7
STATUS_TEXT = {"on_track": "on track", "over": "over budget pace", "under": "under budget pace",
               "not_started": "not started", "no_budget": "no budget set", "no_dates": "no dates set"}


@dataclass(frozen=True)
class Pacing:
    status: str  # on_track, over, under, not_started, no_budget, no_dates
    budget: float | None
    spent: float
    expected_to_date: float | None  # what an even pace would have spent by now
    projected_end: float | None  # spend at the end date at the recent daily pace
    daily_rate: float  # the recent average daily spend
    days_elapsed: int
    days_total: int | None
    finished: bool

    @property
    def text(self) -> str:
        return STATUS_TEXT[self.status]

    @property
    def spent_share(self) -> float | None:
        return None if not self.budget else self.spent / self.budget * 100

    def as_dict(self) -> dict[str, object]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 2)

        return {"status": self.status, "text": self.text, "budget": r(self.budget), "spent": r(self.spent),
                "expected_to_date": r(self.expected_to_date), "projected_end": r(self.projected_end),
                "daily_rate": r(self.daily_rate), "days_elapsed": self.days_elapsed, "days_total": self.days_total,
                "finished": self.finished, "tolerance_percent": TOLERANCE * 100}


def daily_spend(rows: Iterable[AdResult]) -> dict[date, float]:
    """Spend by day; a row covering several days is spread evenly over them."""
    by_day: dict[date, float] = defaultdict(float)
    for row in rows:
        days = (row.ends_on - row.starts_on).days + 1
        for k in range(days):
            by_day[row.starts_on + timedelta(days=k)] += row.spend_micros / MICROS / days
    return dict(by_day)


def pace(budget: float | None, starts_on: date | None, ends_on: date | None, by_day: dict[date, float],
         today: date) -> Pacing:
    spent = sum(v for d, v in by_day.items() if d <= today)
    if budget is None or budget <= 0:
        return Pacing("no_budget", None, spent, None, None, 0.0, 0, None, False)
    if starts_on is None or ends_on is None:
        return Pacing("no_dates", budget, spent, None, None, 0.0, 0, None, False)
    total_days = (ends_on - starts_on).days + 1
    if today < starts_on:
        return Pacing("not_started", budget, spent, 0.0, None, 0.0, 0, total_days, False)
    finished = today > ends_on
    last_day = min(today, ends_on)
    elapsed = (last_day - starts_on).days + 1
    # The recent pace: the last PACE_WINDOW days up to the last day with data (today's may not be in yet).
    reported = [d for d in by_day if starts_on <= d <= last_day]
    newest = max(reported) if reported else last_day
    window = [newest - timedelta(days=k) for k in range(min(PACE_WINDOW, (newest - starts_on).days + 1))]
    rate = sum(by_day.get(d, 0.0) for d in window) / len(window) if window else 0.0
    spent_in = sum(v for d, v in by_day.items() if starts_on <= d <= last_day)
    expected = budget * elapsed / total_days
    remaining = 0 if finished else (ends_on - newest).days
    projected = spent_in + rate * remaining
    status = "over" if projected > budget * (1 + TOLERANCE) else (
        "under" if projected < budget * (1 - TOLERANCE) else "on_track")
    return Pacing(status, budget, spent_in, expected, projected, rate, elapsed, total_days, finished)
