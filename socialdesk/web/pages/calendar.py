"""The calendar (month grid and week by hour), and moving a post by dragging it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup

from socialdesk.content import assignments
from socialdesk.content import service as content
from socialdesk.core import clock, inputs
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.scheduling import kept_month
from socialdesk.scheduling import service as scheduling
from socialdesk.strategy import key_dates
from socialdesk.strategy import service as strategy
from socialdesk.web.deps import Ctx
from socialdesk.web.pages import previews
from socialdesk.web.pages.common import Form, field, render, set_flash, ws_url
from socialdesk.web.templating import templates
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()
# The week view opens here, or at the first post of the week when that is earlier.
WORKING_DAY_STARTS = 8
# The colours the legend always explains; any other status on screen is added after them.
LEGEND = ("draft", "pending_approval", "scheduled", "published", "failed")
# A month cell shows this many posts, then "+N more" opening that day's week, which shows them all: a day
# with 60 posts is read in the week view anyway, and a month of 2,000 posts stays a page of ~250 entries.
MONTH_CELL_POSTS = 6


@dataclass(frozen=True)
class Span:
    view: str
    start: date  # first day shown
    end: date  # day after the last one shown
    anchor: date  # the day the user asked for
    prev: date
    next: date
    title: str


def parse_day(value: str | None, default: date | None = None) -> date:
    if not value and default is not None:
        return default
    return inputs.parse_day(value or "", "date")


def month_span(anchor: date) -> Span:
    first = anchor.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    # Whole weeks, Monday first, so the grid is a rectangle.
    start = first - timedelta(days=first.weekday())
    last = following - timedelta(days=1)
    end = last + timedelta(days=7 - last.weekday())
    return Span("month", start, end, anchor, (first - timedelta(days=1)).replace(day=1), following,
                f"{first:%B %Y}")


def week_span(anchor: date) -> Span:
    start = anchor - timedelta(days=anchor.weekday())
    end = start + timedelta(days=7)
    last = end - timedelta(days=1)
    title = f"{start:%d %b} – {last:%d %b %Y}" if start.year == last.year else f"{start:%d %b %Y} – {last:%d %b %Y}"
    return Span("week", start, end, anchor, anchor - timedelta(days=7), anchor + timedelta(days=7), title)


@router.get("/w/{workspace_id}/calendar", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def calendar_page(request: Request, ctx: Ctx, view: str = "month",
                  day: str | None = Query(None, alias="date")) -> HTMLResponse:
    # First, before any of the grid's data: a kept grid is never older than the version it is tagged with.
    current = kept_month.version(ctx.session, ctx.workspace_id)
    now = clock.now()
    today = now.astimezone(zone(ctx.workspace.timezone)).date()
    anchor = parse_day(day, today)
    span = week_span(anchor) if view == "week" else month_span(anchor)
    movable = ctx.can(Permission.POSTS_WRITE)
    # Everything the grid's drawing depends on besides the data, which the version covers.
    key = (span.view, span.anchor, today, movable, ctx.workspace.timezone)
    grid = kept_month.kept(ctx.workspace_id, key, current, now)
    if grid is None:
        grid = _draw_grid(ctx, span, today, movable, current, now)
        kept_month.keep(ctx.session, ctx.workspace_id, key, grid)
    return render(request, "calendar.html", ctx=ctx, section="calendar", span=span, today=today,
                  grid=Markup(grid.html), grid_filled=grid.filled,  # drawn by calendar_grid.html, escaped there
                  legend=[*LEGEND, *sorted(grid.statuses - set(LEGEND))], **_mix_and_warnings(ctx))


def _draw_grid(ctx: Ctx, span: Span, today: date, movable: bool, current: int,
               now: datetime) -> kept_month.KeptGrid:
    days = [span.start + timedelta(days=i) for i in range((span.end - span.start).days)]
    # A month cell's first posts only, counted and cut by the database; the week shows all.
    entries, more = scheduling.calendar_cells(ctx, span.start, span.end,
                                              MONTH_CELL_POSTS if span.view == "month" else None)
    shown = [e for day_entries in entries.values() for e in day_entries]
    media_ids = {m for e in shown for m in e.media_ids[:1]}
    statuses = {e.status for e in shown} | {c.status for e in shown for c in e.channels}
    due = assignments.due_by_day(ctx, span.start, span.end)
    marked = key_dates.by_day(ctx, span.start, span.end)
    html = templates.get_template("calendar_grid.html").render(
        w=ws_url(ctx), ws=ctx.workspace, tz=ctx.workspace.timezone, can={"posts_write": movable},
        span=span, days=days, weeks=[days[i:i + 7] for i in range(0, len(days), 7)], entries=entries, more=more,
        today=today, hours=range(24), marks=previews.network_marks(ctx),
        assets=previews.media_assets(ctx, media_ids),
        scroll_hour=min([WORKING_DAY_STARTS, *(e.at.hour for e in shown)]), due=due, key_dates=marked,
        post_pillars=strategy.post_pillar_names(ctx) if strategy.pillars(ctx) else {})
    # An open assignment shown as not yet overdue turns overdue at its due time, without any write.
    turns = [d.due_at for items in due.values() for d in items
             if d.status == "open" and not d.overdue and d.due_at is not None and d.due_at > now]
    return kept_month.KeptGrid(current, min(turns, default=None), html, bool(entries or due or marked),
                               frozenset(statuses))


def _mix_and_warnings(ctx: Ctx) -> dict[str, object]:
    """The planned content mix against the calendar's and the gap warnings (strategy/service.mix), or without
    pillars the warnings of coming key dates: both count against the present moment, so they are drawn on
    every request, not kept with the grid."""
    soon = clock.now().date()
    keys = key_dates.listing(ctx, soon - timedelta(days=1), soon + timedelta(days=key_dates.WARN_AHEAD_DAYS + 2))
    if not strategy.pillars(ctx):
        return {"mix": None, "key_date_warnings": key_dates.gap_warnings(ctx, keys=keys)}
    return {"mix": strategy.mix(ctx, key_dates=keys), "key_date_warnings": []}


@router.post("/w/{workspace_id}/posts/{post_id}/move")
@requires(Permission.POSTS_WRITE)
def move_post(post_id: str, ctx: Ctx, form: Form) -> JSONResponse:
    """The calendar's drop target: a new day (month view) or day and hour (week view), in the workspace's zone.

    Errors go through the app's handler, which answers JSON to the script (it asks for JSON) with the
    service's message; the script shows it and leaves the post where it was.
    """
    day = parse_day(field(form, "date"))
    try:
        hour, minute = (int(part) for part in field(form, "time", "09:00").split(":")[:2])
        when = datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)
    except ValueError:
        raise ValidationFailed("The time must look like 14:30.") from None
    notes = content.reschedule(ctx, post_id, when, ctx.workspace.timezone)
    response = JSONResponse({"ok": True, "notes": notes})
    set_flash(response, notes=[f"Moved to {when:%a %d %b %Y, %H:%M} ({ctx.workspace.timezone}).", *notes])
    return response
