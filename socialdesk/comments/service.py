"""The team's comments on a post: write, reply, @mention, resolve and reopen.

Comments are internal: they are never sent to a network, and a client reviewer (who sees only what it is
asked to approve) does not see them. A mention is `@` and a member's handle — the part of their e-mail
before the `@` (`@maja` for maja@agency.example) — or their whole e-mail address; each mentioned member is
told (notifications.people.tell, event "mention") in the app, by e-mail and in the team's chat as their
preferences and the workspace's chat webhooks say."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from socialdesk.audit import service as audit
from socialdesk.auth.models import User
from socialdesk.comments.models import PostComment
from socialdesk.content.models import Post
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.notifications.people import tell
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Membership, Role
from socialdesk.workspaces.permissions import Permission, role_allows

MAX_LENGTH = 5000
MENTION = re.compile(r"(?<![\w.@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


@dataclass(frozen=True)
class Member:
    user_id: str
    name: str
    email: str

    @property
    def handle(self) -> str:
        return self.email.split("@", 1)[0].lower()


@dataclass
class CommentView:
    id: str
    post_id: str
    parent_id: str | None
    author_id: str | None
    author: str
    body: str
    mentions: list[str]
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    replies: list[CommentView] = field(default_factory=list)


def _require_can_comment(ctx: WorkspaceContext) -> None:
    # Reading the post and its comments is needed too: a client reviewer approves, but sees no internal talk.
    ctx.require(Permission.POSTS_READ)
    if not (ctx.can(Permission.POSTS_WRITE) or ctx.can(Permission.POSTS_APPROVE)):
        ctx.require(Permission.POSTS_WRITE)


def members(ctx: WorkspaceContext) -> list[Member]:
    """Who can be mentioned: the members who can read the post (not a client reviewer: the talk is internal)."""
    rows = ctx.session.execute(select(User.id, User.name, User.email, Membership.role).join(
        Membership, Membership.user_id == User.id).where(Membership.workspace_id == ctx.workspace_id)
        .order_by(User.name))
    return [Member(uid, name, email) for uid, name, email, role in rows
            if role_allows(Role(role), Permission.POSTS_READ)]


def find_mentions(ctx: WorkspaceContext, body: str) -> list[str]:
    """The ids of the members the text mentions, in the order first mentioned."""
    by_handle: dict[str, str] = {}
    for member in members(ctx):
        by_handle.setdefault(member.handle, member.user_id)
        by_handle[member.email.lower()] = member.user_id
    found: list[str] = []
    for match in MENTION.finditer(body):
        word = match.group(1).lower().rstrip(".")
        user_id = by_handle.get(word)
        if user_id and user_id not in found:
            found.append(user_id)
    return found


def add(ctx: WorkspaceContext, post_id: str, body: str, parent_id: str | None = None) -> PostComment:
    _require_can_comment(ctx)
    post = ctx.get(Post, post_id, what="post")
    body = body.strip()
    if not body:
        raise ValidationFailed("Write something first: the comment is empty.")
    if len(body) > MAX_LENGTH:
        raise ValidationFailed(f"A comment may be at most {MAX_LENGTH} characters; this one has {len(body)}.")
    if parent_id:
        parent = ctx.get(PostComment, parent_id, what="comment")
        if parent.post_id != post.id:
            raise ValidationFailed("That comment belongs to another post.")
        parent = _top(ctx, parent)
        parent_id = parent.id
        if parent.resolved_at is not None:  # answering a resolved thread reopens it
            parent.resolved_at, parent.resolved_by_id = None, None
    mentioned = find_mentions(ctx, body)
    comment = PostComment(workspace_id=ctx.workspace_id, post_id=post.id, parent_id=parent_id,
                          author_id=ctx.actor.user_id, body=body, mentions=mentioned)
    ctx.session.add(comment)
    ctx.session.flush()
    audit.record(ctx, "comment.create", "post", post.id, f"Commented on a post: {body[:150]}")
    if mentioned:
        author = _name(ctx, ctx.actor.user_id) or ctx.actor.label
        excerpt = body if len(body) <= 200 else body[:199] + "…"
        tell(ctx.session, ctx.workspace_id, "mention", f"{author} mentioned you on a post: “{excerpt}”",
             link=f"/w/{ctx.workspace_id}/posts/{post.id}#comment-{comment.id}", user_ids=mentioned,
             exclude=[ctx.actor.user_id] if ctx.actor.user_id else [])
    _received(ctx, post, comment)
    return comment


def _received(ctx: WorkspaceContext, post: Post, comment: PostComment) -> None:
    from socialdesk.integrations import service as integrations

    integrations.emit(ctx.session, ctx.workspace_id, "comment.received", {
        "source": "team", "post_id": post.id, "comment_id": comment.id, "parent_id": comment.parent_id,
        "author_id": comment.author_id, "text": comment.body})


def _top(ctx: WorkspaceContext, comment: PostComment) -> PostComment:
    return ctx.get(PostComment, comment.parent_id, what="comment") if comment.parent_id else comment


def _name(ctx: WorkspaceContext, user_id: str | None) -> str | None:
    user = ctx.session.get(User, user_id) if user_id else None
    return user.name if user else None


def resolve(ctx: WorkspaceContext, comment_id: str) -> PostComment:
    """Resolve a thread (a reply resolves the thread it is in); it folds away on the pages."""
    _require_can_comment(ctx)
    top = _top(ctx, ctx.get(PostComment, comment_id, what="comment"))
    if top.resolved_at is None:
        top.resolved_at, top.resolved_by_id = clock.now(), ctx.actor.user_id
        audit.record(ctx, "comment.resolve", "post", top.post_id, "Resolved a comment thread")
    return top


def reopen(ctx: WorkspaceContext, comment_id: str) -> PostComment:
    _require_can_comment(ctx)
    top = _top(ctx, ctx.get(PostComment, comment_id, what="comment"))
    top.resolved_at, top.resolved_by_id = None, None
    return top


def delete(ctx: WorkspaceContext, comment_id: str) -> None:
    """Authors delete their own comments; admins any (a thread goes with its top comment)."""
    _require_can_comment(ctx)
    comment = ctx.get(PostComment, comment_id, what="comment")
    if comment.author_id != ctx.actor.user_id:
        ctx.require(Permission.WORKSPACE_ADMIN)
    for reply in ctx.session.scalars(ctx.select(PostComment).where(PostComment.parent_id == comment.id)):
        ctx.session.delete(reply)
    ctx.session.delete(comment)


def threads(ctx: WorkspaceContext, post_id: str) -> list[CommentView]:
    """The post's threads, oldest first, each with its replies."""
    return threads_for(ctx, [post_id]).get(post_id, [])


