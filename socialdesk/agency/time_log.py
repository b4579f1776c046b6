"""The time log: who worked how long for which client, entered afterwards or from a start/stop timer, and a
monthly CSV for invoicing.

Members who do the work (posts:write) log their own time; each member sees their own entries (reading
needs posts:read, like every read of the team's work); admins see everyone's and download the month's CSV.
A person has at most one running timer: starting one in a workspace stops a timer still running in any
other (nobody works for two clients at once).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from socialdesk.agency.models import TimeEntry
from socialdesk.analytics.periods import Period, month_of, parse_period
from socialdesk.audit import service as audit
from socialdesk.auth.models import User
from socialdesk.core import clock
from socialdesk.core.errors import Conflict, NotFound, ValidationFailed
from socialdesk.core.inputs import check_day, check_text
from socialdesk.core.timezones import zone
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

MAX_MINUTES = 24 * 60
MAX_TIMER = timedelta(hours=16)  # a timer left running overnight is cut here when stopped


def _minutes(start: datetime, end: datetime) -> int:
    return max(1, round((end - start).total_seconds() / 60))


def running(ctx: WorkspaceContext) -> TimeEntry | None:
    """The person's timer running in this workspace, if any."""
    return ctx.session.scalars(ctx.select(TimeEntry).where(
        TimeEntry.user_id == ctx.actor.user_id, TimeEntry.ended_at.is_(None))).first()


def start_timer(ctx: WorkspaceContext, note: str = "") -> list[str]:
    ctx.require(Permission.POSTS_WRITE)
    check_text(note, "The note")
    if running(ctx) is not None:
        raise Conflict("Your timer is already running for this client.")
    notes = []
    for other in ctx.session.scalars(select(TimeEntry).where(  # the person's own timers, elsewhere
            TimeEntry.user_id == ctx.actor.user_id, TimeEntry.ended_at.is_(None))):
        _stop(other)
        notes.append(f"Stopped your timer for another client after {other.minutes} min.")
    ctx.session.add(TimeEntry(workspace_id=ctx.workspace_id, user_id=ctx.actor.user_id, started_at=clock.now(),
                              note=note.strip()[:500]))
    return [*notes, "Timer started."]


def _stop(entry: TimeEntry) -> None:
    now = clock.now()
    start = clock.utc(entry.started_at)
    entry.ended_at = min(now, start + MAX_TIMER)
    entry.minutes = _minutes(start, entry.ended_at)


def stop_timer(ctx: WorkspaceContext, note: str | None = None) -> list[str]:
    ctx.require(Permission.POSTS_WRITE)
    entry = running(ctx)
    if entry is None:
        raise Conflict("No timer is running for you in this workspace.")
    _stop(entry)
    if note:
        check_text(note, "The note")
        entry.note = note.strip()[:500]
    audit.record(ctx, "time.log", "time_entry", entry.id, f"Logged {entry.minutes} min (timer)", minutes=entry.minutes)
    capped = " (capped at 16 h: correct it if you worked longer)" if entry.minutes >= MAX_TIMER.seconds // 60 else ""
    return [f"Logged {entry.minutes} min{capped}."]


def add_entry(ctx: WorkspaceContext, day: date, minutes: int, note: str = "") -> TimeEntry:
    """Time entered afterwards: `minutes` on `day` (the workspace's calendar day)."""
    ctx.require(Permission.POSTS_WRITE)
    check_text(note, "The note")
    check_day(day, "The day")
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValidationFailed(f"Enter between 1 and {MAX_MINUTES} minutes.")
    today = clock.now().astimezone(zone(ctx.workspace.timezone)).date()
    if day > today:
        raise ValidationFailed("That day is still to come: log time once it is worked.")
    start = clock.utc(datetime.combine(day, time(9), zone(ctx.workspace.timezone)))
    entry = TimeEntry(workspace_id=ctx.workspace_id, user_id=ctx.actor.user_id, started_at=start,
                      ended_at=start + timedelta(minutes=minutes), minutes=minutes, note=note.strip()[:500])
    ctx.session.add(entry)
    ctx.session.flush()
    audit.record(ctx, "time.log", "time_entry", entry.id, f"Logged {minutes} min on {day}", minutes=minutes)
    return entry


def delete_entry(ctx: WorkspaceContext, entry_id: str) -> None:
    ctx.require(Permission.POSTS_WRITE)
    entry = _visible(ctx, entry_id)
    ctx.session.delete(entry)
    audit.record(ctx, "time.delete", "time_entry", entry.id, f"Deleted a time entry of {entry.minutes or 0} min")


def _visible(ctx: WorkspaceContext, entry_id: str) -> TimeEntry:
    entry = ctx.get(TimeEntry, entry_id, what="time entry")
    if entry.user_id != ctx.actor.user_id and not ctx.can(Permission.WORKSPACE_ADMIN):
        raise NotFound(f"No time entry with id {entry_id} of yours here.")
    return entry


def period(ctx: WorkspaceContext, month: str = "") -> Period:
    return parse_period(month, ctx.workspace.timezone) if month else month_of(clock.now(), ctx.workspace.timezone)


@dataclass(frozen=True)
class Row:
    entry: TimeEntry
    person: str
    email: str


def entries(ctx: WorkspaceContext, month: Period) -> list[Row]:
    """The month's finished entries, oldest first: everyone's for an admin, one's own for anyone else."""
    if not ctx.can(Permission.WORKSPACE_ADMIN):
        ctx.require(Permission.POSTS_READ)
    query = (select(TimeEntry, User.name, User.email).outerjoin(User, User.id == TimeEntry.user_id)
             .where(TimeEntry.workspace_id == ctx.workspace_id, TimeEntry.ended_at.is_not(None),
                    TimeEntry.started_at >= month.start, TimeEntry.started_at < month.end)
             .order_by(TimeEntry.started_at, TimeEntry.id))
    if not ctx.can(Permission.WORKSPACE_ADMIN):
        query = query.where(TimeEntry.user_id == ctx.actor.user_id)
    return [Row(e, name or "(former member)", email or "") for e, name, email in ctx.session.execute(query)]


def monthly_csv(ctx: WorkspaceContext, month: Period) -> str:
    """The month for invoicing: one line per entry, then each person's total and the client's total."""
    ctx.require(Permission.WORKSPACE_ADMIN)
    rows = entries(ctx, month)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["client", "date", "person", "email", "minutes", "hours", "note"])
    tz = zone(ctx.workspace.timezone)
    totals: dict[tuple[str, str], int] = {}
    for r in rows:
        minutes = r.entry.minutes or 0
        totals[(r.person, r.email)] = totals.get((r.person, r.email), 0) + minutes
        writer.writerow([ctx.workspace.name, f"{clock.utc(r.entry.started_at).astimezone(tz):%Y-%m-%d}", r.person,
                         r.email, minutes, f"{minutes / 60:.2f}", _safe(r.entry.note)])
    for (person, email), minutes in sorted(totals.items()):
        writer.writerow([ctx.workspace.name, f"total {month.first:%Y-%m}", person, email, minutes,
                         f"{minutes / 60:.2f}", ""])
    total = sum(totals.values())
    writer.writerow([ctx.workspace.name, f"total {month.first:%Y-%m}", "everyone", "", total, f"{total / 60:.2f}", ""])
    return out.getvalue()


def _safe(text: str) -> str:
    """A note as a spreadsheet cell: a leading = + - @ would make it a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
