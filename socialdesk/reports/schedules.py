"""Weekly and monthly reports by e-mail.

A period's report is sent a week after the period ends, at 08:00 in the workspace's time zone, so
that its last posts have their numbers at 7 days. Sending is at least once: if the process dies
after the mail went out and before the schedule moved on, the report is sent again.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy import select

from socialdesk.agency.white_label import sender_name
from socialdesk.analytics.periods import Period, month_of, week_of
from socialdesk.audit import service as audit
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.reports import files, mail, service
from socialdesk.reports.models import Frequency, ReportSchedule
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission
from socialdesk.workspaces.service import system_context

SEND_DELAY = timedelta(days=7)
SEND_AT = time(8, 0)
MAX_RECIPIENTS = 20
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


def _period_containing(frequency: str, moment: datetime, timezone: str) -> Period:
    return month_of(moment, timezone) if frequency == Frequency.MONTHLY else week_of(moment, timezone)


def send_time(period: Period) -> datetime:
    return datetime.combine(period.last + SEND_DELAY + timedelta(days=1), SEND_AT, tzinfo=zone(period.timezone))


def next_run(frequency: str, after: datetime, timezone: str) -> tuple[datetime, Period]:
    """The first sending moment after `after`, and the period it reports on."""
    period = _period_containing(frequency, after - SEND_DELAY - timedelta(days=1), timezone)
    while send_time(period) <= after:
        period = period.next()
    return send_time(period), period


def create(ctx: WorkspaceContext, frequency: str, fmt: str, recipients: list[str]) -> ReportSchedule:
    ctx.require(Permission.WORKSPACE_ADMIN)
    if frequency not in (Frequency.WEEKLY, Frequency.MONTHLY):
        raise ValidationFailed(f"Frequency must be weekly or monthly, not {frequency!r}.")
    chosen = files.report_format(fmt)
    clean = sorted({r.strip().lower() for r in recipients if r.strip()})
    wrong = [r for r in clean if not _EMAIL.match(r)]
    if wrong or not clean or len(clean) > MAX_RECIPIENTS:
        raise ValidationFailed(f"Give 1 to {MAX_RECIPIENTS} e-mail addresses"
                               + (f"; these are not addresses: {', '.join(wrong)}." if wrong else "."))
    at, _ = next_run(frequency, clock.now(), ctx.workspace.timezone)
    schedule = ReportSchedule(workspace_id=ctx.workspace_id, frequency=frequency, format=chosen.value,
                              recipients=clean, next_run_at=at, created_by_id=ctx.actor.user_id)
    ctx.session.add(schedule)
    ctx.session.flush()
    audit.record(ctx, "report_schedule.create", "report_schedule", schedule.id,
                 f"{frequency.capitalize()} {chosen.value.upper()} report to {', '.join(clean)}")
    return schedule


def list_schedules(ctx: WorkspaceContext) -> list[ReportSchedule]:
    return list(ctx.session.scalars(ctx.select(ReportSchedule).order_by(ReportSchedule.created_at)))


def get(ctx: WorkspaceContext, schedule_id: str) -> ReportSchedule:
    return ctx.get(ReportSchedule, schedule_id, what="report schedule")


def delete(ctx: WorkspaceContext, schedule_id: str) -> None:
    ctx.require(Permission.WORKSPACE_ADMIN)
    schedule = get(ctx, schedule_id)
    audit.record(ctx, "report_schedule.delete", "report_schedule", schedule.id, "Stopped a scheduled report")
    ctx.session.delete(schedule)


def due_ids(db: Database, now: datetime) -> list[str]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(ReportSchedule.id).where(ReportSchedule.next_run_at <= now)))


def send_due(db: Database, schedule_id: str) -> bool:
    """Send the schedule's report if it is due; True when a mail went out."""
    now = clock.now()
    with db.unit_of_work(read_only=True) as session:
        schedule = session.get(ReportSchedule, schedule_id)
        if schedule is None or clock.utc(schedule.next_run_at) > now:
            return False  # deleted, or another run sent it already
        ctx = system_context(session, schedule.workspace_id, "scheduled report")
        period = _period_containing(schedule.frequency, clock.utc(schedule.next_run_at) - SEND_DELAY
                                    - timedelta(days=1), ctx.workspace.timezone)
        report = service.build(ctx, period)
        made = files.make(report, schedule.format)
        recipients, subject = list(schedule.recipients), f"{report.title}: {period.label}"
        sender = sender_name(ctx.workspace)
    error = None
    try:
        mail.send(recipients, subject, f"The {schedule.frequency} report for {period.label} is attached.\n\n"
                                       f"— socialdesk", made, sender_name=sender)
    except (OSError, ValidationFailed) as exc:  # smtplib's errors are OSErrors
        error = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    with db.unit_of_work() as session:
        schedule = session.get(ReportSchedule, schedule_id)
        if schedule is None:
            return error is None
        if error is None:
            schedule.last_sent_at, schedule.last_period, schedule.last_error = now, period.key, None
            schedule.next_run_at, _ = next_run(schedule.frequency, now, period.timezone)
        else:
            schedule.last_error = f"{now:%Y-%m-%d %H:%M} UTC: {error}"
    if error is not None:
        raise RuntimeError(f"Report e-mail for schedule {schedule_id} failed: {error}")
    return True
