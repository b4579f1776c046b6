"""The agency overview (every client at a glance), review links, and the client's review page (no account)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from slugify import slugify

from socialdesk.agency import overview as agency
from socialdesk.agency import review_links, time_log
from socialdesk.channels import service as channels
from socialdesk.content import service as content
from socialdesk.core import clock
from socialdesk.core.db import get_database
from socialdesk.core.errors import DomainError, NotFound, ValidationFailed
from socialdesk.core.inputs import parse_day
from socialdesk.core.timezones import zone
from socialdesk.media import service as media
from socialdesk.reports import service as reports
from socialdesk.web.deps import Ctx, CurrentIdentity, DbSession
from socialdesk.web.links import review_link
from socialdesk.web.pages import previews
from socialdesk.web.pages.common import Form, act, attempt, field, fields, redirect, render, ws_url
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter()
COLUMNS = [("name", "Client"), ("scheduled", "This week"), ("approvals", "Awaiting approval"),
           ("waiting", "Oldest waits"), ("failed", "Failed / unconfirmed"), ("reconnect", "Reconnect"),
           ("backlog", "Inbox backlog"), ("overdue", "Overdue"), ("goals", "Goals at risk"),
           ("report", "Last report")]


@router.get("/agency", response_class=HTMLResponse)
@requires(Access.SIGNED_IN)
def overview_page(request: Request, session: DbSession, identity: CurrentIdentity,
                  sort: str = Query("attention", max_length=20), order: str = Query("", max_length=4)) -> HTMLResponse:
    try:
        found = agency.overview(session, identity.actor, token_workspace_id=identity.token_workspace_id,
                                sort=sort, descending=None if order not in ("asc", "desc") else order == "desc")
    except ValidationFailed:
        found = agency.overview(session, identity.actor, token_workspace_id=identity.token_workspace_id)
    return render(request, "agency.html", session=session, overview=found, columns=COLUMNS)


# Review links, from inside the workspace ----------------------------------------------------------------


def _links_page(request: Request, ctx: Ctx, *, errors: list[str] | None = None, new_address: str | None = None,
                status_code: int = 200, form: dict[str, str] | None = None) -> HTMLResponse:
    pending = content.to_out(ctx, content.pending_approval(ctx))
    return render(request, "review_links.html", ctx=ctx, section="approvals", links=review_links.list_links(ctx),
                  pending=pending, new_address=new_address, errors=errors, status_code=status_code,
                  form=form or {}, client_step=review_links.CLIENT_STEP in ctx.workspace.approval_steps)


@router.get("/w/{workspace_id}/review-links", response_class=HTMLResponse)
@requires(Permission.POSTS_APPROVE)
def links_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return _links_page(request, ctx)


def _day(form: Form, name: str) -> date | None:
    value = field(form, name)
    return parse_day(value, name) if value else None


@router.post("/w/{workspace_id}/review-links", response_class=HTMLResponse)
@requires(Permission.POSTS_APPROVE)
def create_link(request: Request, ctx: Ctx, form: Form) -> HTMLResponse:
    def make() -> str:
        days = field(form, "days") or str(review_links.DEFAULT_DAYS)
        if not days.isdigit():
            raise ValidationFailed("Say for how many days the link works, as a number.")
        data = review_links.LinkIn(email=field(form, "email"), post_ids=fields(form, "post_ids"),
                                   range_start=_day(form, "from"), range_end=_day(form, "to"),
                                   days_valid=int(days), message=field(form, "message"), name=field(form, "name"))
        return review_links.create(ctx, data, lambda secret: review_link(request, secret, ctx.workspace))[1]

    address, error = attempt(ctx.session, make)
    if error is not None:
        return _links_page(request, ctx, errors=[error.message], status_code=error.status_code,
                           form={k: field(form, k) for k in ("email", "from", "to", "days", "message", "name")})
    return _links_page(request, ctx, new_address=address)


@router.post("/w/{workspace_id}/review-links/{review_link_id}/revoke")
@requires(Permission.POSTS_APPROVE)
def revoke_link(review_link_id: str, ctx: Ctx) -> Response:
    return act(ctx, lambda: [f"Revoked: the link sent to {review_links.revoke(ctx, review_link_id).email} no longer "
                             "opens anything."], back=ws_url(ctx, "/review-links"))


# The client's side: whoever holds the link, no sign-in ------------------------------------------------


@router.get("/review/{token}", response_class=HTMLResponse, name="review_page")
@requires(Access.PUBLIC)
def review_page(request: Request, token: str, session: DbSession) -> HTMLResponse:
    try:
        link = review_links.open_link(session, token)
    except DomainError as exc:
        return render(request, "review.html", session=session, link=None, errors=[exc.message],
                      status_code=exc.status_code)
    ctx = review_links.client_context(session, link)
    items = review_links.review(ctx, link)
    with get_database().unit_of_work() as writer:  # a GET reads; the "opened" note is a short write of its own
        review_links.note_opened(writer, link.id)
    ids = {pub.channel_id for item in items for pub in item.post.publications}
    by_id = {c.id: c for c in channels.list_channels(ctx) if c.id in ids}
    media_ids = {m for item in items for pub in item.post.publications for m in pub.media_ids}
    return render(request, "review.html", session=session, link=link, token=token, items=items,
                  workspace=ctx.workspace, tz=ctx.workspace.timezone, channels=by_id,
                  marks={i: previews.network_mark(c) for i, c in by_id.items()},
                  assets=previews.media_assets(ctx, media_ids), branding=reports.branding(ctx))


def _client_decision(token: str, session: DbSession, post_id: str, approve: bool, form: Form) -> Response:
    back = f"/review/{token}"
    notes, error = attempt(session, lambda: review_links.decide(session, token, post_id, approve,
                                                                field(form, "comment")))
    if error is not None:
        if error.status_code in (404, 410):
            raise error
        return redirect(f"{back}#post-{post_id}", errors=[error.message])
    return redirect(f"{back}#post-{post_id}", notes=notes or [])


@router.post("/review/{token}/posts/{post_id}/approve")
@requires(Access.PUBLIC)
def client_approve(token: str, post_id: str, session: DbSession, form: Form) -> Response:
    return _client_decision(token, session, post_id, True, form)


@router.post("/review/{token}/posts/{post_id}/changes")
@requires(Access.PUBLIC)
def client_request_changes(token: str, post_id: str, session: DbSession, form: Form) -> Response:
    return _client_decision(token, session, post_id, False, form)


@router.get("/review/{token}/media/{media_id}")
@requires(Access.PUBLIC)
def client_media(token: str, media_id: str, session: DbSession) -> FileResponse:
    asset = review_links.media_file(session, token, media_id)
    thumbnail = bool(asset.thumbnail_key)
    path = media.path_of(asset, thumbnail)
    if not path.exists():
        raise NotFound("The picture is missing.")
    return FileResponse(path, media_type="image/jpeg" if thumbnail else asset.content_type)


@router.get("/review/{token}/logo")
@requires(Access.PUBLIC)
def client_logo(token: str, session: DbSession) -> FileResponse:
    """The workspace's report logo, which the review page shows (its white label)."""
    link = review_links.open_link(session, token)
    logo = reports.branding(review_links.client_context(session, link)).logo
    path = media.path_of(logo, bool(logo.thumbnail_key)) if logo else None
    if logo is None or path is None or not path.exists():
        raise NotFound("This workspace has no logo.")
    return FileResponse(path, media_type="image/jpeg" if logo.thumbnail_key else logo.content_type)


