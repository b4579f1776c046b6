"""Setting goals, measuring progress, forecasting whether they will be met, and recording outcomes.

Two kinds of metric: a *level* (followers) is read at a moment and may be reached early; a *rate
per month* (engagement rate, response rate, median first response, posts) is measured over the
month before a due day (a milestone due 2027-03-01 is judged on February's numbers) and decided on
that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from dateutil.relativedelta import relativedelta

from socialdesk.analytics import followers
from socialdesk.analytics import statistics as st
from socialdesk.analytics.dashboard import posts_in, response_numbers
from socialdesk.analytics.definitions import METRICS, Unit, format_value
from socialdesk.analytics.post_values import Age, Sample, post_records
from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.inputs import check_day, check_number, check_text
from socialdesk.core.timezones import zone
from socialdesk.goals.models import Goal, Milestone, Outcome
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

TREND_DAYS = 28


@dataclass(frozen=True)
class GoalMetric:
    key: str
    label: str
    unit: Unit
    level: bool  # read at a moment (followers), else measured over the month before
    at_least: bool  # the usual direction (more followers; a shorter response time is better)


GOAL_METRICS: dict[str, GoalMetric] = {m.key: m for m in (
    GoalMetric("followers", "Followers", Unit.COUNT, level=True, at_least=True),
    GoalMetric("engagement_rate_reach", METRICS["engagement_rate_reach"].label, Unit.PERCENT, False, True),
    GoalMetric("engagement_rate_followers", METRICS["engagement_rate_followers"].label, Unit.PERCENT, False, True),
    GoalMetric("response_rate", METRICS["response_rate"].label, Unit.PERCENT, False, True),
    GoalMetric("median_first_response", METRICS["median_first_response"].label, Unit.HOURS, False, False),
    # Posts, not publications: a post sent to three channels counts once, as on the Posts page.
    GoalMetric("posts_published", "Posts published per month", Unit.COUNT, False, True),
)}


def goal_metric(key: str) -> GoalMetric:
    if key not in GOAL_METRICS:
        raise ValidationFailed(f"Unknown goal metric {key!r}; choose one of: {', '.join(GOAL_METRICS)}.")
    return GOAL_METRICS[key]


# Measuring --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    value: float | None
    estimate: st.Estimate | None  # with an interval where the value comes from a sample of posts/messages
    window: str  # what the value covers, in words


def _channel_ids(ctx: WorkspaceContext, goal: Goal) -> list[str]:
    if goal.channel_id:
        return [goal.channel_id]
    return [c.id for c in ctx.session.scalars(ctx.select(Channel))]


def _day_start(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone(timezone))


def measure(ctx: WorkspaceContext, goal: Goal, until: datetime) -> Measured:
    """The goal's metric at `until` (a level) or over the month before `until` (a rate)."""
    metric = goal_metric(goal.metric)
    ids = _channel_ids(ctx, goal)
    if metric.level:
        end = until + timedelta(seconds=1)  # a snapshot taken at `until` counts
        value = followers.levels(ctx, ids, [(until - timedelta(days=7), end)])[0]
        return Measured(value, None, f"at {until.astimezone(zone(ctx.workspace.timezone)):%d %b %Y %H:%M}")
    tz = zone(ctx.workspace.timezone)
    since = until.astimezone(tz) - relativedelta(months=1)  # a calendar month in the workspace's zone
    # The window's last local day: `until` itself is the first moment after it.
    window = f"{since.astimezone(tz):%d %b} – {(until - timedelta(microseconds=1)).astimezone(tz):%d %b %Y}"
    if metric.key in ("response_rate", "median_first_response"):
        numbers, waits = response_numbers(ctx, ids, since, until)
        if metric.key == "median_first_response":
            estimate = st.median_ci(waits)
            return Measured(estimate.value, estimate, window)
        return Measured(METRICS["response_rate"].compute(numbers), None, window)
    records = post_records(ctx, since, until, age=Age.LATEST, channel_ids=ids)
    if metric.key == "posts_published":
        return Measured(float(posts_in(records)), None, window)
    m = METRICS[metric.key]
    estimate = st.ratio_ci(*Sample.of(records).rate_parts(m), scale=m.scale)
    return Measured(estimate.value, estimate, window)


