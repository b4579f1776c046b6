"""Presentation helpers shared by several pages and registered as template filters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from zoneinfo import available_timezones

from markupsafe import Markup, escape

from socialdesk.channels.models import Channel
from socialdesk.content import service as content
from socialdesk.content.models import Post
from socialdesk.core.errors import NotFound
from socialdesk.inbox.models import InboxItem
from socialdesk.text import entities
from socialdesk.web.templating import templates
from socialdesk.workspaces.context import WorkspaceContext

STATUS_LABELS = {
    "draft": "Draft", "pending_approval": "Waiting for approval", "scheduled": "Scheduled",
    "publishing": "Publishing", "published": "Published", "failed": "Failed", "cancelled": "Cancelled",
    "unconfirmed": "Unconfirmed", "partly_published": "Partly published",
    "active": "Active", "paused": "Paused", "needs_reconnection": "Needs reconnection",
}
# Sorted once: the composer and the settings offer every IANA zone.
TIMEZONES = sorted(available_timezones())
KIND_LABELS = {"comment": "Comment", "mention": "Mention", "direct_message": "Direct message"}
ROLE_LABELS = {"owner": "Owner", "admin": "Admin", "editor": "Editor", "approver": "Approver",
               "client_reviewer": "Client reviewer", "viewer": "Viewer"}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def highlight(text: str) -> Markup:
    """The text as a network would show it: escaped, with links, hashtags and mentions marked.

    Every piece of user text goes through `escape`; only the wrapping spans are our own markup.
    """
    spans = sorted([(s, "link") for s in entities.urls(text)] + [(s, "tag") for s in entities.hashtags(text)]
                   + [(s, "mention") for s in entities.mentions(text)], key=lambda item: (item[0].start, -item[0].end))
    out: list[str] = []
    position = 0
    for span, kind in spans:
        if span.start < position:
            continue  # a hashtag inside a link, say: the link wins
        out.append(str(escape(text[position:span.start])))
        out.append(f'<span class="hl-{kind}">{escape(text[span.start:span.end])}</span>')
        position = span.end
    out.append(str(escape(text[position:])))
    return Markup("".join(out).replace("\n", "<br>\n"))


def excerpt(text: str, length: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def channel_names(channels: Iterable[Channel]) -> dict[str, Channel]:
    return {c.id: c for c in channels}


def publication_posts(ctx: WorkspaceContext, items: Sequence[InboxItem]) -> dict[str, Post]:
    """The post each comment belongs to, keyed by publication id (one look-up per distinct publication)."""
    found: dict[str, Post] = {}
    for publication_id in {i.publication_id for i in items if i.publication_id}:
        try:
            publication = content.get_publication(ctx, publication_id)
            found[publication_id] = content.get_post(ctx, publication.post_id)
        except NotFound:
            continue
    return found


templates.env.filters["status_label"] = status_label
templates.env.filters["highlight"] = highlight
templates.env.filters["excerpt"] = excerpt
templates.env.globals["KIND_LABELS"] = KIND_LABELS
templates.env.globals["ROLE_LABELS"] = ROLE_LABELS