# Time log -------------------------------------------------------------------------------------------


@router.get("/w/{workspace_id}/time", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)  # a viewer sees the page without its forms
def time_page(request: Request, ctx: Ctx, month: str = Query("", max_length=7)) -> HTMLResponse:
    chosen = time_log.period(ctx, month)
    rows = time_log.entries(ctx, chosen)
    return render(request, "time.html", ctx=ctx, section="time", month=chosen, rows=rows,
                  running=time_log.running(ctx), total=sum(r.entry.minutes or 0 for r in rows),
                  previous=f"{chosen.first - timedelta(days=1):%Y-%m}",
                  following=f"{chosen.last + timedelta(days=1):%Y-%m}", today=f"{ctx_today(ctx):%Y-%m-%d}")


def ctx_today(ctx: Ctx) -> date:
    return clock.now().astimezone(zone(ctx.workspace.timezone)).date()


@router.post("/w/{workspace_id}/time/start")
@requires(Permission.POSTS_WRITE)
def start_timer(ctx: Ctx, form: Form) -> Response:
    return act(ctx, lambda: time_log.start_timer(ctx, field(form, "note")), back=ws_url(ctx, "/time"))


@router.post("/w/{workspace_id}/time/stop")
@requires(Permission.POSTS_WRITE)
def stop_timer(ctx: Ctx, form: Form) -> Response:
    return act(ctx, lambda: time_log.stop_timer(ctx, field(form, "note") or None), back=ws_url(ctx, "/time"))


@router.post("/w/{workspace_id}/time/entries")
@requires(Permission.POSTS_WRITE)
def add_time(ctx: Ctx, form: Form) -> Response:
    def add() -> list[str]:
        minutes = _duration(field(form, "hours"), field(form, "minutes"))
        entry = time_log.add_entry(ctx, parse_day(field(form, "day"), "day"), minutes, field(form, "note"))
        return [f"Logged {entry.minutes} min."]

    return act(ctx, add, back=ws_url(ctx, "/time"))


def _duration(hours: str, minutes: str) -> int:
    try:
        total = round(float(hours.replace(",", ".") or 0) * 60) + int(minutes or 0)
    except ValueError:
        raise ValidationFailed("Give the time as hours (e.g. 1.5) and/or minutes (e.g. 20).") from None
    return total


@router.post("/w/{workspace_id}/time/entries/{time_entry_id}/delete")
@requires(Permission.POSTS_WRITE)
def delete_time(time_entry_id: str, ctx: Ctx) -> Response:
    def delete() -> list[str]:
        time_log.delete_entry(ctx, time_entry_id)
        return ["Deleted."]

    return act(ctx, delete, back=ws_url(ctx, "/time"))


@router.get("/w/{workspace_id}/time/export.csv")
@requires(Permission.WORKSPACE_ADMIN)
def time_csv(ctx: Ctx, month: str = Query("", max_length=7)) -> Response:
    chosen = time_log.period(ctx, month)
    name = f"time-{slugify(ctx.workspace.name)}-{chosen.first:%Y-%m}.csv"
    return Response(time_log.monthly_csv(ctx, chosen), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
