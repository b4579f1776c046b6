"""Import & feeds: CSV import of posts (every problem shown before anything is saved), the template, the
export with metrics, the iCal feeds of scheduled posts and the RSS/Atom feeds into drafts or the queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from socialdesk.bulk import calendar_feed, csv_import, export, newsfeeds
from socialdesk.channels import service as channels
from socialdesk.core.config import get_settings
from socialdesk.core.db import get_database
from socialdesk.core.errors import DomainError
from socialdesk.web.deps import Ctx, DbSession
from socialdesk.web.pages.common import Form, act, attempt, field, fields, render, ws_url
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter()


def _page(request: Request, ctx: WorkspaceContext, *, result: csv_import.ImportResult | None = None,
          new_feed_address: str | None = None, errors: list[str] | None = None, status_code: int = 200,
          filename: str = "") -> HTMLResponse:
    reads = ctx.can(Permission.POSTS_READ)  # a token may import (posts:write) without reading the rest
    every = channels.list_channels(ctx) if reads else []
    return render(request, "bulk.html", ctx=ctx, section="bulk", result=result, filename=filename,
                  columns=csv_import.COLUMNS, calendar_feeds=calendar_feed.feeds(ctx) if reads else [],
                  new_feed_address=new_feed_address, news_feeds=newsfeeds.feeds(ctx) if reads else [],
                  channels=every, channel_names={c.id: c.name for c in every}, errors=errors,
                  status_code=status_code)


@router.get("/w/{workspace_id}/bulk", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def bulk_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return _page(request, ctx)


@router.get("/w/{workspace_id}/bulk/template.csv")
@requires(Permission.POSTS_READ)
def import_template(ctx: Ctx) -> Response:
    return Response(csv_import.template(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="socialdesk-posts-template.csv"'})


@router.post("/w/{workspace_id}/bulk/import", response_class=HTMLResponse)
@requires(Permission.POSTS_WRITE)
def import_file(request: Request, ctx: Ctx, form: Form) -> HTMLResponse:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, ctx, errors=["Choose a CSV file to import."], status_code=422)
    data = upload.file.read(csv_import.MAX_FILE_BYTES + 1)
    result, error = attempt(ctx.session, lambda: csv_import.import_posts(
        ctx, data, dry_run=field(form, "check_only") == "on"))
    if error is not None:
        return _page(request, ctx, errors=[error.message], status_code=422, filename=upload.filename)
    assert result is not None
    return _page(request, ctx, result=result, filename=upload.filename, status_code=200 if result.ok else 422)


@router.get("/w/{workspace_id}/bulk/export")
@requires(Permission.POSTS_READ)
def export_posts(ctx: Ctx, format: str = "csv") -> Response:
    rows = export.records(ctx)
    if format == "json":
        return Response(export.to_json(rows, ctx.workspace.name), media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="posts.json"'})
    return Response(export.to_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="posts.csv"'})


# iCal feeds ---------------------------------------------------------------------------------------------


@router.post("/w/{workspace_id}/bulk/calendar-feeds", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def create_calendar_feed(request: Request, ctx: Ctx, form: Form) -> HTMLResponse:
    made, error = attempt(ctx.session, lambda: calendar_feed.create(ctx, field(form, "label")))
    if error is not None or made is None:
        return _page(request, ctx, errors=[error.message if error else "Not made."], status_code=422)
    address = str(request.url_for("calendar_feed", token=made[1]))
    return _page(request, ctx, new_feed_address=address)


@router.post("/w/{workspace_id}/bulk/calendar-feeds/{calendar_feed_id}/revoke")
@requires(Permission.POSTS_READ)
def revoke_calendar_feed(calendar_feed_id: str, ctx: Ctx) -> Response:
    return act(ctx, lambda: [f"Revoked: the calendar feed {calendar_feed.revoke(ctx, calendar_feed_id).label!r} "
                             "no longer answers."], back=ws_url(ctx, "/bulk"))


@router.get("/ical/{token}", name="calendar_feed")
@requires(Access.PUBLIC)
def calendar_feed_file(token: str, session: DbSession) -> Response:
    token = token.removesuffix(".ics")
    calendar_feed.open_feed(session, token)  # 404 before any write
    with get_database().unit_of_work() as writer:  # notes when it was last read
        body = calendar_feed.render(writer, token, get_settings().public_url or "")
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300"})


# RSS/Atom feeds -----------------------------------------------------------------------------------------


@router.post("/w/{workspace_id}/bulk/news-feeds")
@requires(Permission.POSTS_WRITE)
def add_news_feed(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        try:
            minutes = int(field(form, "interval_minutes") or "60")
        except ValueError:
            minutes = -1
        feed = newsfeeds.add(ctx, field(form, "url"), fields(form, "channel_ids"),
                             template=field(form, "template") or "{title} {link}",
                             target=field(form, "target") or "draft", interval_minutes=minutes)
        return [f"Feed added: {feed.url}. It is checked every {feed.interval_minutes} minutes; "
                "use “Check now” to fetch it at once."]
    return act(ctx, run, back=ws_url(ctx, "/bulk#feeds"))


@router.post("/w/{workspace_id}/bulk/news-feeds/{news_feed_id}/poll")
@requires(Permission.POSTS_WRITE)
def poll_news_feed(news_feed_id: str, ctx: Ctx) -> Response:
    def run() -> list[str]:
        made = newsfeeds.poll(ctx, news_feed_id)
        feed = ctx.get(newsfeeds.NewsFeed, news_feed_id)
        if feed.last_error:
            raise DomainError(f"{feed.url}: {feed.last_error}")
        return [f"{len(made)} new post(s) from the feed." if made else "No new entries in the feed."]
    return act(ctx, run, back=ws_url(ctx, "/bulk#feeds"))


@router.post("/w/{workspace_id}/bulk/news-feeds/{news_feed_id}/pause")
@requires(Permission.POSTS_WRITE)
def pause_news_feed(news_feed_id: str, ctx: Ctx, form: Form) -> Response:
    active = field(form, "active") == "on"
    def run() -> list[str]:
        return [f"Feed {'resumed' if newsfeeds.set_active(ctx, news_feed_id, active).active else 'paused'}."]
    return act(ctx, run, back=ws_url(ctx, "/bulk#feeds"))


@router.post("/w/{workspace_id}/bulk/news-feeds/{news_feed_id}/delete")
@requires(Permission.POSTS_WRITE)
def delete_news_feed(news_feed_id: str, ctx: Ctx) -> Response:
    return act(ctx, lambda: [newsfeeds.remove(ctx, news_feed_id) or "Feed removed."], back=ws_url(ctx, "/bulk#feeds"))
