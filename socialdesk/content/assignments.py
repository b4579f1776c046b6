"""Who should write a post, and by when ("write by Thursday"): an assignee and a due date on a draft, the
"My work" view of each person, and the reminder when a post is overdue.

A post is *open* while it has not gone for approval or onto the schedule: it has no publication yet, or
all of them are drafts (or failed/cancelled, to be redone). Once it is sent for approval, scheduled or
published, the assignment is done — the due date stays on it as a record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.auth.models import User
from socialdesk.content.models import Post, Publication
from socialdesk.content.models import PublicationStatus as S
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Membership, Role, Workspace
from socialdesk.workspaces.permissions import Permission, role_allows

OPEN_STATUSES = (S.DRAFT, S.FAILED, S.CANCELLED)


def _is_open():  # type: ignore[no-untyped-def]
    """SQL: the post has no publication that went further than a draft."""
    return ~exists().where(Publication.post_id == Post.id, Publication.status.not_in(OPEN_STATUSES))


def assign(ctx: WorkspaceContext, post_id: str, assignee_id: str | None, due_at: datetime | None) -> Post:
    """Set (or clear, with None) who writes the post and by when; the new assignee is told."""
    from socialdesk.notifications.people import tell

    ctx.require(Permission.POSTS_WRITE)
    post = ctx.get(Post, post_id, what="post")
    assignee_id = assignee_id or None
    if assignee_id is not None:
        membership = ctx.session.scalars(select(Membership).where(
            Membership.workspace_id == ctx.workspace_id, Membership.user_id == assignee_id)).first()
        if membership is None:
            raise ValidationFailed("Assign the post to a member of this workspace.")
        if not role_allows(Role(membership.role), Permission.POSTS_WRITE):
            raise ValidationFailed("That member's role cannot write posts: choose an editor, admin or owner.")
    if due_at is not None and due_at.tzinfo is None:
        raise ValidationFailed("Give the due date with its time zone.")
    changed_person = assignee_id != post.assignee_id
    changed_due = due_at != (clock.utc(post.due_at) if post.due_at else None)
    post.assignee_id, post.due_at = assignee_id, due_at
    if changed_person or changed_due:
        post.overdue_told_at = None  # a new person or date: they are told again if it runs late
    who = ctx.session.get(User, assignee_id).name if assignee_id else "nobody"  # type: ignore[union-attr]
    when = f" by {due_at.astimezone(zone(ctx.workspace.timezone)):%a %d %b %H:%M}" if due_at else ""
    audit.record(ctx, "post.assign", "post", post.id, f"Assigned to {who}{when}", assignee_id=assignee_id,
                 due_at=due_at.isoformat() if due_at else None)
    ctx.session.flush()
    if assignee_id and (changed_person or changed_due) and assignee_id != ctx.actor.user_id:
        excerpt = " ".join(post.text.split())[:80] or "(no text yet)"
        tell(ctx.session, ctx.workspace_id, "assigned",
             f"{ctx.actor.label} asks you to write “{excerpt}”{when}.", link=f"/w/{ctx.workspace_id}/posts/{post.id}",
             user_ids=[assignee_id])
    return post


def assignable(ctx: WorkspaceContext) -> list[User]:
    """The members who can write posts (the assignee list)."""
    rows = ctx.session.execute(select(User, Membership.role).join(Membership, Membership.user_id == User.id)
                               .where(Membership.workspace_id == ctx.workspace_id).order_by(User.name)).all()
    return [user for user, role in rows if role_allows(Role(role), Permission.POSTS_WRITE)]


@dataclass(frozen=True)
class WorkItem:
    post_id: str
    text: str
    due_at: datetime | None
    overdue: bool
    assignee: str  # the assignee's name ("" when nobody)
    status: str  # open, or what the post went on to (pending_approval, scheduled, published …)


@dataclass(frozen=True)
class MyWork:
    assigned: list[WorkItem]  # open posts assigned to me, soonest due first
    overdue: list[WorkItem]
    to_approve: list[WorkItem]  # posts waiting for a step my role decides
    mentions: list[tuple[datetime, str, str | None, bool]]  # (when, message, link, read)


def _item(post: Post, names: dict[str, str], now: datetime, status: str = "open") -> WorkItem:
    due = clock.utc(post.due_at) if post.due_at else None
    return WorkItem(post.id, " ".join(post.text.split())[:140], due, bool(due and due < now and status == "open"),
                    names.get(post.assignee_id or "", ""), status)


def my_work(ctx: WorkspaceContext) -> MyWork:
    from socialdesk.content import service as content
    from socialdesk.notifications.models import PersonalNotification

    ctx.require(Permission.POSTS_READ)
    now = clock.now()
    me = ctx.actor.user_id
    names = dict(ctx.session.execute(select(User.id, User.name).join(Membership, Membership.user_id == User.id)
                                     .where(Membership.workspace_id == ctx.workspace_id)).all()) if me else {}
    mine = list(ctx.session.scalars(ctx.select(Post).where(Post.assignee_id == me, _is_open())
                                    .order_by(Post.due_at.is_(None), Post.due_at, Post.created_at))) if me else []
    assigned = [_item(p, names, now) for p in mine]
    to_approve: list[WorkItem] = []
    if ctx.can(Permission.POSTS_APPROVE):
        steps = ctx.workspace.approval_steps
        for post in content.pending_approval(ctx):
            step = steps[min(post.approval_step, len(steps) - 1)] if steps else Role.APPROVER.value
            if ctx.role in (Role.OWNER, Role.ADMIN) or ctx.role.value == step:
                to_approve.append(_item(post, names, now, "pending_approval"))
    mentions = [(n.created_at, n.message, n.link, n.read_at is not None) for n in ctx.session.scalars(
        ctx.select(PersonalNotification).where(PersonalNotification.user_id == me,
                                               PersonalNotification.event == "mention")
        .order_by(PersonalNotification.created_at.desc()).limit(20))] if me else []
    return MyWork(assigned, [i for i in assigned if i.overdue], to_approve, mentions)


def due_by_day(ctx: WorkspaceContext, start: date, end: date) -> dict[date, list[WorkItem]]:
    """Posts due in [start, end) by day in the workspace's zone, for the calendar (done ones too, marked)."""
    tz = zone(ctx.workspace.timezone)
    lo = clock.utc(datetime.combine(start, datetime.min.time(), tz))
    hi = clock.utc(datetime.combine(end, datetime.min.time(), tz))
    posts = list(ctx.session.scalars(ctx.select(Post).where(Post.due_at.is_not(None), Post.due_at >= lo,
                                                            Post.due_at < hi).order_by(Post.due_at)))
    if not posts:
        return {}
    open_ids = set(ctx.session.scalars(select(Post.id).where(Post.workspace_id == ctx.workspace_id,
                                                             Post.id.in_([p.id for p in posts]), _is_open())))
    names = dict(ctx.session.execute(select(User.id, User.name).where(
        User.id.in_({p.assignee_id for p in posts if p.assignee_id}))).all())
    now = clock.now()
    out: dict[date, list[WorkItem]] = defaultdict(list)
    for post in posts:
        item = _item(post, names, now, "open" if post.id in open_ids else "done")
        out[clock.utc(post.due_at).astimezone(tz).date()].append(item)  # type: ignore[arg-type]
    return dict(out)


