"""The agency overview: every client workspace a person is a member of, side by side.

Per workspace: what is on the calendar this week, what waits for approval (and since when), publications
that failed or could not be confirmed, channels to reconnect, the inbox's backlog and what is past the
response-time target, goals at risk, and when the last report went out. A fixed number of queries
(one per kind of figure, each grouped by workspace), however many workspaces there are.

A figure the person's role (or API token) may not read in that workspace is None ("not shown"), never 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content.models import ApprovalDecision, Post, Publication, PublicationStatus
from socialdesk.core import clock
from socialdesk.core.db import UTCDateTime
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.goals.models import Goal, Outcome
from socialdesk.inbox.metrics import DEFAULT_TARGET_MINUTES
from socialdesk.inbox.models import Conversation, ConversationStatus, InboxSettings
from socialdesk.reports.models import ReportSchedule
from socialdesk.workspaces.context import Actor
from socialdesk.workspaces.models import Membership, Organisation, Role, Workspace
from socialdesk.workspaces.permissions import Permission, role_allows

S = PublicationStatus
AT_RISK = ("at risk", "off track")


class ClientRow(BaseModel):
    """One client workspace on the overview. None: the person may not see that figure there."""

    workspace_id: str
    name: str
    organisation: str
    role: str
    url: str = Field(description="The workspace's first page for this person's role")
    timezone: str
    week_start: datetime = Field(description="Monday 00:00 of this week in the workspace's time zone")
    scheduled_this_week: int | None = Field(description="Posts still to be published this week")
    published_this_week: int | None
    awaiting_approval: int | None = Field(description="Posts waiting for approval (for a client reviewer: its step)")
    oldest_waiting_since: datetime | None = Field(description="When the longest-waiting of them was submitted")
    oldest_waiting_hours: float | None
    failed: int | None = Field(description="Publications that failed")
    unconfirmed: int | None = Field(description="Publications whose outcome a person must check")
    channels_needing_reconnection: int | None
    inbox_backlog: int | None = Field(description="Conversations waiting for an answer (spam left out)")
    inbox_overdue: int | None = Field(description="Of those, waiting longer than the response-time target")
    response_target_minutes: int | None
    goals_active: int | None
    goals_at_risk: int | None = Field(description="Active goals the last forecast found at risk or off track")
    last_report_sent_at: datetime | None
    attention: int = Field(description="How many things need someone: the default order, highest first")


class OverviewOut(BaseModel):
    at: datetime
    sort: str
    descending: bool
    clients: list[ClientRow]


SORTS: dict[str, Callable[[ClientRow], Any]] = {
    "attention": lambda r: r.attention, "name": lambda r: r.name.casefold(),
    "scheduled": lambda r: r.scheduled_this_week, "approvals": lambda r: r.awaiting_approval,
    "waiting": lambda r: r.oldest_waiting_hours, "failed": lambda r: (r.failed or 0) + (r.unconfirmed or 0)
    if r.failed is not None else None,
    "reconnect": lambda r: r.channels_needing_reconnection, "backlog": lambda r: r.inbox_backlog,
    "overdue": lambda r: r.inbox_overdue, "goals": lambda r: r.goals_at_risk,
    "report": lambda r: r.last_report_sent_at,
}


@dataclass(frozen=True)
class _Member:
    workspace: Workspace
    organisation: str
    role: Role
    scopes: frozenset[str] | None

    def can(self, permission: Permission) -> bool:
        return role_allows(self.role, permission) and (self.scopes is None or permission.value in self.scopes)


def _members(session: Session, actor: Actor, token_workspace_id: str | None) -> list[_Member]:
    query = (select(Workspace, Organisation.name, Membership.role)
             .join(Membership, Membership.workspace_id == Workspace.id)
             .join(Organisation, Organisation.id == Workspace.organisation_id)
             .where(Membership.user_id == actor.user_id))
    if token_workspace_id:
        query = query.where(Workspace.id == token_workspace_id)
    return [_Member(w, org, Role(role), actor.scopes) for w, org, role in session.execute(query)]


def _per_workspace(values: dict[str, Any], type_: Any = None) -> ColumnElement[Any]:
    """A value that differs by workspace (this week's start in its time zone), as one SQL expression."""
    whens = [(Publication.workspace_id == wid, literal(v, type_)) for wid, v in values.items()]
    return case(*whens, else_=literal(None, type_))


def _week(workspace: Workspace, now: datetime) -> tuple[datetime, datetime]:
    local = now.astimezone(zone(workspace.timezone))
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return clock.utc(monday), clock.utc(monday + timedelta(days=7))  # wall-clock days: DST changes included


def _landing(workspace_id: str, role: Role) -> str:
    if role_allows(role, Permission.POSTS_READ):
        return f"/w/{workspace_id}"
    if role_allows(role, Permission.POSTS_APPROVE):
        return f"/w/{workspace_id}/approvals"
    return f"/w/{workspace_id}/reports"


def overview(session: Session, actor: Actor, *, token_workspace_id: str | None = None, sort: str = "attention",
             descending: bool | None = None) -> OverviewOut:
    """The overview for one person (or their API token, which only narrows it)."""
    if sort not in SORTS:
        raise ValidationFailed(f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
    now = clock.now()
    members = _members(session, actor, token_workspace_id) if actor.user_id else []
    ids = [m.workspace.id for m in members]
    weeks = {m.workspace.id: _week(m.workspace, now) for m in members}
    figures = _figures(session, ids, weeks, now) if ids else _Figures()
    rows = [_row(m, figures, weeks[m.workspace.id], now) for m in members]
    descending = (sort not in ("name",)) if descending is None else descending
    key = SORTS[sort]
    present = [r for r in rows if key(r) is not None]
    missing = sorted((r for r in rows if key(r) is None), key=lambda r: r.name.casefold())
    present.sort(key=lambda r: r.name.casefold())
    present.sort(key=key, reverse=descending)  # stable: ties stay in name order
    return OverviewOut(at=now, sort=sort, descending=descending, clients=present + missing)


@dataclass
class _Figures:
    publications: dict[str, Any] | None = None
    approvals: dict[str, list[tuple[int, int, datetime | None]]] | None = None
    channels: dict[str, int] | None = None
    targets: dict[str, int] | None = None
    inbox: dict[str, tuple[int, int]] | None = None
    goals: dict[str, tuple[int, int]] | None = None
    reports: dict[str, datetime | None] | None = None


def _figures(session: Session, ids: list[str], weeks: dict[str, tuple[datetime, datetime]],
             now: datetime) -> _Figures:
    f = _Figures()
    start = _per_workspace({w: s for w, (s, _) in weeks.items()}, UTCDateTime())
    end = _per_workspace({w: e for w, (_, e) in weeks.items()}, UTCDateTime())
    in_week = and_(Publication.scheduled_at >= start, Publication.scheduled_at < end)
    p = Publication

    def posts_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.count(func.distinct(case((condition, p.post_id))))

    f.publications = {row.workspace_id: row for row in session.execute(
        select(p.workspace_id,
               posts_where(and_(in_week, p.status.in_([S.SCHEDULED, S.PUBLISHING]))).label("scheduled"),
               posts_where(and_(in_week, p.status == S.PUBLISHED)).label("published"),
               func.count().filter(p.status == S.FAILED).label("failed"),
               func.count().filter(p.status == S.UNCONFIRMED).label("unconfirmed"))
        .where(p.workspace_id.in_(ids)).group_by(p.workspace_id))}
    # Posts waiting for approval, by the step they wait at, with when each was (last) submitted.
    submitted = (select(ApprovalDecision.post_id, func.max(ApprovalDecision.created_at).label("at"))
                 .where(ApprovalDecision.workspace_id.in_(ids), ApprovalDecision.decision == "submitted")
                 .group_by(ApprovalDecision.post_id).subquery())
    pending = (select(Post.id, Post.workspace_id, Post.approval_step,
                      func.coalesce(submitted.c.at, Post.updated_at).label("since"))
               .join(submitted, submitted.c.post_id == Post.id, isouter=True)
               .where(Post.workspace_id.in_(ids), Post.id.in_(
                   select(p.post_id).where(p.workspace_id.in_(ids), p.status == S.PENDING_APPROVAL))).subquery())
    f.approvals = defaultdict(list)
    for workspace_id, step, count, since in session.execute(
            select(pending.c.workspace_id, pending.c.approval_step, func.count(), func.min(pending.c.since))
            .group_by(pending.c.workspace_id, pending.c.approval_step)):
        f.approvals[workspace_id].append((step, count, clock.utc(since) if since else None))
    f.channels = dict(session.execute(  # type: ignore[arg-type]
        select(Channel.workspace_id, func.count()).where(
            Channel.workspace_id.in_(ids), Channel.status == ChannelStatus.NEEDS_RECONNECTION)
        .group_by(Channel.workspace_id)).all())
    f.targets = dict(session.execute(  # type: ignore[arg-type]
        select(InboxSettings.workspace_id, InboxSettings.response_target_minutes)
        .where(InboxSettings.workspace_id.in_(ids))).all())
    overdue_before = {w: now - timedelta(minutes=f.targets.get(w, DEFAULT_TARGET_MINUTES)) for w in ids}
    c = Conversation
    threshold = case(*[(c.workspace_id == w, literal(v, UTCDateTime())) for w, v in overdue_before.items()],
                     else_=literal(None, UTCDateTime()))
    waiting = and_(c.waiting_since.is_not(None), c.status != ConversationStatus.CLOSED, c.spam.is_(False))
    f.inbox = {w: (int(b or 0), int(o or 0)) for w, b, o in session.execute(
        select(c.workspace_id, func.count(), func.count().filter(c.waiting_since < threshold))
        .where(c.workspace_id.in_(ids), waiting).group_by(c.workspace_id))}
    f.goals = {w: (int(a or 0), int(r or 0)) for w, a, r in session.execute(
        select(Goal.workspace_id, func.count(), func.count().filter(Goal.outlook.in_(AT_RISK)))
        .where(Goal.workspace_id.in_(ids), Goal.status == Outcome.ACTIVE).group_by(Goal.workspace_id))}
    f.reports = {w: (clock.utc(at) if at else None) for w, at in session.execute(
        select(ReportSchedule.workspace_id, func.max(ReportSchedule.last_sent_at))
        .where(ReportSchedule.workspace_id.in_(ids)).group_by(ReportSchedule.workspace_id))}
    return f


def _row(m: _Member, f: _Figures, week: tuple[datetime, datetime], now: datetime) -> ClientRow:
    w = m.workspace
    posts, inbox, analytics = m.can(Permission.POSTS_READ), m.can(Permission.INBOX_READ), \
        m.can(Permission.ANALYTICS_READ)
    pubs = (f.publications or {}).get(w.id)
    approvals = _approvals(m, (f.approvals or {}).get(w.id, []))
    waiting, since = approvals if approvals else (None, None)
    backlog, overdue = (f.inbox or {}).get(w.id, (0, 0)) if inbox else (None, None)
    goals_active, goals_at_risk = (f.goals or {}).get(w.id, (0, 0)) if analytics else (None, None)
    row = ClientRow(
        workspace_id=w.id, name=w.name, organisation=m.organisation, role=m.role.value, url=_landing(w.id, m.role),
        timezone=w.timezone, week_start=week[0],
        scheduled_this_week=int(pubs.scheduled) if pubs else 0, published_this_week=int(pubs.published) if pubs else 0,
        awaiting_approval=waiting, oldest_waiting_since=since,
        oldest_waiting_hours=round((now - since).total_seconds() / 3600, 1) if since else None,
        failed=int(pubs.failed) if pubs else 0, unconfirmed=int(pubs.unconfirmed) if pubs else 0,
        channels_needing_reconnection=(f.channels or {}).get(w.id, 0),
        inbox_backlog=backlog, inbox_overdue=overdue,
        response_target_minutes=(f.targets or {}).get(w.id, DEFAULT_TARGET_MINUTES) if inbox else None,
        goals_active=goals_active, goals_at_risk=goals_at_risk,
        last_report_sent_at=(f.reports or {}).get(w.id) if m.can(Permission.REPORTS_READ) else None,
        attention=0)
    if not posts:  # a client reviewer: what it is asked to approve, and the reports; nothing else
        row.scheduled_this_week = row.published_this_week = row.failed = row.unconfirmed = None
        row.channels_needing_reconnection = None
    row.attention = sum(v or 0 for v in (row.awaiting_approval, row.failed, row.unconfirmed,
                                          row.channels_needing_reconnection, row.inbox_overdue, row.goals_at_risk))
    return row


def _approvals(m: _Member, by_step: Iterable[tuple[int, int, datetime | None]]) -> tuple[int, datetime | None] | None:
    """How many posts wait for approval and since when: all of them for who may read posts, only those at
    its own step for a client reviewer (what it is asked to approve), nothing for anyone else."""
    if m.can(Permission.POSTS_READ):
        mine = list(by_step)
    elif m.can(Permission.POSTS_APPROVE):
        steps = m.workspace.approval_steps
        mine = [r for r in by_step if (steps[min(r[0], len(steps) - 1)] if steps else Role.APPROVER.value)
                == m.role.value]
    else:
        return None
    times = [since for _, _, since in mine if since is not None]
    return sum(count for _, count, _ in mine), min(times) if times else None
