"""A progress report: what was published, what happened, why the best and worst posts did so (only
where the data supports a reason), progress towards each goal, and the next milestone.

Posts are counted at 7 days after publishing, so a report is complete once the period's last post is
a week old; a scheduled report waits that week (see `schedules.py`). A report made earlier says how
many posts are not yet measured.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from socialdesk.analytics import dashboard as dashboards
from socialdesk.analytics.dashboard import Breakdown, Dashboard, PostRow
from socialdesk.analytics.definitions import METRICS, Metric
from socialdesk.analytics.periods import Period
from socialdesk.analytics.post_values import Age, length_group
from socialdesk.analytics.statistics import Verdict
from socialdesk.audit import service as audit
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.slugs import slugify
from socialdesk.core.timezones import zone
from socialdesk.goals import service as goals
from socialdesk.media.models import MediaAsset
from socialdesk.reports import cover as covers
from socialdesk.reports.cover import Cover
from socialdesk.reports.models import ReportBranding
from socialdesk.reports.schemas import FOOTER_MAX, TITLE_MAX, one_line
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Workspace
from socialdesk.workspaces.permissions import Permission

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
REPORT_METRICS = ("engagements", "engagement_rate_reach", "engagement_rate_followers", "amplification", "virality",
                  "applause", "conversation", "saves_rate", "ctr", "follower_growth", "follower_churn",
                  "response_rate", "median_first_response", "cpc", "cpm", "roas", "cpa", "conversion_rate", "roi",
                  "frequency")


@dataclass
class Branding:
    title: str
    primary: str
    accent: str
    footer: str
    logo: MediaAsset | None


@dataclass
class ExplainedPost:
    row: PostRow
    reasons: list[str]


@dataclass
class GoalSection:
    progress: goals.Progress
    next_step: str


@dataclass
class Report:
    workspace: Workspace
    branding: Branding
    period: Period
    generated_at: datetime
    dashboard: Dashboard
    published_by_channel: list[tuple[str, int]]
    published_by_type: list[tuple[str, int]]
    best: list[ExplainedPost]
    worst: list[ExplainedPost]
    goals: list[GoalSection]
    cover: Cover
    definitions: list[Metric] = field(default_factory=list)
    paid: list[Any] = field(default_factory=list)  # campaigns.report_section.PaidRow, one per campaign with ads
    competitors: dict[str, Any] | None = None  # competitors.service.benchmark over the period; None: none followed

    @property
    def title(self) -> str:
        return self.branding.title

    @property
    def filename_stem(self) -> str:
        return f"socialdesk-{slugify(self.workspace.name)}-{self.period.key.replace('..', '_')}"


def branding(ctx: WorkspaceContext) -> Branding:
    saved = ctx.session.scalars(ctx.select(ReportBranding)).first()
    logo = None
    if saved and saved.logo_media_id:
        logo = ctx.session.scalars(ctx.select(MediaAsset).where(MediaAsset.id == saved.logo_media_id)).first()
    # The workspace's colour is checked loosely where it is saved; the report (CSS, charts) takes #rrggbb only.
    primary = ctx.workspace.brand_colour if _COLOUR.match(ctx.workspace.brand_colour or "") else "#3b5bdb"
    # one_line again on reading: rows saved before the rule, and a workspace name, go into e-mail subjects.
    return Branding(
        title=one_line(saved.title if saved and saved.title else f"{ctx.workspace.name} — social media report"),
        primary=primary, accent=saved.accent_colour if saved else "#f08c00",
        footer=one_line(saved.footer) if saved else "", logo=logo)


def save_branding(ctx: WorkspaceContext, *, logo_media_id: str | None, accent_colour: str, title: str,
                  footer: str) -> ReportBranding:
    ctx.require(Permission.WORKSPACE_ADMIN)
    if not _COLOUR.match(accent_colour):
        raise ValidationFailed(f"Colour {accent_colour!r} must look like #f08c00.")
    if logo_media_id:
        logo = ctx.get(MediaAsset, logo_media_id, what="media")
        if logo.kind != "image":
            raise ValidationFailed(f"The logo must be an image; {logo.filename} is a {logo.kind}.")
    saved = ctx.session.scalars(ctx.select(ReportBranding)).first()
    if saved is None:
        saved = ReportBranding(workspace_id=ctx.workspace_id)
        ctx.session.add(saved)
    saved.logo_media_id, saved.accent_colour = logo_media_id or None, accent_colour
    saved.title, saved.footer = one_line(title, TITLE_MAX), one_line(footer, FOOTER_MAX)
    ctx.session.flush()
    audit.record(ctx, "report_branding.update", "workspace", ctx.workspace_id, "Changed the report branding")
    return saved


def build(ctx: WorkspaceContext, period: Period, *, age: Age = Age.D7) -> Report:
    board = dashboards.build(ctx, period, age=age)
    names = {c.id: c.name for c in board.channels}
    now = clock.now()
    # Goals as they stood at the period's end: a report on November shows November's values and the
    # milestones decided by then, whatever happened since.
    at = min(period.end, now)
    sections = [GoalSection(goals.progress(ctx, g, now=at), goals.propose_next(ctx, g, period.last, now=at))
                for g in goals.list_goals(ctx) if g.start_on <= period.last]
    return Report(
        workspace=ctx.workspace, branding=branding(ctx), period=period, generated_at=now, dashboard=board,
        published_by_channel=Counter(names.get(p.channel_id, "?") for p in board.posts).most_common(),
        published_by_type=Counter(p.content_type for p in board.posts).most_common(),
        best=[ExplainedPost(r, reasons(r, board, higher=True)) for r in board.top],
        worst=[ExplainedPost(r, reasons(r, board, higher=False)) for r in board.bottom],
        goals=sections, cover=covers.build(ctx, board, [s.progress for s in sections]),
        definitions=[METRICS[k] for k in REPORT_METRICS], paid=_paid(ctx, period),
        competitors=_competitors(ctx, period))


def _paid(ctx: WorkspaceContext, period: Period) -> list[Any]:
    from socialdesk.campaigns import report_section

    return report_section.section(ctx, period.first, period.last)


def _competitors(ctx: WorkspaceContext, period: Period) -> dict[str, Any] | None:
    """The competitor benchmark over the report's period, when the workspace follows any competitor."""
    from socialdesk.competitors import service as competitors
    from socialdesk.competitors.models import Competitor

    if ctx.session.scalars(ctx.select(Competitor).limit(1)).first() is None or not ctx.can(Permission.ANALYTICS_READ):
        return None
    days = max(1, min(competitors.MAX_PERIOD_DAYS, period.days))
    return competitors.benchmark(ctx, days=days, end=min(period.end, clock.now()))


def _group_of(row: PostRow, breakdown: Breakdown, timezone: str) -> list[str]:
    r = row.record
    local = r.published_at.astimezone(zone(timezone))
    return {
        "network": [r.network], "content_type": [r.content_type], "length": [length_group(r.length)],
        "hashtag": [f"#{t}" for t in r.hashtags], "weekday": [dashboards.WEEKDAYS[local.weekday()]],
        "hour": [f"{local.hour:02d}:00"],
    }[breakdown.key]


def reasons(row: PostRow, board: Dashboard, *, higher: bool) -> list[str]:
    """Only groups whose difference from the other posts has an interval wholly above (or below) zero."""
    wanted = Verdict.HIGHER if higher else Verdict.LOWER
    found = []
    for breakdown in board.breakdowns:
        mine = set(_group_of(row, breakdown, board.period.timezone))
        for group in breakdown.groups:
            if group.label in mine and group.verdict == wanted:
                d = group.difference
                found.append(f"{breakdown.label} {group.label}: such posts average {d.value:+.2f} points of "
                             f"{board.rank_by.label.lower()} against the others (interval {d.low:+.2f} to "
                             f"{d.high:+.2f}, n = {group.estimate.n}).")
    return found
