"""The goals page: goals with progress, forecast and milestones; setting and removing goals."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.channels import service as channels
from socialdesk.core.errors import ValidationFailed
from socialdesk.goals import service as goals
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, field, render, ws_url
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()


@router.get("/w/{workspace_id}/goals", response_class=HTMLResponse)
@requires(Permission.ANALYTICS_READ)
def goals_page(request: Request, ctx: Ctx) -> HTMLResponse:
    listed = channels.list_channels(ctx)
    return render(request, "analytics/goals.html", ctx=ctx, section="analytics",
                  progress=[goals.progress(ctx, g) for g in goals.list_goals(ctx)], metrics=goals.GOAL_METRICS,
                  channels=listed, channel_names={c.id: c.name for c in listed})


def _number(text: str, what: str) -> float:
    try:
        return float(text.replace(",", "").replace(" ", ""))
    except ValueError:
        raise ValidationFailed(f"{what} must be a number, not {text!r}.") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"Give the due day as YYYY-MM-DD, not {text!r}.") from None


@router.post("/w/{workspace_id}/goals")
@requires(Permission.WORKSPACE_ADMIN)
def create_goal(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        target = field(form, "target")
        goal = goals.create(ctx, goals.GoalIn(
            name=field(form, "name"), metric=field(form, "metric"), target=_number(target, "The target"),
            due_on=_day(field(form, "due_on")), channel_id=field(form, "channel_id") or None,
            increase=target.strip().startswith("+")))
        return [f"Goal set: {goal.name}."]

    return act(ctx, run, back=ws_url(ctx, "/goals"))


@router.post("/w/{workspace_id}/goals/{goal_id}/delete")
@requires(Permission.WORKSPACE_ADMIN)
def delete_goal(goal_id: str, ctx: Ctx) -> Response:
    def run() -> list[str]:
        goals.delete(ctx, goal_id)
        return ["Goal removed."]

    return act(ctx, run, back=ws_url(ctx, "/goals"))