def threads_for(ctx: WorkspaceContext, post_ids: list[str]) -> dict[str, list[CommentView]]:
    ctx.require(Permission.POSTS_READ)
    if not post_ids:
        return {}
    rows = list(ctx.session.scalars(ctx.select(PostComment).where(PostComment.post_id.in_(post_ids))
                                    .order_by(PostComment.created_at, PostComment.id)))
    people = {u.id: u.name for u in ctx.session.scalars(select(User).where(
        User.id.in_({r.author_id for r in rows} | {r.resolved_by_id for r in rows} - {None})))}
    views = {r.id: CommentView(r.id, r.post_id, r.parent_id, r.author_id, people.get(r.author_id or "", "someone"),
                               r.body, list(r.mentions), r.created_at, r.resolved_at,
                               people.get(r.resolved_by_id or "") if r.resolved_by_id else None) for r in rows}
    out: dict[str, list[CommentView]] = {}
    for view in views.values():
        if view.parent_id and view.parent_id in views:
            views[view.parent_id].replies.append(view)
        else:
            out.setdefault(view.post_id, []).append(view)
    return out


def open_count(ctx: WorkspaceContext, post_ids: list[str]) -> dict[str, int]:
    """Unresolved threads per post (the approval cards show it)."""
    return {pid: sum(1 for t in found if t.resolved_at is None) for pid, found in threads_for(ctx, post_ids).items()}