def tell_overdue(session: Session, now: datetime | None = None) -> int:
    """The periodic check: tell each assignee once when their open post passes its due date."""
    from socialdesk.notifications.people import tell

    now = now or clock.now()
    late = list(session.scalars(select(Post).where(Post.assignee_id.is_not(None), Post.due_at.is_not(None),
                                                   Post.due_at < now, Post.overdue_told_at.is_(None), _is_open())
                                .limit(500)))
    for post in late:
        workspace = session.get(Workspace, post.workspace_id)
        tz = zone(workspace.timezone if workspace else "UTC")
        excerpt = " ".join(post.text.split())[:80] or "(no text yet)"
        tell(session, post.workspace_id, "assignment_overdue",
             f"“{excerpt}” was due {clock.utc(post.due_at).astimezone(tz):%a %d %b %H:%M}: it is overdue.",  # type: ignore[arg-type]
             link=f"/w/{post.workspace_id}/posts/{post.id}", user_ids=[post.assignee_id])  # type: ignore[list-item]
        post.overdue_told_at = now
    session.flush()
    return len(late)


OVERDUE_CHECK_EVERY = timedelta(minutes=15)


@dataclass(frozen=True)
class Assignment:
    assignee_id: str | None
    assignee: str
    due_at: datetime | None
    due_local: str  # for a datetime-local field, in the workspace's zone
    overdue: bool


def of_post(ctx: WorkspaceContext, post_id: str) -> Assignment:
    post = ctx.get(Post, post_id, what="post")
    user = ctx.session.get(User, post.assignee_id) if post.assignee_id else None
    due = clock.utc(post.due_at) if post.due_at else None
    is_open = bool(ctx.session.scalar(select(Post.id).where(Post.id == post.id, _is_open())))
    local = due.astimezone(zone(ctx.workspace.timezone)).strftime("%Y-%m-%dT%H:%M") if due else ""
    return Assignment(post.assignee_id, user.name if user else "", due, local,
                      bool(due and due < clock.now() and is_open))
