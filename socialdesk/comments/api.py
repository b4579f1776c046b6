"""The team's comments on posts: threads with replies, @mentions, resolving."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from socialdesk.comments import service
from socialdesk.core.inputs import Text
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["comments"])


class CommentIn(BaseModel):
    body: Text = Field(description="The comment; `@handle` (the part of a member's e-mail before the @) "
                                   "or `@their@e-mail` mentions and notifies them")
    parent_id: str | None = Field(None, description="Reply in this comment's thread")


class CommentOut(BaseModel):
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
    replies: list[CommentOut] = []


def _out(view: service.CommentView) -> CommentOut:
    return CommentOut(**{k: v for k, v in vars(view).items() if k != "replies"},
                      replies=[_out(r) for r in view.replies])


def _thread(ctx: Ctx, post_id: str, comment_id: str) -> CommentOut:
    found = next(t for t in service.threads(ctx, post_id) if t.id == comment_id)
    return _out(found)


@router.get("/workspaces/{workspace_id}/posts/{post_id}/comments")
@requires(Permission.POSTS_READ)
def list_comments(post_id: str, ctx: Ctx) -> list[CommentOut]:
    return [_out(t) for t in service.threads(ctx, post_id)]


@router.post("/workspaces/{workspace_id}/posts/{post_id}/comments", status_code=201)
@requires(Permission.POSTS_READ)  # and posts:write or posts:approve (comments.service)
def add_comment(post_id: str, data: CommentIn, ctx: Ctx) -> CommentOut:
    comment = service.add(ctx, post_id, data.body, data.parent_id)
    ctx.session.flush()
    top = comment.parent_id or comment.id
    thread = _thread(ctx, post_id, top)
    return thread if thread.id == comment.id else next(r for r in thread.replies if r.id == comment.id)


@router.post("/workspaces/{workspace_id}/comments/{comment_id}/resolve")
@requires(Permission.POSTS_READ)  # and posts:write or posts:approve (comments.service)
def resolve_comment(comment_id: str, ctx: Ctx) -> CommentOut:
    top = service.resolve(ctx, comment_id)
    ctx.session.flush()
    return _thread(ctx, top.post_id, top.id)


@router.post("/workspaces/{workspace_id}/comments/{comment_id}/reopen")
@requires(Permission.POSTS_READ)  # and posts:write or posts:approve (comments.service)
def reopen_comment(comment_id: str, ctx: Ctx) -> CommentOut:
    top = service.reopen(ctx, comment_id)
    ctx.session.flush()
    return _thread(ctx, top.post_id, top.id)


@router.delete("/workspaces/{workspace_id}/comments/{comment_id}", status_code=204)
@requires(Permission.POSTS_READ)  # and posts:write or posts:approve (comments.service)
def delete_comment(comment_id: str, ctx: Ctx) -> None:
    service.delete(ctx, comment_id)
