"""The periodic reminders: conversations past the inbox's response target, and posts past their due date
(content/assignments.py). Each subject is told once (a Reminder row marks it), so the check can run as
often as it likes. Goal milestones are told when goals.evaluate decides them (`milestone_decided`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core import clock
from socialdesk.inbox.metrics import DEFAULT_TARGET_MINUTES
from socialdesk.inbox.models import Conversation, ConversationStatus, InboxSettings
from socialdesk.notifications.models import Reminder
from socialdesk.notifications.people import tell
from socialdesk.workspaces.permissions import Permission

BATCH = 500


def _first_time(session: Session, workspace_id: str, key: str) -> bool:
    """Mark `key` as told; False when it was told already."""
    found = session.scalar(select(Reminder.id).where(Reminder.workspace_id == workspace_id, Reminder.key == key))
    if found is not None:
        return False
    session.add(Reminder(workspace_id=workspace_id, key=key[:200], created_at=clock.now()))
    return True


def overdue_conversations(session: Session, now: datetime | None = None) -> int:
    """Once per wait, when a conversation has waited longer than the workspace's response target: its
    assignee is told of it; unassigned ones are told as one summary per workspace to everyone who answers
    the inbox (at most one summary an hour, so a busy inbox is not a flood). Returns the conversations told."""
    now = now or clock.now()
    targets = dict(session.execute(select(InboxSettings.workspace_id, InboxSettings.response_target_minutes)).all())
    # The smallest target any workspace has bounds the query; each conversation is checked against its own.
    shortest = min([DEFAULT_TARGET_MINUTES, *targets.values()])
    waiting = session.scalars(select(Conversation).where(
        Conversation.waiting_since.is_not(None), Conversation.status != ConversationStatus.CLOSED,
        Conversation.spam.is_(False), Conversation.waiting_since < now - timedelta(minutes=shortest))
        .order_by(Conversation.waiting_since).limit(BATCH))
    told = 0
    unassigned: dict[str, list[tuple[Conversation, datetime]]] = {}
    for conversation in waiting:
        target = targets.get(conversation.workspace_id, DEFAULT_TARGET_MINUTES)
        since = clock.utc(conversation.waiting_since)  # type: ignore[arg-type]
        if since >= now - timedelta(minutes=target):
            continue
        if not _first_time(session, conversation.workspace_id, f"overdue:{conversation.id}:{since.isoformat()}"):
            continue
        told += 1
        if not conversation.assignee_id:
            unassigned.setdefault(conversation.workspace_id, []).append((conversation, since))
            continue
        hours = (now - since).total_seconds() / 3600
        tell(session, conversation.workspace_id, "conversation_overdue",
             f"@{conversation.author_handle} has waited {hours:.1f} h for an answer (the target is {target} min): "
             f"“{conversation.snippet[:80]}”", link=f"/w/{conversation.workspace_id}/inbox?c={conversation.id}",
             user_ids=[conversation.assignee_id])
    for workspace_id, found in unassigned.items():
        if not _first_time(session, workspace_id, f"overdue-summary:{now:%Y-%m-%dT%H}"):
            continue  # told within this hour: these are counted in the inbox's "Overdue" view meanwhile
        oldest, since = min(found, key=lambda pair: pair[1])
        hours = (now - since).total_seconds() / 3600
        many = f"{len(found)} conversations have" if len(found) > 1 else "A conversation has"
        tell(session, workspace_id, "conversation_overdue",
             f"{many} passed the response target ({targets.get(workspace_id, DEFAULT_TARGET_MINUTES)} min) "
             f"with nobody assigned; the oldest, @{oldest.author_handle}, has waited {hours:.1f} h.",
             link=f"/w/{workspace_id}/inbox?view=overdue", permission=Permission.INBOX_WRITE)
    session.flush()
    return told


def milestone_decided(session: Session, workspace_id: str, *, goal_id: str, goal: str, milestone_id: str,
                      due_on: object, status: str, target: float | None, value: float | None) -> None:
    """Tell the people who read the analytics that a goal's milestone was met or missed (once)."""
    if status not in ("met", "missed") or not _first_time(session, workspace_id, f"milestone:{milestone_id}"):
        return

    def number(x: float | None) -> str:
        return "—" if x is None else f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"
    verb = "was met" if status == "met" else "was missed"
    tell(session, workspace_id, f"milestone_{status}",
         f"The milestone of {due_on} for “{goal}” {verb}: {number(value)} against {number(target)}.",
         link=f"/w/{workspace_id}/goals", permission=Permission.ANALYTICS_READ)


def run(session: Session) -> dict[str, int]:
    from socialdesk.content.assignments import tell_overdue

    return {"conversations": overdue_conversations(session), "posts": tell_overdue(session)}
