"""Response metrics: how fast and how often the team answers, against the workspace's target.

First-response time is from the first message of a conversation to the first answer in it; the
response rate is the share of conversations answered at all. Spam is left out of both. Medians and
90th percentiles are over answered conversations only, and each figure carries its sample size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.inbox.conversations import ConversationFilter, list_conversations
from socialdesk.inbox.models import Conversation, InboxSettings
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

DEFAULT_TARGET_MINUTES = 120


def target_minutes(ctx: WorkspaceContext) -> int:
    found = ctx.session.scalars(ctx.select(InboxSettings)).first()
    return found.response_target_minutes if found else DEFAULT_TARGET_MINUTES


def set_target(ctx: WorkspaceContext, minutes: int) -> int:
    ctx.require(Permission.WORKSPACE_ADMIN)
    if not 1 <= minutes <= 60 * 24 * 14:
        raise ValidationFailed("The response-time target is between 1 minute and 14 days.")
    found = ctx.session.scalars(ctx.select(InboxSettings)).first()
    if found is None:
        ctx.session.add(InboxSettings(workspace_id=ctx.workspace_id, response_target_minutes=minutes))
    else:
        found.response_target_minutes = minutes
    return minutes


def overdue_before(ctx: WorkspaceContext) -> datetime:
    """Conversations waiting since before this instant are past the target."""
    return clock.now() - timedelta(minutes=target_minutes(ctx))


@dataclass
class ResponseFigures:
    conversations: int = 0
    answered: int = 0
    within_target: int = 0
    minutes: list[float] = field(default_factory=list, repr=False)

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.conversations if self.conversations else None

    @property
    def median_minutes(self) -> float | None:
        return _percentile(self.minutes, 50)

    @property
    def p90_minutes(self) -> float | None:
        return _percentile(self.minutes, 90)

    @property
    def within_target_rate(self) -> float | None:
        return self.within_target / self.answered if self.answered else None

    def as_dict(self) -> dict[str, float | int | None]:
        return {"conversations": self.conversations, "answered": self.answered,
                "response_rate": _round(self.response_rate), "median_minutes": _round(self.median_minutes),
                "p90_minutes": _round(self.p90_minutes), "within_target_rate": _round(self.within_target_rate)}


@dataclass
class ResponseReport:
    since: datetime
    until: datetime
    target_minutes: int
    overdue_now: int
    workspace: ResponseFigures
    by_channel: dict[str, ResponseFigures]
    by_member: dict[str, ResponseFigures]  # by who answered first (and, for the rate, who it was assigned to)


def report(ctx: WorkspaceContext, since: datetime, until: datetime) -> ResponseReport:
    if since >= until:
        raise ValidationFailed("The period must end after it starts.")
    target = target_minutes(ctx)
    period = ctx.select(Conversation).where(Conversation.spam.is_(False), Conversation.first_inbound_at >= since,
                                           Conversation.first_inbound_at < until).subquery()
    rows = ctx.session.execute(select(period.c.channel_id, period.c.assignee_id, period.c.first_responder_id,
                                      period.c.first_inbound_at, period.c.first_response_at)).all()
    workspace, by_channel, by_member = ResponseFigures(), {}, {}
    for channel_id, assignee_id, responder_id, first_in, first_out in rows:
        owner = responder_id or assignee_id
        buckets = [workspace, by_channel.setdefault(channel_id, ResponseFigures())]
        if owner:
            buckets.append(by_member.setdefault(owner, ResponseFigures()))
        minutes = None if first_out is None else max(0.0, (first_out - first_in).total_seconds() / 60)
        _add(buckets, minutes, target)
    return ResponseReport(since, until, target, overdue_count(ctx), workspace, by_channel, by_member)


def overdue_count(ctx: WorkspaceContext) -> int:
    _, total = list_conversations(ctx, ConversationFilter(view="overdue"), limit=1,
                                  overdue_before=overdue_before(ctx))
    return total


def _add(buckets: Iterable[ResponseFigures], minutes: float | None, target: int) -> None:
    for bucket in buckets:
        bucket.conversations += 1
        if minutes is not None:
            bucket.answered += 1
            bucket.minutes.append(minutes)
            bucket.within_target += minutes <= target


def _percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), without numpy's import cost."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
