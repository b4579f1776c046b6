"""The reports page: view or download a period's report, the report branding, scheduled e-mails."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.analytics.periods import Period, month_of, parse_period
from socialdesk.core import clock
from socialdesk.media import service as media
from socialdesk.reports import files, schedules, service
from socialdesk.reports.api import download
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, field, render, ws_url
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()


@router.get("/w/{workspace_id}/reports", response_class=HTMLResponse)
@requires(Permission.REPORTS_READ)
def reports_page(request: Request, ctx: Ctx) -> HTMLResponse:
    this_month = month_of(clock.now(), ctx.workspace.timezone)
    is_admin = ctx.can(Permission.WORKSPACE_ADMIN)
    return render(request, "analytics/reports.html", ctx=ctx, section="analytics",
                  suggestions=[this_month.previous(), this_month], branding=service.branding(ctx),
                  # Recipients' addresses and the media library are for the admins who manage them.
                  schedules=schedules.list_schedules(ctx) if is_admin else [],
                  images=[m for m in media.list_media(ctx) if m.kind == "image"] if is_admin else [])


def _chosen(ctx: WorkspaceContext, period: str) -> Period:
    """The period asked for; none: the last complete month."""
    if period:
        return parse_period(period, ctx.workspace.timezone)
    return month_of(clock.now(), ctx.workspace.timezone).previous()


@router.get("/w/{workspace_id}/reports/view", response_class=HTMLResponse)
@requires(Permission.REPORTS_READ)
def view_report(ctx: Ctx, period: str = "") -> HTMLResponse:
    return HTMLResponse(files.make(service.build(ctx, _chosen(ctx, period)), "html").data)


@router.get("/w/{workspace_id}/reports/download")
@requires(Permission.REPORTS_READ)
def download_report(ctx: Ctx, period: str = "", format: str = "pdf", table: str = "posts") -> Response:
    return download(service.build(ctx, _chosen(ctx, period)), files.report_format(format), table)


@router.post("/w/{workspace_id}/reports/branding")
@requires(Permission.WORKSPACE_ADMIN)
def save_branding(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        service.save_branding(ctx, logo_media_id=field(form, "logo_media_id") or None,
                              accent_colour=field(form, "accent_colour") or "#f08c00", title=field(form, "title"),
                              footer=field(form, "footer"))
        return ["Report branding saved."]

    return act(ctx, run, back=ws_url(ctx, "/reports"))


@router.post("/w/{workspace_id}/reports/schedules")
@requires(Permission.WORKSPACE_ADMIN)
def create_schedule(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        made = schedules.create(ctx, field(form, "frequency"), field(form, "format") or "pdf",
                                field(form, "recipients").replace(";", ",").split(","))
        return [f"Scheduled: the {made.frequency} report goes to {', '.join(made.recipients)}."]

    return act(ctx, run, back=ws_url(ctx, "/reports"))


@router.post("/w/{workspace_id}/reports/schedules/{schedule_id}/delete")
@requires(Permission.WORKSPACE_ADMIN)
def delete_schedule(schedule_id: str, ctx: Ctx) -> Response:
    def run() -> list[str]:
        schedules.delete(ctx, schedule_id)
        return ["Scheduled report stopped."]

    return act(ctx, run, back=ws_url(ctx, "/reports"))