def _meets(value: float | None, target: float, at_least: bool) -> bool:
    return value is not None and (value >= target if at_least else value <= target)


# Progress and forecast --------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """A goal's or a milestone's outcome as it stood at one moment."""

    id: str
    due_on: date
    target: float
    status: str  # active / met / missed
    outcome_value: float | None  # the value that decided it
    outcome_at: datetime | None  # when it was decided: its due day, or the moment a level was reached early


@dataclass(frozen=True)
class Progress:
    goal: Goal
    metric: GoalMetric
    current: Measured
    share: float | None  # of the way from the baseline to the target, 0–1 (levels only)
    forecast: st.Forecast | None
    outlook: str  # on track / at risk / off track / not enough data / met / missed
    explanation: str
    milestones: list[State]
    at: datetime  # the moment the progress is measured at: now, or a past period's end


def _outcome(ctx: WorkspaceContext, goal: Goal, metric: GoalMetric, due_on: date, target: float,
             at: datetime) -> tuple[str, float | None, datetime] | None:
    """How a target due on `due_on` stands at `at`: decided at its day from the numbers of that day (a
    level may also be reached early); None while it is still open."""
    due = clock.utc(_day_start(due_on, ctx.workspace.timezone))
    if at < due:
        if not metric.level:
            return None
        value = measure(ctx, goal, at).value
        return (Outcome.MET, value, at) if _meets(value, target, goal.at_least) else None
    value = measure(ctx, goal, due).value
    return (Outcome.MET if _meets(value, target, goal.at_least) else Outcome.MISSED), value, due


def _state(ctx: WorkspaceContext, goal: Goal, metric: GoalMetric, of: Goal | Milestone, at: datetime) -> State:
    """A recorded outcome where it was known by `at`; otherwise worked out as the periodic job will record
    it, so a milestone whose day has passed is never shown as still open (nor one decided later as
    decided, in a report of an earlier period)."""
    if of.status != Outcome.ACTIVE and of.outcome_at is not None and clock.utc(of.outcome_at) <= at:
        return State(of.id, of.due_on, of.target, of.status, of.outcome_value, clock.utc(of.outcome_at))
    found = _outcome(ctx, goal, metric, of.due_on, of.target, at)
    if found is None:
        return State(of.id, of.due_on, of.target, Outcome.ACTIVE, None, None)
    status, value, decided_at = found
    return State(of.id, of.due_on, of.target, status, value, decided_at)


def milestone_states(ctx: WorkspaceContext, goal: Goal, at: datetime) -> list[State]:
    metric = goal_metric(goal.metric)
    milestones = ctx.session.scalars(ctx.select(Milestone).where(Milestone.goal_id == goal.id)
                                     .order_by(Milestone.due_on))
    return [_state(ctx, goal, metric, m, at) for m in milestones]


def progress(ctx: WorkspaceContext, goal: Goal, *, now: datetime | None = None) -> Progress:
    """The goal as it stands at `now` (a past moment for a report of a past period): its value then, its
    milestones met or missed by then, and the outlook from there."""
    now = clock.utc(now) if now else clock.now()
    metric = goal_metric(goal.metric)
    current = measure(ctx, goal, now)
    milestones = milestone_states(ctx, goal, now)
    share = None
    if metric.level and current.value is not None and goal.baseline is not None and goal.target != goal.baseline:
        share = float(np.clip((current.value - goal.baseline) / (goal.target - goal.baseline), 0, 1))
    state = _state(ctx, goal, metric, goal, now)
    if state.status != Outcome.ACTIVE:
        value = format_value(state.outcome_value, metric.unit)
        day = state.outcome_at.astimezone(zone(ctx.workspace.timezone)) if state.outcome_at else now
        return Progress(goal, metric, current, share, None, state.status,
                        f"{state.status.capitalize()} with {value} on {day:%d %b %Y}.", milestones, now)
    forecast, outlook, explanation = _outlook(ctx, goal, metric, current, now)
    return Progress(goal, metric, current, share, forecast, outlook, explanation, milestones, now)


