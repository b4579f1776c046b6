"""Review links: a client approves posts, or asks for changes, without an account.

An approver chooses posts (or a calendar range) and a client's e-mail; socialdesk sends a link that opens
those posts, as each network would show them, and nothing else of the workspace. The link carries a
256-bit random secret; only its SHA-256 is stored (like sessions and invitations), so a leaked database
opens no link. It expires (14 days unless chosen otherwise, at most 90) and can be revoked at any time.

Through the link the client takes the approval chain's `client_reviewer` step, exactly as a member with
that role would (content.approve / content.reject); every decision is recorded with the link it came
through, in the approval records and in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from socialdesk.agency.models import ReviewLink, ReviewLinkPost
from socialdesk.agency.white_label import sender_name
from socialdesk.audit import service as audit
from socialdesk.auth import service as auth
from socialdesk.content import service as content
from socialdesk.content.models import ApprovalDecision, Post, PostMedia, Publication, PublicationStatus
from socialdesk.content.schemas import PostOut
from socialdesk.core import clock
from socialdesk.core.errors import Forbidden, Gone, NotFound, ServiceUnavailable, ValidationFailed
from socialdesk.core.inputs import check_day, check_text
from socialdesk.core.timezones import zone
from socialdesk.media.models import MediaAsset
from socialdesk.reports import mail
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.models import Role, Workspace
from socialdesk.workspaces.permissions import Permission

DEFAULT_DAYS = 14
MAX_DAYS = 90
MAX_POSTS = 200
CLIENT_STEP = Role.CLIENT_REVIEWER.value
# A post in a calendar range is shown once it is more than a draft: submitted, scheduled or published.
SHOWN_IN_RANGE = (PublicationStatus.PENDING_APPROVAL, PublicationStatus.SCHEDULED, PublicationStatus.PUBLISHING,
                  PublicationStatus.PUBLISHED)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class LinkIn:
    email: str
    post_ids: list[str] = field(default_factory=list)
    range_start: date | None = None  # a calendar range, in the workspace's time zone, both days included
    range_end: date | None = None
    days_valid: int = DEFAULT_DAYS
    message: str = ""
    name: str = ""


def create(ctx: WorkspaceContext, data: LinkIn, link_for: Callable[[str], str]) -> tuple[ReviewLink, str]:
    """Make a link and e-mail it to the client; returns the link and its address (shown once to the sender)."""
    ctx.require(Permission.POSTS_APPROVE)
    email = auth.normalise_email(data.email)
    check_text(data.message, "The message")
    check_text(data.name, "The link's name")
    if not 1 <= data.days_valid <= MAX_DAYS:
        raise ValidationFailed(f"A review link is valid for 1 to {MAX_DAYS} days.")
    has_range = data.range_start is not None or data.range_end is not None
    post_ids = list(dict.fromkeys(data.post_ids))
    if bool(post_ids) == has_range:
        raise ValidationFailed("Choose the posts to review, or a calendar range (from and to), not both.")
    if len(post_ids) > MAX_POSTS:
        raise ValidationFailed(f"At most {MAX_POSTS} posts per review link.")
    start = end = None
    if has_range:
        if data.range_start is None or data.range_end is None or data.range_end < data.range_start:
            raise ValidationFailed("A calendar range needs a first and a last day, the last not before the first.")
        if not ctx.can(Permission.POSTS_READ):
            raise Forbidden("Only someone who may read the calendar can share a calendar range; choose posts instead.")
        check_day(data.range_start, "The first day")
        check_day(data.range_end, "The last day")
        tz = zone(ctx.workspace.timezone)
        start = clock.utc(datetime.combine(data.range_start, datetime.min.time(), tz))
        end = clock.utc(datetime.combine(data.range_end + timedelta(days=1), datetime.min.time(), tz))
    else:
        visible = None if ctx.can(Permission.POSTS_READ) else {p.id for p in content.pending_approval(ctx)}
        for post_id in post_ids:
            content.get_post(ctx, post_id)
            if visible is not None and post_id not in visible:  # a client reviewer shares what it may see
                raise NotFound(f"No post with id {post_id} waiting for your review.")
    if CLIENT_STEP not in ctx.workspace.approval_steps:
        raise ValidationFailed("The client approves through the approval chain's client step, which this "
                               "workspace does not have: add 'client reviewer' to the approval steps in Settings.")
    mail.check_configured()
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    link = ReviewLink(workspace_id=ctx.workspace_id, email=email, name=data.name.strip()[:200],
                      message=data.message.strip(), token_hash=digest(secret), created_by_user_id=ctx.actor.user_id,
                      range_start=start, range_end=end, expires_at=now + timedelta(days=data.days_valid))
    ctx.session.add(link)
    ctx.session.flush()
    for post_id in post_ids:
        ctx.session.add(ReviewLinkPost(workspace_id=ctx.workspace_id, link_id=link.id, post_id=post_id))
    what = f"{len(post_ids)} post(s)" if post_ids else f"the calendar {data.range_start} – {data.range_end}"
    audit.record(ctx, "review_link.create", "review_link", link.id, f"Sent a review link for {what} to {email}",
                 email=email, posts=post_ids, range=[str(data.range_start), str(data.range_end)] if has_range else None,
                 expires_at=link.expires_at.isoformat())
    address = link_for(secret)
    _send(ctx, link, address, what)
    return link, address


def _send(ctx: WorkspaceContext, link: ReviewLink, address: str, what: str) -> None:
    sender = ctx.actor.label.split(" (token")[0]
    body = (f"{sender} asks you to review {what} for {ctx.workspace.name}.\n\n"
            + (f"{link.message}\n\n" if link.message else "")
            + f"Open this link to see each post as it will appear, and approve it or ask for changes "
            f"(no account needed). It works until {link.expires_at:%d %b %Y %H:%M} UTC:\n\n{address}\n\n"
            "Keep the link to yourself: whoever has it can approve these posts.")
    try:
        mail.send([link.email], f"Please review: posts for {ctx.workspace.name}", body,
                  sender_name=sender_name(ctx.workspace))
    except OSError as exc:  # the link is rolled back with the request
        raise ServiceUnavailable(f"The review e-mail could not be sent ({exc}); try again later.") from None


def revoke(ctx: WorkspaceContext, link_id: str) -> ReviewLink:
    ctx.require(Permission.POSTS_APPROVE)
    link = get(ctx, link_id)
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by_user_id = clock.now(), ctx.actor.user_id
        audit.record(ctx, "review_link.revoke", "review_link", link.id, f"Revoked the review link sent to {link.email}")
    return link


def get(ctx: WorkspaceContext, link_id: str) -> ReviewLink:
    """One link; someone who may not read posts (a client reviewer) sees only the links it made itself."""
    link = ctx.get(ReviewLink, link_id, what="review link")
    if not ctx.can(Permission.POSTS_READ) and link.created_by_user_id != ctx.actor.user_id:
        raise NotFound(f"No review link with id {link_id} in this workspace.")
    return link


@dataclass(frozen=True)
class LinkSummary:
    link: ReviewLink
    state: str  # active, expired, revoked
    posts: int | None  # chosen posts; None for a calendar range
    approved: int
    changes_requested: int


def list_links(ctx: WorkspaceContext) -> list[LinkSummary]:
    ctx.require(Permission.POSTS_APPROVE)
    query = ctx.select(ReviewLink)
    if not ctx.can(Permission.POSTS_READ):
        query = query.where(ReviewLink.created_by_user_id == ctx.actor.user_id)
    links = list(ctx.session.scalars(query.order_by(ReviewLink.created_at.desc()).limit(200)))
    ids = [link.id for link in links]
    counts = dict((r.link_id, r.n) for r in ctx.session.execute(
        select(ReviewLinkPost.link_id, func.count().label("n")).where(ReviewLinkPost.link_id.in_(ids))
        .group_by(ReviewLinkPost.link_id))) if ids else {}
    decisions: dict[tuple[str, str], int] = {}
    if ids:
        for link_id, decision, n in ctx.session.execute(
                select(ApprovalDecision.review_link_id, ApprovalDecision.decision, func.count())
                .where(ApprovalDecision.review_link_id.in_(ids))
                .group_by(ApprovalDecision.review_link_id, ApprovalDecision.decision)):
            decisions[(link_id, decision)] = n
    return [LinkSummary(link, state_of(link), None if link.range_start else counts.get(link.id, 0),
                        decisions.get((link.id, "approved"), 0), decisions.get((link.id, "rejected"), 0))
            for link in links]


def state_of(link: ReviewLink) -> str:
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if clock.utc(link.expires_at) <= clock.now() else "active"


# The client's side: no account, only the link -------------------------------------------------------


def open_link(session: Session, secret: str) -> ReviewLink:
    """The link whose secret this is, while it may be used; otherwise NotFound or Gone (revoked, expired)."""
    link = session.scalars(select(ReviewLink).where(ReviewLink.token_hash == digest(secret))).first() \
        if secret and "\x00" not in secret else None
    if link is None:
        raise NotFound("This review link is not valid. Check that the whole address was copied from the e-mail.")
    state = state_of(link)
    if state != "active":
        raise Gone(f"This review link was {'revoked' if state == 'revoked' else 'valid only until'}"
                   f"{'' if state == 'revoked' else f' {link.expires_at:%d %b %Y %H:%M} UTC'}: ask the sender "
                   "for a new one.")
    return link


def client_context(session: Session, link: ReviewLink) -> WorkspaceContext:
    """The client, acting through the link: the client reviewer's rights, the link's posts only, on record
    under its e-mail and the link's id."""
    workspace = session.get(Workspace, link.workspace_id)
    assert workspace is not None  # links are deleted with their workspace
    return WorkspaceContext(session, workspace, Actor(None, f"{link.email} (review link)", review_link_id=link.id),
                            Role.CLIENT_REVIEWER)


