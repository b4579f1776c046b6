"""Analytics pages: the workspace's and each channel's dashboard, the best time to post, the definitions."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from socialdesk.analytics import best_time
from socialdesk.analytics import dashboard as dashboards
from socialdesk.analytics.definitions import METRICS, RANKING, format_value
from socialdesk.analytics.periods import Period, last_days, parse_period
from socialdesk.analytics.post_values import AGE_LABELS, Age
from socialdesk.analytics.statistics import VERDICT_TEXT
from socialdesk.channels import service as channels
from socialdesk.core import clock
from socialdesk.core.errors import DomainError
from socialdesk.strategy import key_dates
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import attempt, partial, render
from socialdesk.web.templating import templates
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()
RANGES = (7, 28, 90)
HEAT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _period(ctx: WorkspaceContext, period: str, days: int) -> tuple[Period, str | None]:
    """The chosen period; an unreadable one falls back to the last 28 days, with the reason shown."""
    if period:
        try:
            return parse_period(period, ctx.workspace.timezone), None
        except DomainError as error:
            return last_days(28, clock.now(), ctx.workspace.timezone), error.message
    return last_days(days if days in RANGES else 28, clock.now(), ctx.workspace.timezone), None


def _chart_data(board: dashboards.Dashboard) -> dict[str, Any]:
    """The numbers the charts draw, for analytics.js (also printed as tables beside them). The template
    serialises them with `tojson`, which escapes <, >, & and ' so no name can end or re-open the script."""
    names = {c.id: c.name for c in board.channels}
    return {
        "followers": {"labels": sorted({d.isoformat() for points in board.followers.values() for d, _ in points}),
                      "series": {names.get(cid, "?"): {d.isoformat(): n for d, n in points}
                                 for cid, points in board.followers.items()}},
        "engagement": {"labels": [d.isoformat() for d, *_ in board.engagement],
                       "engagements": [e for _, _, e, _ in board.engagement],
                       "rate": [None if r is None else round(r, 3) for *_, r in board.engagement],
                       "rate_label": f"{board.rank_by.label} (%)"},
    }


def _choices(age: str, rank_by: str) -> tuple[Age, str]:
    return (Age(age) if age in Age._value2member_map_ else Age.D7,
            rank_by if rank_by in RANKING else dashboards.DEFAULT_RANK_BY)


def _board_page(request: Request, ctx: WorkspaceContext, *, channel_id: str | None, period: str, days: int,
                age: str, rank_by: str) -> HTMLResponse:
    chosen, error = _period(ctx, period, days)
    chosen_age, ranking = _choices(age, rank_by)
    board = dashboards.build(ctx, chosen, channel_id=channel_id, age=chosen_age, rank_by=ranking,
                             with_breakdowns=False)
    channel = channels.get(ctx, channel_id) if channel_id else None
    # A channel's own best times stay on its page (one channel: kept between views, see best_time.recommend);
    # the workspace's overview of every channel's comes with the breakdowns.
    best = best_time.recommend(ctx, channel_id) if channel_id else None
    more_url = f"{request.url.path}/more" + (f"?{request.url.query}" if request.url.query else "")
    marked = key_dates.around(ctx, board.period.start, board.period.end, first=board.period.first,
                              last=board.period.last, timezone=board.period.timezone,
                              channel_ids=[channel_id] if channel_id else None)
    chart_data = _chart_data(board)
    # Key dates shaded on the engagement chart over the days they cover (analytics.js, keyDateBands).
    chart_data["engagement"]["key_dates"] = [{"name": k["name"], "first": k["days"][0], "last": k["days"][-1]}
                                             for k in marked if k["days"]]
    return render(request, "analytics/dashboard.html", ctx=ctx, section="analytics", board=board, channel=channel,
                  best=best, heat_days=HEAT_DAYS, period_value=period, days=days, ranges=RANGES,
                  age=board.age.value, more_url=more_url,
                  ages=AGE_LABELS, ranking=[METRICS[k] for k in RANKING], chart_data=chart_data,
                  all_channels=channels.list_channels(ctx), errors=[error] if error else None, key_dates=marked,
                  status_code=422 if error else 200)


