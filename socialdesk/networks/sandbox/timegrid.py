"""Local hours and weekdays of many instants in one time zone, fast.

Times inside the simulation are float seconds since the Unix epoch (UTC). A time zone's offset is
constant between two daylight-saving switches, which are months apart, so a window of a week needs
the zone database only at its two ends unless a switch falls inside it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

HOUR = 3600.0
DAY = 86400.0
# 1970-01-01 was a Thursday; with Monday = 0 that is weekday 3.
_EPOCH_WEEKDAY = 3


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _offset(tz: ZoneInfo, epoch: float) -> float:
    offset = datetime.fromtimestamp(epoch, UTC).astimezone(tz).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def local_seconds(tz_name: str, epochs: np.ndarray) -> np.ndarray:
    """Seconds since the epoch as a wall clock in `tz_name` reads them."""
    tz = zone(tz_name)
    if epochs.size == 0:
        return epochs.astype(np.float64)
    lo, hi = float(epochs.min()), float(epochs.max())
    first, last = _offset(tz, lo), _offset(tz, hi)
    if first == last or hi - lo > 60 * DAY:
        if first == last:
            return epochs + first
        offsets = np.fromiter((_offset(tz, float(e)) for e in epochs.ravel()), np.float64, count=epochs.size)
        return epochs + offsets.reshape(epochs.shape)
    # One switch inside a short window: find its second by bisection, then split the window there.
    while hi - lo > 1.0:
        mid = (lo + hi) / 2
        if _offset(tz, mid) == first:
            lo = mid
        else:
            hi = mid
    return epochs + np.where(epochs >= hi, last, first)


def hour_and_weekday(tz_name: str, epochs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local hour (0-23) and weekday (Monday = 0) of each instant."""
    local = local_seconds(tz_name, epochs)
    hours = (np.floor(local / HOUR) % 24).astype(np.intp)
    weekdays = ((np.floor(local / DAY) + _EPOCH_WEEKDAY) % 7).astype(np.intp)
    return hours, weekdays


def to_epoch(dt: datetime) -> float:
    return dt.timestamp()


def from_epoch(epoch: float) -> datetime:
    """A UTC datetime, rounded to the microsecond so it survives a round trip through a database."""
    return datetime.fromtimestamp(round(epoch, 6), UTC)