def covered_post_ids(ctx: WorkspaceContext, link: ReviewLink) -> list[str]:
    """The posts the link opens, in calendar order: the chosen ones, or for a range those scheduled in it
    that are more than drafts (and any it already decided, which may have gone back to drafts)."""
    if link.range_start is None:
        query = ctx.select(Post).where(Post.id.in_(
            select(ReviewLinkPost.post_id).where(ReviewLinkPost.link_id == link.id)))
    else:
        shown = select(Publication.post_id).where(Publication.workspace_id == ctx.workspace_id,
                                                  Publication.status.in_(SHOWN_IN_RANGE))
        decided = select(ApprovalDecision.post_id).where(ApprovalDecision.review_link_id == link.id)
        query = ctx.select(Post).where(or_(
            Post.id.in_(shown) & (Post.scheduled_at >= link.range_start) & (Post.scheduled_at < link.range_end),
            Post.id.in_(decided)))
    query = query.order_by(Post.scheduled_at.is_(None), Post.scheduled_at, Post.id)
    return list(ctx.session.scalars(query.with_only_columns(Post.id)))


@dataclass(frozen=True)
class ReviewItem:
    post: PostOut
    waiting_for_client: bool  # the client may approve it or ask for changes now
    decisions: list  # this link's decisions on it (ApprovalOut), oldest first


