"""A workspace's dashboard: what goes out next, what failed, what needs a person."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from socialdesk.analytics import service as analytics
from socialdesk.channels import service as channels
from socialdesk.channels.models import ChannelStatus
from socialdesk.content import service as content
from socialdesk.content.models import PublicationStatus
from socialdesk.core import clock
from socialdesk.inbox import service as inbox
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import render
from socialdesk.web.pages.views import channel_names
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()
ATTENTION = (PublicationStatus.FAILED, PublicationStatus.UNCONFIRMED)
GROWTH_DAYS = 28


@router.get("/w/{workspace_id}", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def dashboard(request: Request, ctx: Ctx) -> HTMLResponse:
    now = clock.now()
    all_channels = channels.list_channels(ctx)
    failing = []
    for status in ATTENTION:
        posts, _ = content.list_posts(ctx, content.PostFilter(status=status), limit=20)
        for post in content.to_out(ctx, posts):
            failing += [(post, p) for p in post.publications if p.status == status]
    comments, _ = inbox.list_items(ctx, inbox.InboxFilter(visible=True), limit=6)
    return render(
        request, "dashboard.html", ctx=ctx, section="dashboard",
        upcoming=content.to_out(ctx, content.due_soon(ctx, hours=48)),
        counts=content.counts_by_status(ctx),
        failing=failing,
        reconnect=[c for c in all_channels if c.status == ChannelStatus.NEEDS_RECONNECTION],
        channels=all_channels,
        summaries=analytics.channel_summaries(ctx, now - timedelta(days=GROWTH_DAYS)),
        growth_days=GROWTH_DAYS,
        comments=comments, channel_names=channel_names(all_channels),
    )