def _more(request: Request, ctx: WorkspaceContext, *, channel_id: str | None, period: str, days: int, age: str,
          rank_by: str) -> HTMLResponse:
    """The dashboard's slower half, fetched by the page after the KPIs: the breakdowns, and on the workspace's
    dashboard every channel's best times."""
    chosen, _ = _period(ctx, period, days)
    chosen_age, ranking = _choices(age, rank_by)
    if channel_id:
        channels.get(ctx, channel_id)
    found = dashboards.breakdowns_of(ctx, chosen, channel_id=channel_id, age=chosen_age, rank_by=ranking)
    overview = [] if channel_id else [best_time.recommend(ctx, c.id) for c in channels.list_channels(ctx)]
    return partial(request, "analytics/breakdowns.html", ctx=ctx, board=SimpleNamespace(
        rank_by=METRICS[ranking], breakdowns=found), overview=overview)


@router.get("/w/{workspace_id}/analytics", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def workspace_analytics(request: Request, ctx: Ctx, period: str = "", days: int = 28, age: str = "7d",
                        rank_by: str = dashboards.DEFAULT_RANK_BY) -> HTMLResponse:
    return _board_page(request, ctx, channel_id=None, period=period, days=days, age=age, rank_by=rank_by)


@router.get("/w/{workspace_id}/analytics/more", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def workspace_analytics_more(request: Request, ctx: Ctx, period: str = "", days: int = 28, age: str = "7d",
                             rank_by: str = dashboards.DEFAULT_RANK_BY) -> HTMLResponse:
    return _more(request, ctx, channel_id=None, period=period, days=days, age=age, rank_by=rank_by)


@router.get("/w/{workspace_id}/channels/{channel_id}/analytics", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def channel_analytics(request: Request, channel_id: str, ctx: Ctx, period: str = "", days: int = 28,
                      age: str = "7d", rank_by: str = dashboards.DEFAULT_RANK_BY) -> HTMLResponse:
    return _board_page(request, ctx, channel_id=channel_id, period=period, days=days, age=age, rank_by=rank_by)


@router.get("/w/{workspace_id}/channels/{channel_id}/analytics/more", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def channel_analytics_more(request: Request, channel_id: str, ctx: Ctx, period: str = "", days: int = 28,
                           age: str = "7d", rank_by: str = dashboards.DEFAULT_RANK_BY) -> HTMLResponse:
    return _more(request, ctx, channel_id=channel_id, period=period, days=days, age=age, rank_by=rank_by)


@router.get("/w/{workspace_id}/analytics/definitions", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def definitions(request: Request, ctx: Ctx) -> HTMLResponse:
    return render(request, "analytics/definitions.html", ctx=ctx, section="analytics", metrics=list(METRICS.values()))


@router.get("/w/{workspace_id}/compose/best-time", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def composer_best_time(request: Request, ctx: Ctx, channel_ids: list[str] = Query(default=[])) -> HTMLResponse:
    """The composer's "best time" option: the next recommended time free on the ticked channels."""
    for channel_id in channel_ids:
        channels.get(ctx, channel_id)
    if not channel_ids:
        return partial(request, "analytics/best_slot.html", ctx=ctx, at=None, error="Tick the channels first.")
    at, error = attempt(ctx.session, lambda: best_time.next_best_slot(ctx, channel_ids))
    return partial(request, "analytics/best_slot.html", ctx=ctx, at=at, error=error.message if error else None)


def _heat_colour(value: float | None, low: float | None, high: float | None) -> str:
    """Warmer for a better hour; paler the wider its interval (the less sure we are)."""
    if value is None:
        return "background: transparent"
    strength = max(0.0, min(1.0, (value - 0.5) / 1.0))
    sureness = 0.35 if low is None or high is None else max(0.25, min(1.0, 1 - (high - low) / max(value, 0.1) / 2))
    return f"background: rgba(240, 140, 0, {strength * sureness:.2f})"


def _verdict_text(verdict: object) -> str:
    return VERDICT_TEXT.get(verdict, "") if verdict else ""  # type: ignore[call-overload]


templates.env.filters["metric_value"] = format_value
templates.env.filters["verdict_text"] = _verdict_text
templates.env.globals["heat_colour"] = _heat_colour