def review(ctx: WorkspaceContext, link: ReviewLink) -> list[ReviewItem]:
    ids = covered_post_ids(ctx, link)
    posts = list(ctx.session.scalars(ctx.select(Post).where(Post.id.in_(ids)))) if ids else []
    by_id = {p.id: p for p in posts}
    outs = content.to_out(ctx, [by_id[i] for i in ids if i in by_id])
    steps = ctx.workspace.approval_steps
    items = []
    for out in outs:
        waiting = out.approval_step == CLIENT_STEP and any(
            p.status == PublicationStatus.PENDING_APPROVAL for p in out.publications) and bool(steps)
        # Only this link's own decisions: the team's internal comments stay inside the workspace.
        mine = [a for a in out.approvals if a.review_link_id == link.id]
        items.append(ReviewItem(out, waiting, mine))
    return items


def decide(session: Session, secret: str, post_id: str, approve: bool, comment: str) -> list[str]:
    """The client's decision on one of the link's posts (asking for changes needs a comment)."""
    link = open_link(session, secret)
    ctx = client_context(session, link)
    if post_id not in covered_post_ids(ctx, link):
        raise NotFound("That post is not part of this review.")
    check_text(comment, "The comment")
    notes = content.approve(ctx, post_id, comment.strip()) if approve else content.reject(ctx, post_id, comment)
    link.last_opened_at = clock.now()
    return notes


def media_file(session: Session, secret: str, media_id: str) -> MediaAsset:
    """A picture of one of the link's posts; any other media of the workspace is not found."""
    link = open_link(session, secret)
    ctx = client_context(session, link)
    ids = covered_post_ids(ctx, link)
    allowed = ctx.session.scalar(select(func.count()).select_from(PostMedia).where(
        PostMedia.post_id.in_(ids), PostMedia.media_id == media_id)) if ids else 0
    if not allowed:
        raise NotFound("No such picture in this review.")
    return ctx.get(MediaAsset, media_id, what="media")


def note_opened(session: Session, link_id: str) -> None:
    link = session.get(ReviewLink, link_id)
    if link is not None and (link.last_opened_at is None or clock.now() - clock.utc(link.last_opened_at)
                             > timedelta(minutes=5)):
        link.last_opened_at = clock.now()
