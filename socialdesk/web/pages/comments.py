"""Incoming comments, mentions and direct messages, with reply and hide where the network allows."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.channels import service as channels
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from socialdesk.networks.base import IncomingKind
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, attempt, field, partial, render, ws_url
from socialdesk.web.pages.views import channel_names, publication_posts
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

router = APIRouter()
PAGE_SIZE = 50


@router.get("/w/{workspace_id}/comments", response_class=HTMLResponse)
def comments(request: Request, ctx: Ctx, channel: str = "", kind: str = "", unanswered: bool = False,
             page: int = 1) -> HTMLResponse:
    page = max(page, 1)
    flt = inbox.InboxFilter(channel_id=channel or None, kind=kind or None, unanswered=unanswered)
    items, total = inbox.list_items(ctx, flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    all_channels = channels.list_channels(ctx)
    return render(request, "comments.html", ctx=ctx, section="comments", items=items, total=total, page=page,
                  pages=max(1, -(-total // PAGE_SIZE)), channels=all_channels,
                  channel_names=channel_names(all_channels),
                  caps={c.id: channels.capabilities(c) for c in all_channels}, posts=publication_posts(ctx, items),
                  kinds=[k.value for k in IncomingKind],
                  filters={"channel": channel, "kind": kind, "unanswered": unanswered})


def _moderate(request: Request, ctx: WorkspaceContext, item_id: str, action: Callable[[], InboxItem],
              done: str, typed: str = "") -> Response:
    """From the list (htmx) the item is redrawn in place, with the network's refusal if there was one
    (and a refused reply still in its box)."""
    inbox.get(ctx, item_id)
    if not request.headers.get("hx-request"):
        def run() -> list[str]:
            action()
            return [done]

        return act(ctx, run, back=ws_url(ctx, "/comments"))
    _, error = attempt(ctx.session, action)
    item = inbox.get(ctx, item_id)
    channel = channels.get(ctx, item.channel_id)
    return partial(request, "partials/comment.html", ctx=ctx, item=item, channel=channel,
                   cap=channels.capabilities(channel),
                   post=publication_posts(ctx, [item]).get(item.publication_id or ""),
                   error=error.message if error else None, note=None if error else done,
                   typed=typed if error else "",
                   can_write=ctx.can(Permission.INBOX_WRITE))


@router.post("/w/{workspace_id}/comments/{item_id}/reply")
def reply(request: Request, item_id: str, ctx: Ctx, form: Form) -> Response:
    text = field(form, "text")
    return _moderate(request, ctx, item_id, lambda: inbox.reply(ctx, item_id, text), "Reply sent.", typed=text)


@router.post("/w/{workspace_id}/comments/{item_id}/hide")
def hide(request: Request, item_id: str, ctx: Ctx) -> Response:
    return _moderate(request, ctx, item_id, lambda: inbox.hide(ctx, item_id), "Hidden on the network.")
