"""Recording and reading the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from socialdesk.audit.models import AuditEntry
from socialdesk.workspaces.context import WorkspaceContext


def record(ctx: WorkspaceContext, action: str, object_type: str, object_id: str | None, summary: str,
           **details: Any) -> None:
    if ctx.actor.review_link_id:  # a client without an account: which link it came through
        details = {**details, "review_link_id": ctx.actor.review_link_id}
    ctx.session.add(AuditEntry(
        workspace_id=ctx.workspace_id, actor_user_id=ctx.actor.user_id, actor_token_id=ctx.actor.token_id,
        actor_label=ctx.actor.label, action=action, object_type=object_type, object_id=object_id,
        summary=summary[:500], details=details,
    ))


MAX_PAGE = 1000
MAX_OFFSET = 10_000_000


def recent(ctx: WorkspaceContext, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    """Newest first, `limit` entries (at most MAX_PAGE) after skipping `offset`."""
    limit, offset = max(1, min(limit, MAX_PAGE)), max(0, min(offset, MAX_OFFSET))
    return list(ctx.session.scalars(
        ctx.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)))


def count(ctx: WorkspaceContext) -> int:
    return ctx.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.workspace_id == ctx.workspace_id)) or 0


def for_object(ctx: WorkspaceContext, object_id: str) -> list[AuditEntry]:
    return list(ctx.session.scalars(
        ctx.select(AuditEntry).where(AuditEntry.object_id == object_id).order_by(AuditEntry.at)))
