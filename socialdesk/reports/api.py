"""Reports: download one for a period; the workspace's report branding; scheduled e-mails."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from socialdesk.analytics.periods import PERIOD_HELP, parse_period
from socialdesk.analytics.post_values import Age
from socialdesk.reports import files, schedules, service
from socialdesk.reports.models import ReportSchedule
from socialdesk.reports.schemas import BrandingIn
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["reports"])


def download(report: service.Report, fmt: str, table: str = "posts") -> Response:
    made = files.make(report, fmt, table=table)
    disposition = "inline" if made.filename.endswith(".html") else "attachment"
    return Response(made.data, media_type=made.content_type,
                    headers={"Content-Disposition": f'{disposition}; filename="{made.filename}"'})


@router.get("/workspaces/{workspace_id}/report")
@requires(Permission.REPORTS_READ)
def report(ctx: Ctx, period: str = Query(..., description=PERIOD_HELP), format: str = "pdf",
           table: str = Query("posts", description="for CSV: posts, kpis, followers or engagement_by_day"),
           age: Age = Age.D7) -> Response:
    """The progress report for a period as PDF, HTML, XLSX (every table) or CSV (one table)."""
    chosen = files.report_format(format)
    return download(service.build(ctx, parse_period(period, ctx.workspace.timezone), age=age), chosen, table)


class BrandingOut(BrandingIn):
    primary_colour: str


@router.get("/workspaces/{workspace_id}/report-branding")
@requires(Permission.REPORTS_READ)
def get_branding(ctx: Ctx) -> BrandingOut:
    b = service.branding(ctx)
    return BrandingOut(logo_media_id=b.logo.id if b.logo else None, accent_colour=b.accent, title=b.title,
                       footer=b.footer, primary_colour=b.primary)


@router.put("/workspaces/{workspace_id}/report-branding")
@requires(Permission.WORKSPACE_ADMIN)
def put_branding(data: BrandingIn, ctx: Ctx) -> BrandingOut:
    service.save_branding(ctx, logo_media_id=data.logo_media_id, accent_colour=data.accent_colour, title=data.title,
                          footer=data.footer)
    return get_branding(ctx)


class ScheduleIn(BaseModel):
    frequency: str = Field(description="weekly or monthly")
    format: str = Field("pdf", description="pdf, html, xlsx or csv")
    recipients: list[str]


class ScheduleOut(ScheduleIn):
    id: str
    next_run_at: datetime
    last_sent_at: datetime | None
    last_period: str | None
    last_error: str | None

    @classmethod
    def of(cls, s: ReportSchedule) -> ScheduleOut:
        return cls(id=s.id, frequency=s.frequency, format=s.format, recipients=list(s.recipients),
                   next_run_at=s.next_run_at, last_sent_at=s.last_sent_at, last_period=s.last_period,
                   last_error=s.last_error)


@router.get("/workspaces/{workspace_id}/report-schedules")
@requires(Permission.WORKSPACE_ADMIN)
def list_schedules(ctx: Ctx) -> list[ScheduleOut]:
    return [ScheduleOut.of(s) for s in schedules.list_schedules(ctx)]


@router.post("/workspaces/{workspace_id}/report-schedules", status_code=201)
@requires(Permission.WORKSPACE_ADMIN)
def create_schedule(data: ScheduleIn, ctx: Ctx) -> ScheduleOut:
    return ScheduleOut.of(schedules.create(ctx, data.frequency, data.format, data.recipients))


@router.get("/workspaces/{workspace_id}/report-schedules/{schedule_id}")
@requires(Permission.WORKSPACE_ADMIN)
def get_schedule(schedule_id: str, ctx: Ctx) -> ScheduleOut:
    return ScheduleOut.of(schedules.get(ctx, schedule_id))


@router.delete("/workspaces/{workspace_id}/report-schedules/{schedule_id}", status_code=204)
@requires(Permission.WORKSPACE_ADMIN)
def delete_schedule(schedule_id: str, ctx: Ctx) -> Response:
    schedules.delete(ctx, schedule_id)
    return Response(status_code=204)