def _outlook(ctx: WorkspaceContext, goal: Goal, metric: GoalMetric, current: Measured,
             now: datetime) -> tuple[st.Forecast | None, str, str]:
    due = _day_start(goal.due_on, ctx.workspace.timezone)
    target = format_value(goal.target, metric.unit)
    if metric.level:
        series = _daily_levels(ctx, goal, now)
        days_left = max((due - now).total_seconds() / 86400, 0)
        forecast = st.random_walk_forecast(series, days_left, goal.target, at_least=goal.at_least)
        if forecast is None:
            return None, "not enough data", (f"Not enough data for a forecast: {len(series)} days of follower "
                                             f"counts, {st.MIN_POSTS + 1} needed.")
        words = (f"At the trend of the last {len(series) - 1} days: {format_value(forecast.value, metric.unit)} on "
                 f"{goal.due_on:%d %b %Y} (95 % interval {format_value(forecast.low, metric.unit)} – "
                 f"{format_value(forecast.high, metric.unit)}); the chance of reaching {target} is "
                 f"{forecast.probability:.0%}.")
        return forecast, _judge(forecast.low, forecast.high, goal.target, goal.at_least), words
    estimate = current.estimate
    if current.value is None:
        return None, "not enough data", f"No {metric.label.lower()} yet in {current.window}."
    if estimate is None or not estimate.enough:
        words = f"{metric.label} {format_value(current.value, metric.unit)} in {current.window}"
        if estimate is None:  # a count or a share of all messages: no sampling interval
            return None, _judge(current.value, current.value, goal.target, goal.at_least), words + "."
        return None, "not enough data", words + f", from only {estimate.n}: too few for an interval."
    words = (f"{metric.label} {format_value(estimate.value, metric.unit)} in {current.window} (95 % interval "
             f"{format_value(estimate.low, metric.unit)} – {format_value(estimate.high, metric.unit)}, n = "
             f"{estimate.n}); if the coming weeks are like these, the target {target} is ")
    outlook = _judge(estimate.low, estimate.high, goal.target, goal.at_least)
    words += {"on track": "within reach.", "off track": "out of reach.", "at risk": "uncertain."}[outlook]
    return None, outlook, words


def _judge(low: float | None, high: float | None, target: float, at_least: bool) -> str:
    if low is None or high is None:
        return "not enough data"
    good, bad = (low >= target, high < target) if at_least else (high <= target, low > target)
    return "on track" if good else "off track" if bad else "at risk"


def _daily_levels(ctx: WorkspaceContext, goal: Goal, now: datetime) -> list[float]:
    """The followers at the end of each of the last TREND_DAYS days that have a snapshot (the last snapshot
    in each 24 hours to `now`, `now` − 1 day, …): one index look-up per channel and day, not every hourly
    snapshot of five weeks."""
    ends = [now - timedelta(days=back) for back in range(TREND_DAYS, -1, -1)]
    found = followers.levels(ctx, _channel_ids(ctx, goal), [(end - timedelta(days=1), end) for end in ends])
    return [value for value in found if value is not None]


# Changing goals ---------------------------------------------------------------------------------------


@dataclass
class GoalIn:
    name: str
    metric: str
    target: float
    due_on: date
    channel_id: str | None = None
    increase: bool = False  # the target is an increase over today's value ("+2,000 followers")
    at_least: bool | None = None  # None: the metric's usual direction
    milestones: list[tuple[date, float]] | None = None  # None: split a level goal into monthly steps


