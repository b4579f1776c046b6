"""The competitors page: follow public Bluesky/Mastodon accounts, YouTube channels and VK walls, snapshot
them now, remove them, the benchmark against the workspace's own channels with intervals and sample sizes,
and its CSV export."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.competitors import discovery
from socialdesk.competitors import service as competitors
from socialdesk.competitors.models import Competitor
from socialdesk.competitors.service import MAX_PERIOD_DAYS
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, field, render, ws_url
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()
PERIODS = (7, 30, 90)


@router.get("/w/{workspace_id}/competitors", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def competitors_page(request: Request, ctx: Ctx, days: str = "30") -> HTMLResponse:
    problems: list[str] = []
    period = int(days) if days.isdigit() and 1 <= int(days) <= MAX_PERIOD_DAYS else 30
    if str(period) != days:
        problems.append(f"The period is 1 to {MAX_PERIOD_DAYS} days; showing 30.")
    accounts = competitors.competitors(ctx) if ctx.can(Permission.INBOX_READ) else []
    return render(request, "competitors.html", ctx=ctx, section="competitors", problems=problems, days=period,
                  periods=PERIODS, listed=[{**competitors.as_dict(ctx, c), **_costs(ctx, c)} for c in accounts],
                  x_cost_before=discovery.cost_before(),
                  bench=competitors.benchmark(ctx, days=period), can_edit=ctx.can(Permission.INBOX_WRITE))


def _costs(ctx: Ctx, competitor: Competitor) -> dict[str, str]:
    """X competitors: what a snapshot may cost, and what the newest one did."""
    if competitor.network != "x":
        return {}
    spent = discovery.spent(competitor, competitors.latest_snapshot(ctx, competitor))
    return {"cost_before": discovery.estimate(competitor, with_prices=False),
            "cost_after": spent.text() if spent else ""}


@router.post("/w/{workspace_id}/competitors")
@requires(Permission.INBOX_WRITE)
def add_competitor(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        added = competitors.add(ctx, network=field(form, "network"), handle=field(form, "handle"),
                                service=field(form, "service") or None, notes=field(form, "notes"))
        return [f"{added.handle} added: it is snapshotted daily, or now with “Snapshot now”."]

    return act(ctx, run, back=ws_url(ctx, "/competitors"))


@router.post("/w/{workspace_id}/competitors/snapshot")
@requires(Permission.INBOX_WRITE)
def snapshot_all(ctx: Ctx) -> Response:
    def run() -> list[str]:
        notes = []
        for result in competitors.snapshot_all(ctx):
            c = result.competitor
            spent = discovery.spent(c, result.snapshot)
            notes.append(f"{c.handle}: failed — {result.error}" if result.error else
                         f"{c.handle}: {result.snapshot.followers if result.snapshot else '?'} followers, "
                         f"{len(result.snapshot.posts) if result.snapshot else 0} recent posts"
                         + (f"; X billed {spent.text()}." if spent is not None else "."))
        return notes or ["No competitors yet."]

    return act(ctx, run, back=ws_url(ctx, "/competitors"))


@router.post("/w/{workspace_id}/competitors/{competitor_id}/delete")
@requires(Permission.INBOX_WRITE)
def remove_competitor(ctx: Ctx, competitor_id: str) -> Response:
    def run() -> list[str]:
        competitors.remove(ctx, competitor_id)
        return ["Competitor removed with its snapshots."]

    return act(ctx, run, back=ws_url(ctx, "/competitors"))


@router.get("/w/{workspace_id}/competitors/export.csv")
@requires(Permission.ANALYTICS_READ)
def export_csv(ctx: Ctx, days: str = "30") -> Response:
    from socialdesk.competitors.export import to_csv

    period = int(days) if days.isdigit() and 1 <= int(days) <= MAX_PERIOD_DAYS else 30
    return Response(to_csv(competitors.benchmark(ctx, days=period)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="competitors-{period}d.csv"'})
