"""Posts and publications."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from socialdesk.content import service
from socialdesk.content.schemas import ChannelCheck, PostIn, PostOut, PublicationOut, PublicationPatch
from socialdesk.core.inputs import MAX_OFFSET, Moment, Text
from socialdesk.studio.writing import service as writing
from socialdesk.studio.writing.api import WritingOut, writing_out
from socialdesk.web.deps import Ctx
from socialdesk.web.responses import model_json
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["posts"])


class PostPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[PostOut]


class CheckOut(BaseModel):
    ok: bool = Field(description="Every channel fits and no writing problem is of a blocking kind")
    channels: list[ChannelCheck]
    writing: WritingOut = Field(description="Spelling, grammar, style guide and readability of the main text")
    variant_writing: dict[str, WritingOut] = Field(
        default_factory=dict, description="The same for each channel's own text, keyed by channel id")


class DecisionIn(BaseModel):
    comment: str = ""


class RescheduleIn(BaseModel):
    scheduled_at: Moment = Field(description="Wall-clock time in `timezone` (default: the post's zone)")
    timezone: str | None = None


class ActionOut(BaseModel):
    post: PostOut
    notes: list[str]


def _one(ctx: WorkspaceContext, post_id: str, notes: list[str] | None = None) -> PostOut:
    return service.to_out(ctx, [service.get_post(ctx, post_id)], notes)[0]


@router.get("/workspaces/{workspace_id}/posts", response_model=PostPage)
@requires(Permission.POSTS_READ)
def list_posts(ctx: Ctx, status: str | None = None, channel_id: str | None = None, start: Moment | None = None,
               end: Moment | None = None, q: Text | None = None, limit: int = Query(50, ge=1, le=500),
               offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> Response:
    posts, total = service.list_posts(ctx, service.PostFilter(status, channel_id, start, end, q), limit=limit,
                                      offset=offset)
    return model_json(PostPage(total=total, limit=limit, offset=offset, items=service.to_out(ctx, posts)))


@router.post("/workspaces/{workspace_id}/posts", status_code=201)
@requires(Permission.POSTS_WRITE)
def create_post(data: PostIn, ctx: Ctx) -> PostOut:
    result = service.compose(ctx, data)
    return _one(ctx, result.post.id, result.notes)


@router.post("/workspaces/{workspace_id}/posts/check")
@requires(Permission.POSTS_WRITE)
def check_post(data: PostIn, ctx: Ctx,
               language: str | None = Query(None, description="hr, sr, bs, en, de, es, ru or auto; default: the "
                                                              "workspace's writing setting"),
               paid: bool = Query(False, description="A paid post: the style guide's disclosure is required")
               ) -> CheckOut:
    checks = service.check(ctx, data)
    networks = writing.networks_of(ctx, [c.channel_id for c in checks])
    main = writing_out(writing.check(ctx, data.text, language=language, networks=list(networks.values()), paid=paid))
    variants = {channel_id: writing_out(writing.check(ctx, variant.text, language=language,
                                                      networks=[networks.get(channel_id, "")], paid=paid))
                for channel_id, variant in data.variants.items() if variant.text and variant.text.strip()}
    ok = all(c.ok for c in checks) and main.ok and all(v.ok for v in variants.values())
    return CheckOut(ok=ok, channels=checks, writing=main, variant_writing=variants)


@router.get("/workspaces/{workspace_id}/posts/{post_id}")
@requires(Permission.POSTS_READ)
def get_post(post_id: str, ctx: Ctx) -> PostOut:
    return _one(ctx, post_id)


@router.patch("/workspaces/{workspace_id}/posts/{post_id}")
@requires(Permission.POSTS_WRITE)
def update_post(post_id: str, data: PostIn, ctx: Ctx) -> PostOut:
    result = service.compose(ctx, data, post_id)
    return _one(ctx, post_id, result.notes)


@router.delete("/workspaces/{workspace_id}/posts/{post_id}", status_code=204)
@requires(Permission.POSTS_WRITE)
def delete_post(post_id: str, ctx: Ctx) -> None:
    service.delete_post(ctx, post_id)


@router.post("/workspaces/{workspace_id}/posts/{post_id}/submit")
@requires(Permission.POSTS_WRITE)
def submit_post(post_id: str, ctx: Ctx) -> ActionOut:
    notes = service.submit(ctx, post_id)
    return ActionOut(post=_one(ctx, post_id), notes=notes)


@router.post("/workspaces/{workspace_id}/posts/{post_id}/approve")
@requires(Permission.POSTS_APPROVE)
def approve_post(post_id: str, data: DecisionIn, ctx: Ctx) -> ActionOut:
    notes = service.approve(ctx, post_id, data.comment)
    return ActionOut(post=_one(ctx, post_id), notes=notes)


@router.post("/workspaces/{workspace_id}/posts/{post_id}/reject")
@requires(Permission.POSTS_APPROVE)
def reject_post(post_id: str, data: DecisionIn, ctx: Ctx) -> ActionOut:
    notes = service.reject(ctx, post_id, data.comment)
    return ActionOut(post=_one(ctx, post_id), notes=notes)


@router.post("/workspaces/{workspace_id}/posts/{post_id}/schedule")
@requires(Permission.POSTS_WRITE, Permission.POSTS_PUBLISH)
def schedule_post(post_id: str, ctx: Ctx) -> ActionOut:
    notes = service.schedule(ctx, post_id)
    return ActionOut(post=_one(ctx, post_id), notes=notes)


@router.post("/workspaces/{workspace_id}/posts/{post_id}/cancel")
@requires(Permission.POSTS_WRITE)
def cancel_post(post_id: str, ctx: Ctx) -> ActionOut:
    notes = service.cancel(ctx, post_id)
    return ActionOut(post=_one(ctx, post_id), notes=notes)


@router.post("/workspaces/{workspace_id}/posts/{post_id}/reschedule")
@requires(Permission.POSTS_WRITE)
def reschedule_post(post_id: str, data: RescheduleIn, ctx: Ctx) -> ActionOut:
    notes = service.reschedule(ctx, post_id, data.scheduled_at, data.timezone)
    return ActionOut(post=_one(ctx, post_id), notes=notes)


@router.get("/workspaces/{workspace_id}/approvals")
@requires(Permission.POSTS_READ, Permission.POSTS_APPROVE)
def pending_approvals(ctx: Ctx) -> list[PostOut]:
    return service.to_out(ctx, service.pending_approval(ctx))


def _publication_out(ctx: WorkspaceContext, publication_id: str) -> PublicationOut:
    publication = service.get_publication(ctx, publication_id)
    post = _one(ctx, publication.post_id)
    return next(p for p in post.publications if p.id == publication_id)


@router.get("/workspaces/{workspace_id}/publications/{publication_id}")
@requires(Permission.POSTS_READ)
def get_publication(publication_id: str, ctx: Ctx) -> PublicationOut:
    return _publication_out(ctx, publication_id)


@router.patch("/workspaces/{workspace_id}/publications/{publication_id}")
@requires(Permission.POSTS_WRITE)
def update_publication(publication_id: str, data: PublicationPatch, ctx: Ctx) -> PublicationOut:
    service.update_publication(ctx, publication_id, data)
    return _publication_out(ctx, publication_id)


@router.post("/workspaces/{workspace_id}/publications/{publication_id}/retry")
@requires(Permission.POSTS_WRITE, Permission.POSTS_PUBLISH)
def retry_publication(publication_id: str, ctx: Ctx) -> PublicationOut:
    service.retry_publication(ctx, publication_id)
    return _publication_out(ctx, publication_id)


@router.post("/workspaces/{workspace_id}/publications/{publication_id}/steps/retry")
@requires(Permission.POSTS_WRITE, Permission.POSTS_PUBLISH)
def retry_publication_steps(publication_id: str, ctx: Ctx) -> PublicationOut:
    """Send a published post's failed or unconfirmed thread parts and first comment again."""
    service.retry_steps(ctx, publication_id)
    return _publication_out(ctx, publication_id)


@router.post("/workspaces/{workspace_id}/publications/{publication_id}/cancel")
@requires(Permission.POSTS_WRITE)
def cancel_publication(publication_id: str, ctx: Ctx) -> PublicationOut:
    service.cancel_publication(ctx, publication_id)
    return _publication_out(ctx, publication_id)


class ConfirmIn(BaseModel):
    url: str | None = Field(None, description="The post's address on the network, if you have it")


@router.post("/workspaces/{workspace_id}/publications/{publication_id}/confirm")
@requires(Permission.POSTS_WRITE, Permission.POSTS_PUBLISH)
def confirm_publication(publication_id: str, data: ConfirmIn, ctx: Ctx) -> PublicationOut:
    """An unconfirmed publication that a person found on the channel: record it as published."""
    service.confirm_publication(ctx, publication_id, data.url)
    return _publication_out(ctx, publication_id)
