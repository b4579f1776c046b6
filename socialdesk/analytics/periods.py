"""Reporting periods: a month, an ISO week, a range of days, in the workspace's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from socialdesk.core.errors import ValidationFailed
from socialdesk.core.inputs import check_day
from socialdesk.core.timezones import zone

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.\.|:)(\d{4}-\d{2}-\d{2})$")
PERIOD_HELP = "a month (2026-10), an ISO week (2026-W43) or a range of days (2026-10-01..2026-10-31)"


@dataclass(frozen=True)
class Period:
    """Local days [first, last] in `timezone`; `start`/`end` are the UTC instants bounding them."""

    first: date
    last: date
    timezone: str
    kind: str = "range"  # month, week, range

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=zone(self.timezone))

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=zone(self.timezone))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.first:%B %Y}"
        if self.kind == "week":
            return f"week {self.key[-2:]} of {self.key[:4]} ({self.first:%d %b} – {self.last:%d %b %Y})"
        return f"{self.first:%d %b %Y} – {self.last:%d %b %Y}"

    def previous(self) -> Period:
        """The period just before, of the same kind and length (the month before for a month)."""
        if self.kind == "month":
            first = self.first - relativedelta(months=1)
            return Period(first, self.first - timedelta(days=1), self.timezone, "month")
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.timezone, self.kind)

    def next(self) -> Period:
        if self.kind == "month":
            first = self.first + relativedelta(months=1)
            return Period(first, first + relativedelta(months=1) - timedelta(days=1), self.timezone, "month")
        return Period(self.last + timedelta(days=1), self.last + timedelta(days=self.days), self.timezone, self.kind)

    def local_days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]


def parse_period(text: str, timezone: str) -> Period:
    text = text.strip()
    if m := _MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ValidationFailed(f"{text!r}: the month must be 01 to 12.")
        first = check_day(date(year, month, 1), f"Period {text!r}")
        return Period(first, first + relativedelta(months=1) - timedelta(days=1), timezone, "month")
    if m := _WEEK.match(text):
        try:
            first = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise ValidationFailed(f"{text!r} is not an ISO week of that year.") from None
        check_day(first, f"Period {text!r}")
        return Period(first, first + timedelta(days=6), timezone, "week")
    if m := _RANGE.match(text):
        try:
            first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError:
            raise ValidationFailed(f"{text!r} holds a day that does not exist.") from None
        check_day(first, f"Period {text!r}")
        check_day(last, f"Period {text!r}")
        if last < first:
            raise ValidationFailed(f"{text!r}: the last day comes before the first.")
        if (last - first).days > 731:
            raise ValidationFailed(f"{text!r}: a period is at most two years long.")
        return Period(first, last, timezone, "range")
    raise ValidationFailed(f"Unknown period {text!r}: give {PERIOD_HELP}.")


def last_days(days: int, now: datetime, timezone: str) -> Period:
    """The `days` local days up to and including today."""
    today = now.astimezone(zone(timezone)).date()
    return Period(today - timedelta(days=days - 1), today, timezone, "range")


def month_of(moment: datetime, timezone: str) -> Period:
    return parse_period(f"{moment.astimezone(zone(timezone)):%Y-%m}", timezone)


def week_of(moment: datetime, timezone: str) -> Period:
    year, week, _ = moment.astimezone(zone(timezone)).isocalendar()
    return parse_period(f"{year}-W{week:02d}", timezone)
