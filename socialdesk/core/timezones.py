"""Time zones: validation with a helpful message, and local wall-clock time to UTC across DST."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from socialdesk.core.errors import ValidationFailed


def zone(name: str) -> ZoneInfo:
    try:
        if not name or name != name.strip():
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = _suggest(name)
        raise ValidationFailed(
            f"Unknown time zone {name!r}. Use an IANA name such as Europe/Zagreb or America/New_York"
            + (f" (did you mean {hint}?)" if hint else "") + "."
        ) from None


def _suggest(name: str) -> str | None:
    wanted = name.strip().lower().replace(" ", "_")
    if not wanted:
        return None
    for candidate in sorted(available_timezones()):
        if candidate.lower() == wanted or candidate.lower().endswith("/" + wanted):
            return candidate
    return None


@dataclass(frozen=True)
class Resolved:
    at: datetime  # the chosen instant, in UTC
    note: str | None  # set when the wall-clock time was skipped or repeated by a DST change


def local_to_utc(local: datetime, tz_name: str) -> Resolved:
    """Interpret a naive wall-clock time in `tz_name`; say which instant was chosen around DST changes."""
    tz = zone(tz_name)
    if local.tzinfo is not None:
        return Resolved(local.astimezone(UTC), None)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return Resolved(first.astimezone(UTC), None)
    # A round trip tells a skipped time (it does not come back) from a repeated one (it does).
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        # Spring forward: the wall-clock time does not exist. With fold=0 it is read with the offset
        # from before the change, which lands the same distance past the gap (02:30 -> 03:30).
        chosen = first.astimezone(UTC)
        shown = chosen.astimezone(tz)
        return Resolved(chosen, f"{local:%Y-%m-%d %H:%M} does not exist in {tz_name} (clocks go forward); "
                                f"scheduled for {shown:%H:%M %Z} instead.")
    chosen = first.astimezone(UTC)
    return Resolved(chosen, f"{local:%Y-%m-%d %H:%M} happens twice in {tz_name} (clocks go back); "
                            f"the first one ({first:%H:%M %Z}, UTC{_offset(first)}) was chosen.")


def _offset(dt: datetime) -> str:
    off = dt.utcoffset() or timedelta()
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
