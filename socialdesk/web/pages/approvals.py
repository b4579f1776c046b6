"""The approval queue, and approving or rejecting a post (from the queue with htmx, or from its page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.comments import service as team_comments
from socialdesk.content import service as content
from socialdesk.content.schemas import PostOut
from socialdesk.core.errors import NotFound
from socialdesk.web.deps import Ctx
from socialdesk.web.pages import previews
from socialdesk.web.pages import writing as writing_panel
from socialdesk.web.pages.common import Form, act, attempt, field, partial, render, safe_local, ws_url
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()


@router.get("/w/{workspace_id}/approvals", response_class=HTMLResponse)
@requires(Permission.POSTS_READ, Permission.POSTS_APPROVE)
def approvals(request: Request, ctx: Ctx) -> HTMLResponse:
    from socialdesk.campaigns import ad_requests

    posts = content.to_out(ctx, content.pending_approval(ctx))
    waiting_ads = [(r, ad_requests.describe(ctx, r)) for r in ad_requests.pending(ctx)]
    return render(request, "approvals.html", ctx=ctx, section="approvals", posts=posts, ad_requests=waiting_ads,
                  **_previews(ctx, posts))


def _previews(ctx: WorkspaceContext, posts: list[PostOut]) -> dict[str, Any]:
    """What the cards show of each channel: its network's mark and the images the approver approves."""
    media_ids = {m for post in posts for pub in post.publications for m in pub.media_ids}
    # The team's comments beside each post (not for a client reviewer: they are internal).
    threads = team_comments.threads_for(ctx, [p.id for p in posts]) if ctx.can(Permission.POSTS_READ) else {}
    return {"marks": previews.network_marks(ctx), "assets": previews.media_assets(ctx, media_ids),
            "post_threads": threads, "members": team_comments.members(ctx) if threads is not None else [],
            "post_writing": {p.id: writing_panel.approver_findings(ctx, p) for p in posts}}


def _decide(request: Request, ctx: WorkspaceContext, form: Form, post_id: str,
            decision: Callable[[], list[str]]) -> Response:
    """From the queue (htmx) the card is swapped for its new state; from the post's page it is a redirect."""
    content.get_post(ctx, post_id)
    if not ctx.can(Permission.POSTS_READ) and post_id not in {p.id for p in content.pending_approval(ctx)}:
        # A client reviewer sees only what waits for it: no card (with the post's text) for any other post.
        raise NotFound(f"No post with id {post_id} waiting for your approval.")
    if not request.headers.get("hx-request"):
        return act(ctx, decision, back=safe_local(field(form, "back"), ws_url(ctx, f"/posts/{post_id}")))
    notes, error = attempt(ctx.session, decision)
    post = content.to_out(ctx, [content.get_post(ctx, post_id)])[0]
    response = partial(request, "partials/approval_card.html", ctx=ctx, post=post, notes=notes or [],
                       error=error.message if error else None, done=error is None, **_previews(ctx, [post]))
    # The nav's count changes with every decision; the layout listens for this event and reloads it.
    response.headers["HX-Trigger"] = "approvals-changed"
    return response


@router.post("/w/{workspace_id}/posts/{post_id}/approve")
@requires(Permission.POSTS_APPROVE)
def approve(request: Request, post_id: str, ctx: Ctx, form: Form) -> Response:
    return _decide(request, ctx, form, post_id, lambda: content.approve(ctx, post_id, field(form, "comment")))


@router.post("/w/{workspace_id}/posts/{post_id}/reject")
@requires(Permission.POSTS_APPROVE)
def reject(request: Request, post_id: str, ctx: Ctx, form: Form) -> Response:
    return _decide(request, ctx, form, post_id, lambda: content.reject(ctx, post_id, field(form, "comment")))


@router.get("/w/{workspace_id}/approvals/count", response_class=HTMLResponse)
@requires(Permission.POSTS_READ, Permission.POSTS_APPROVE)
def approval_count(ctx: Ctx) -> HTMLResponse:
    """The nav badge alone, refreshed after a decision on the queue."""
    from socialdesk.campaigns import ad_requests

    count = content.pending_approval_count(ctx) + len(ad_requests.pending(ctx))
    return HTMLResponse(f'<span class="count">{count}</span>' if count else "")
