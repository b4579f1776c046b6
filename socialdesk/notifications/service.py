"""Raising, reading and resolving notifications. They are raised by jobs (no person is acting),
so this takes a session and a workspace id rather than a request's context."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session

from socialdesk.core import clock
from socialdesk.notifications.models import Notification
from socialdesk.notifications.people import WORKSPACE_KINDS
from socialdesk.workspaces.context import WorkspaceContext

if TYPE_CHECKING:
    from socialdesk.jobs.health import Liveness

log = logging.getLogger("socialdesk.notifications")


def notify(session: Session, workspace_id: str, kind: str, message: str, *, subject: str, link: str | None = None,
           level: str = "warning") -> None:
    """Open (or refresh) the notification for this subject; it stays until resolved."""
    key = f"{kind}:{subject}"
    found = session.scalars(select(Notification).where(Notification.workspace_id == workspace_id,
                                                       Notification.dedupe_key == key)).first()
    now = clock.now()
    if kind in WORKSPACE_KINDS and (found is None or found.resolved_at is not None):
        # Newly open: the people who can act on it are told (a repeat of an open one tells nobody again).
        from socialdesk.notifications.people import tell
        from socialdesk.workspaces.permissions import Permission

        tell(session, workspace_id, kind, message, link=link, permission=Permission.POSTS_WRITE)
    if found is None:
        session.add(Notification(workspace_id=workspace_id, kind=kind, level=level, message=message, link=link,
                                 dedupe_key=key, created_at=now, updated_at=now))
    else:
        found.message, found.link, found.level, found.updated_at = message, link, level, now
        found.resolved_at = None
        found.read_at = None
    log.warning("notification for workspace %s: %s", workspace_id, message)


def resolve(session: Session, workspace_id: str, kind: str, subject: str) -> None:
    found = session.scalars(select(Notification).where(Notification.workspace_id == workspace_id,
                                                       Notification.dedupe_key == f"{kind}:{subject}")).first()
    if found is not None and found.resolved_at is None:
        found.resolved_at = clock.now()


def open_notifications(ctx: WorkspaceContext, limit: int = 50) -> list[Notification]:
    return list(ctx.session.scalars(_statements()[1], {"workspace_id": ctx.workspace.id, "limit": limit}))


def unread_count(ctx: WorkspaceContext) -> int:
    return ctx.session.scalar(select(func.count()).select_from(ctx.select(Notification).where(
        Notification.resolved_at.is_(None), Notification.read_at.is_(None)).subquery())) or 0


def mark_read(ctx: WorkspaceContext) -> None:
    for found in open_notifications(ctx, limit=500):
        found.read_at = found.read_at or clock.now()


@dataclass(frozen=True)
class Alert:
    level: str
    message: str
    link: str | None = None


def alerts(ctx: WorkspaceContext, live: Liveness | None = None) -> list[Alert]:
    """What every page of the workspace shows at the top until it is dealt with.

    `live`: the runners' liveness when the caller has just read it (the layout reads it with its other counts).
    """
    from socialdesk.jobs.health import liveness

    found: list[Alert] = []
    problem = (live or liveness(ctx.session)).problem()
    if problem:
        due = ctx.session.scalar(_statements()[0], {"workspace_id": ctx.workspace.id,
                                                    "soon": clock.now() + timedelta(hours=1)}) or 0
        if due:
            found.append(Alert("error", f"{problem}: {due} post(s) due within the hour will not be published "
                                        "until one runs."))
    found += [Alert(n.level, n.message, n.link) for n in open_notifications(ctx, limit=5)]
    return found


@cache
def _statements() -> tuple[Select, Select]:
    """Built once (every page of a workspace reads them in its alerts): the posts due within the hour, and the
    newest open notifications."""
    from socialdesk.content.models import Publication, PublicationStatus

    ws = bindparam("workspace_id")
    due = select(func.count()).select_from(Publication).where(
        Publication.workspace_id == ws, Publication.status == PublicationStatus.SCHEDULED,
        Publication.scheduled_at <= bindparam("soon"))
    newest = (select(Notification).where(Notification.workspace_id == ws, Notification.resolved_at.is_(None))
              .order_by(Notification.updated_at.desc()).limit(bindparam("limit", type_=Integer)))
    return due, newest
