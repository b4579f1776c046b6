"""The list of posts, one post in full, and the buttons that move a post or a publication along."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socialdesk.analytics import service as analytics
from socialdesk.channels import service as channels
from socialdesk.comments import service as team_comments
from socialdesk.content import assignments
from socialdesk.content import service as content
from socialdesk.content.models import EDITABLE, PublicationStatus
from socialdesk.content.schemas import PostOut
from socialdesk.core.inputs import MAX_PAGE, check_text
from socialdesk.inbox import service as inbox
from socialdesk.media import service as media
from socialdesk.networks.base import POST_METRICS
from socialdesk.web.deps import Ctx
from socialdesk.web.pages import previews
from socialdesk.web.pages.common import Form, act, field, render, safe_local, ws_url
from socialdesk.web.pages.views import STATUS_LABELS
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()
PAGE_SIZE = 25
FILTER_STATUSES = [s.value for s in PublicationStatus]


@router.get("/w/{workspace_id}/posts", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def post_list(request: Request, ctx: Ctx, status: str = "", channel: str = "", q: str = "",
              page: int = Query(1, le=MAX_PAGE)) -> HTMLResponse:
    page = max(page, 1)
    check_text(q, "The search")
    flt = content.PostFilter(status=status or None, channel_id=channel or None, search=q.strip() or None)
    posts, total = content.list_posts(ctx, flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    shown = content.to_out(ctx, posts)
    media_ids = {m for post in shown for m in _media_of(post)[:1]}
    return render(request, "posts.html", ctx=ctx, section="posts", posts=shown, total=total,
                  marks=previews.network_marks(ctx), assets=previews.media_assets(ctx, media_ids),
                  media_of={post.id: _media_of(post) for post in shown},
                  page=page, pages=max(1, -(-total // PAGE_SIZE)), channels=channels.list_channels(ctx),
                  statuses=[(s, STATUS_LABELS[s]) for s in FILTER_STATUSES],
                  filters={"status": status, "channel": channel, "q": q})


def _media_of(post: PostOut) -> list[str]:
    """The post's images, or where each channel has its own, the first channel's."""
    return post.media_ids or next((p.media_ids for p in post.publications if p.media_ids), [])


@router.get("/w/{workspace_id}/posts/{post_id}", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def post_detail(request: Request, post_id: str, ctx: Ctx) -> HTMLResponse:
    post = content.to_out(ctx, [content.get_post(ctx, post_id)])[0]
    by_id = {c.id: c for c in channels.list_channels(ctx)}
    pub_ids = [p.id for p in post.publications]
    media_ids = {m for p in post.publications for m in p.media_ids} | set(post.media_ids)
    return render(
        request, "post.html", ctx=ctx, section="posts", post=post,
        channels=by_id, caps={cid: channels.capabilities(c) for cid, c in by_id.items()},
        metrics=analytics.latest_for_publications(ctx, pub_ids), metric_names=POST_METRICS,
        comments={pid: inbox.list_items(ctx, inbox.InboxFilter(publication_id=pid), limit=20)[0] for pid in pub_ids},
        assets={m: media.get(ctx, m) for m in media_ids},
        editable=all(p.status in EDITABLE for p in post.publications),
        threads=team_comments.threads(ctx, post_id), members=team_comments.members(ctx),
        assignment=assignments.of_post(ctx, post_id),
        assignees=assignments.assignable(ctx) if ctx.can(Permission.POSTS_WRITE) else [],
    )


@router.get("/w/{workspace_id}/publications/{publication_id}")
@requires(Permission.POSTS_READ)
def publication_detail(publication_id: str, ctx: Ctx) -> RedirectResponse:
    publication = content.get_publication(ctx, publication_id)
    return RedirectResponse(ws_url(ctx, f"/posts/{publication.post_id}#pub-{publication.id}"), status_code=303)


def _back(ctx: WorkspaceContext, form: Form, default: str) -> str:
    return safe_local(field(form, "back"), ws_url(ctx, default))


def _post_action(ctx: WorkspaceContext, form: Form, post_id: str, action: Callable[[], list[str] | None]) -> Response:
    content.get_post(ctx, post_id)  # another workspace's post is a 404, not a friendly error message
    return act(ctx, action, back=_back(ctx, form, f"/posts/{post_id}"))


@router.post("/w/{workspace_id}/posts/{post_id}/submit")
@requires(Permission.POSTS_WRITE)
def submit(post_id: str, ctx: Ctx, form: Form) -> Response:
    return _post_action(ctx, form, post_id, lambda: content.submit(ctx, post_id))


@router.post("/w/{workspace_id}/posts/{post_id}/schedule")
@requires(Permission.POSTS_WRITE, Permission.POSTS_PUBLISH)
def schedule(post_id: str, ctx: Ctx, form: Form) -> Response:
    return _post_action(ctx, form, post_id, lambda: content.schedule(ctx, post_id))


@router.post("/w/{workspace_id}/posts/{post_id}/cancel")
@requires(Permission.POSTS_WRITE)
def cancel(post_id: str, ctx: Ctx, form: Form) -> Response:
    return _post_action(ctx, form, post_id, lambda: content.cancel(ctx, post_id))


@router.post("/w/{workspace_id}/posts/{post_id}/delete")
@requires(Permission.POSTS_WRITE)
def delete(post_id: str, ctx: Ctx, form: Form) -> Response:
    content.get_post(ctx, post_id)

    def remove() -> list[str]:
        content.delete_post(ctx, post_id)
        return ["Post deleted."]

    # On success the post's own page is gone: go to the list; an error keeps the user where the button was.
    return act(ctx, remove, back=_back(ctx, form, f"/posts/{post_id}"), done=ws_url(ctx, "/posts"))


def _publication_action(ctx: WorkspaceContext, form: Form, publication_id: str,
                        action: Callable[[], list[str]]) -> Response:
    publication = content.get_publication(ctx, publication_id)
    return act(ctx, action, back=_back(ctx, form, f"/posts/{publication.post_id}"))


@router.post("/w/{workspace_id}/publications/{publication_id}/retry")
@requires(Permission.POSTS_WRITE, Permission.POSTS_PUBLISH)
def retry(publication_id: str, ctx: Ctx, form: Form) -> Response:
    return _publication_action(ctx, form, publication_id, lambda: content.retry_publication(ctx, publication_id))


@router.post("/w/{workspace_id}/publications/{publication_id}/steps/retry")
@requires(Permission.POSTS_WRITE, Permission.POSTS_PUBLISH)
def retry_steps(publication_id: str, ctx: Ctx, form: Form) -> Response:
    """Send a published post's failed thread parts and first comment again."""
    return _publication_action(ctx, form, publication_id, lambda: content.retry_steps(ctx, publication_id))


@router.post("/w/{workspace_id}/publications/{publication_id}/confirm")
@requires(Permission.POSTS_WRITE, Permission.POSTS_PUBLISH)
def confirm(publication_id: str, ctx: Ctx, form: Form) -> Response:
    """A person found the unconfirmed post on the channel."""
    return _publication_action(ctx, form, publication_id,
                               lambda: content.confirm_publication(ctx, publication_id, field(form, "url") or None))


@router.post("/w/{workspace_id}/publications/{publication_id}/cancel")
@requires(Permission.POSTS_WRITE)
def cancel_publication(publication_id: str, ctx: Ctx, form: Form) -> Response:
    return _publication_action(ctx, form, publication_id, lambda: content.cancel_publication(ctx, publication_id))
