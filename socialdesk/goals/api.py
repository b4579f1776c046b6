"""Goals and milestones, with progress and forecasts."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from socialdesk.core.inputs import Day, Number, Text
from socialdesk.goals import service
from socialdesk.goals.models import Goal
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["goals"])


class MilestoneIn(BaseModel):
    due_on: Day
    target: Number


class GoalIn(BaseModel):
    name: Text = Field(max_length=200)
    metric: str = Field(description=f"one of {', '.join(service.GOAL_METRICS)}")
    target: Number
    due_on: Day
    channel_id: str | None = Field(None, description="null: the whole workspace")
    increase: bool = Field(False, description="the target is an increase over today's value (+2,000 followers)")
    at_least: bool | None = Field(None, description="null: the metric's usual direction")
    milestones: list[MilestoneIn] | None = Field(None, description="null: monthly steps are proposed")


class MilestoneOut(MilestoneIn):
    id: str
    status: str
    outcome_value: float | None
    outcome_at: datetime | None


class ForecastOut(BaseModel):
    value: float
    low: float
    high: float
    probability: float
    basis: str


class GoalOut(BaseModel):
    id: str
    name: str
    metric: str
    metric_label: str
    channel_id: str | None
    at_least: bool
    target: float
    baseline: float | None
    start_on: date
    due_on: date
    status: str
    outcome_value: float | None
    outcome_at: datetime | None
    current: float | None
    current_low: float | None = None
    current_high: float | None = None
    current_window: str
    progress: float | None
    outlook: str
    explanation: str
    forecast: ForecastOut | None
    milestones: list[MilestoneOut]


def goal_out(ctx: Ctx, goal: Goal) -> GoalOut:
    p = service.progress(ctx, goal)
    estimate = p.current.estimate
    return GoalOut(
        id=goal.id, name=goal.name, metric=goal.metric, metric_label=p.metric.label, channel_id=goal.channel_id,
        at_least=goal.at_least, target=goal.target, baseline=goal.baseline, start_on=goal.start_on,
        due_on=goal.due_on, status=goal.status, outcome_value=goal.outcome_value, outcome_at=goal.outcome_at,
        current=p.current.value, current_low=estimate.low if estimate else None,
        current_high=estimate.high if estimate else None, current_window=p.current.window, progress=p.share,
        outlook=p.outlook, explanation=p.explanation,
        forecast=ForecastOut(**p.forecast.__dict__) if p.forecast else None,
        milestones=[MilestoneOut(id=m.id, due_on=m.due_on, target=m.target, status=m.status,
                                 outcome_value=m.outcome_value, outcome_at=m.outcome_at) for m in p.milestones])


@router.get("/workspaces/{workspace_id}/goals")
@requires(Permission.ANALYTICS_READ)
def list_goals(ctx: Ctx) -> list[GoalOut]:
    return [goal_out(ctx, g) for g in service.list_goals(ctx)]


@router.post("/workspaces/{workspace_id}/goals", status_code=201)
@requires(Permission.WORKSPACE_ADMIN)
def create_goal(data: GoalIn, ctx: Ctx) -> GoalOut:
    goal = service.create(ctx, service.GoalIn(
        name=data.name, metric=data.metric, target=data.target, due_on=data.due_on, channel_id=data.channel_id,
        increase=data.increase, at_least=data.at_least,
        milestones=[(m.due_on, m.target) for m in data.milestones] if data.milestones is not None else None))
    return goal_out(ctx, goal)


@router.get("/workspaces/{workspace_id}/goals/{goal_id}")
@requires(Permission.ANALYTICS_READ)
def get_goal(goal_id: str, ctx: Ctx) -> GoalOut:
    return goal_out(ctx, service.get(ctx, goal_id))


@router.put("/workspaces/{workspace_id}/goals/{goal_id}/milestones")
@requires(Permission.WORKSPACE_ADMIN)
def replace_milestones(goal_id: str, data: list[MilestoneIn], ctx: Ctx) -> GoalOut:
    goal = service.get(ctx, goal_id)
    service.set_milestones(ctx, goal, [(m.due_on, m.target) for m in data])
    return goal_out(ctx, goal)


@router.delete("/workspaces/{workspace_id}/goals/{goal_id}", status_code=204)
@requires(Permission.WORKSPACE_ADMIN)
def delete_goal(goal_id: str, ctx: Ctx) -> Response:
    service.delete(ctx, goal_id)
    return Response(status_code=204)