def create(ctx: WorkspaceContext, data: GoalIn) -> Goal:
    ctx.require(Permission.WORKSPACE_ADMIN)
    check_text(data.name, "The goal's name")
    check_number(data.target, "The target")
    check_day(data.due_on, "The due day")
    metric = goal_metric(data.metric)
    if data.channel_id:
        ctx.get(Channel, data.channel_id, what="channel")
    today = clock.now().astimezone(zone(ctx.workspace.timezone)).date()
    if data.due_on <= today:
        raise ValidationFailed(f"The due day {data.due_on} must be after today ({today}).")
    if not data.name.strip():
        raise ValidationFailed("Give the goal a name, e.g. '+2,000 followers on Instagram by March'.")
    goal = Goal(workspace_id=ctx.workspace_id, channel_id=data.channel_id, name=data.name.strip()[:200],
                metric=metric.key, at_least=metric.at_least if data.at_least is None else data.at_least,
                target=data.target, start_on=today, due_on=data.due_on, created_by_id=ctx.actor.user_id)
    goal.baseline = measure(ctx, goal, clock.now()).value
    if data.increase:
        if goal.baseline is None:
            raise ValidationFailed(f"There is no {metric.label.lower()} yet to increase from; give the target as "
                                   "a number to reach instead.")
        goal.target = goal.baseline + data.target
    ctx.session.add(goal)
    ctx.session.flush()
    steps = data.milestones if data.milestones is not None else _monthly_steps(goal, metric, today)
    set_milestones(ctx, goal, steps)
    audit.record(ctx, "goal.create", "goal", goal.id, f"Goal: {goal.name}")
    return goal


def _monthly_steps(goal: Goal, metric: GoalMetric, today: date) -> list[tuple[date, float]]:
    """A level goal gets a milestone at the end of each month on a straight line; a rate goal, every month."""
    steps = []
    day = date(today.year, today.month, 1) + relativedelta(months=1)
    while day < goal.due_on:
        if metric.level and goal.baseline is not None:
            share = (day - today).days / max((goal.due_on - today).days, 1)
            steps.append((day, round(goal.baseline + (goal.target - goal.baseline) * share)))
        elif not metric.level:
            steps.append((day, goal.target))
        day += relativedelta(months=1)
    return steps


def set_milestones(ctx: WorkspaceContext, goal: Goal, steps: list[tuple[date, float]]) -> list[Milestone]:
    """Replace the goal's undecided milestones; decided ones are kept as the record."""
    ctx.require(Permission.WORKSPACE_ADMIN)
    for day, target in steps:
        check_number(target, f"The target of the milestone on {day}")
        if not goal.start_on < day <= goal.due_on:
            raise ValidationFailed(f"Milestone day {day} must fall after {goal.start_on} and by {goal.due_on}.")
    for old in ctx.session.scalars(ctx.select(Milestone).where(Milestone.goal_id == goal.id,
                                                               Milestone.status == Outcome.ACTIVE)):
        ctx.session.delete(old)
    created = [Milestone(workspace_id=ctx.workspace_id, goal_id=goal.id, due_on=day, target=float(target))
               for day, target in sorted(steps)]
    ctx.session.add_all(created)
    ctx.session.flush()
    return created


def list_goals(ctx: WorkspaceContext) -> list[Goal]:
    return list(ctx.session.scalars(ctx.select(Goal).order_by(Goal.status, Goal.due_on)))


def get(ctx: WorkspaceContext, goal_id: str) -> Goal:
    return ctx.get(Goal, goal_id, what="goal")


def delete(ctx: WorkspaceContext, goal_id: str) -> None:
    ctx.require(Permission.WORKSPACE_ADMIN)
    goal = get(ctx, goal_id)
    audit.record(ctx, "goal.delete", "goal", goal.id, f"Deleted goal: {goal.name}")
    ctx.session.delete(goal)


# Recording outcomes -----------------------------------------------------------------------------------


def evaluate(ctx: WorkspaceContext, *, now: datetime | None = None) -> list[str]:
    """Decide every milestone and goal whose day has come (or whose level was reached); returns what changed."""
    now = clock.utc(now) if now else clock.now()
    changed = []
    for goal in ctx.session.scalars(ctx.select(Goal).where(Goal.status == Outcome.ACTIVE)):
        metric = goal_metric(goal.metric)
        for milestone in ctx.session.scalars(ctx.select(Milestone).where(
                Milestone.goal_id == goal.id, Milestone.status == Outcome.ACTIVE)):
            if _decide(ctx, goal, metric, milestone, now):
                changed.append(f"{goal.name}: milestone of {milestone.due_on} {milestone.status}")
                _announce_milestone(ctx, goal, milestone)
        if _decide(ctx, goal, metric, goal, now):
            changed.append(f"{goal.name}: {goal.status}")
            audit.record(ctx, f"goal.{goal.status}", "goal", goal.id, f"Goal {goal.status}: {goal.name}",
                         value=goal.outcome_value)
        else:  # still open: keep the forecast's outlook for the agency overview
            goal.outlook, goal.outlook_at = progress(ctx, goal, now=now).outlook, now
    return changed


def _announce_milestone(ctx: WorkspaceContext, goal: Goal, milestone: Milestone) -> None:
    from socialdesk.integrations import service as integrations

    event = {"met": "milestone.met", "missed": "milestone.missed"}.get(str(milestone.status))
    if event:
        integrations.emit(ctx.session, ctx.workspace_id, event, {
            "goal_id": goal.id, "goal": goal.name, "milestone_id": milestone.id, "due_on": milestone.due_on,
            "target": milestone.target, "value": milestone.outcome_value})
        from socialdesk.notifications.reminders import milestone_decided

        milestone_decided(ctx.session, ctx.workspace_id, goal_id=goal.id, goal=goal.name, milestone_id=milestone.id,
                          due_on=milestone.due_on, status=str(milestone.status), target=milestone.target,
                          value=milestone.outcome_value)


def _decide(ctx: WorkspaceContext, goal: Goal, metric: GoalMetric, target_of: Goal | Milestone,
            now: datetime) -> bool:
    found = _outcome(ctx, goal, metric, target_of.due_on, target_of.target, now)
    if found is None:
        return False
    target_of.status, target_of.outcome_value, target_of.outcome_at = found
    return True


# The next milestone to propose --------------------------------------------------------------------------


def propose_next(ctx: WorkspaceContext, goal: Goal, report_end: date, *, now: datetime | None = None) -> str:
    """One sentence: the goal's next milestone, or a reasoned proposal for one."""
    now = clock.utc(now) if now else clock.now()
    metric = goal_metric(goal.metric)
    # Open at `now`: a report of a past period names the milestone that came next then, not one its
    # own end already decided.
    pending = [m for m in milestone_states(ctx, goal, now) if m.status == Outcome.ACTIVE]
    if _state(ctx, goal, metric, goal, now).status == Outcome.ACTIVE and pending:
        m = pending[0]
        return f"Next milestone: {format_value(m.target, metric.unit)} by {m.due_on:%d %b %Y}."
    next_end = report_end + relativedelta(months=1)
    if metric.level:
        series = _daily_levels(ctx, goal, now)
        days = (_day_start(next_end, ctx.workspace.timezone) - now).total_seconds() / 86400
        forecast = st.random_walk_forecast(series, max(days, 0), goal.target, at_least=goal.at_least)
        if forecast is None:
            return "Not enough follower history yet to propose a next milestone."
        proposal = max(round(forecast.value, -1), (series[-1] if series else 0) + 10)
        return (f"Proposed next milestone: {format_value(proposal, metric.unit)} followers by {next_end:%d %b %Y} "
                f"(the trend points to {format_value(forecast.value, metric.unit)}, 95 % interval "
                f"{format_value(forecast.low, metric.unit)} – {format_value(forecast.high, metric.unit)}).")
    current = measure(ctx, goal, now)
    if current.value is None:
        return f"Not enough data to propose a {metric.label.lower()} milestone yet."
    met = _meets(current.value, goal.target, goal.at_least)
    proposal = goal.target if not met else current.value
    if not met:
        proposal = current.value + (goal.target - current.value) / 2  # half the way, a step that can be reached
    return (f"Proposed next milestone: {metric.label.lower()} {'≥' if goal.at_least else '≤'} "
            f"{format_value(proposal, metric.unit)} for the month to {next_end:%d %b %Y} (now "
            f"{format_value(current.value, metric.unit)}).")
