"""Bringing comments, mentions and messages in from every channel, and answering them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content.models import Publication
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.inbox.models import InboxItem
from socialdesk.networks.base import AuthError, IncomingItem, NetworkError
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

log = logging.getLogger("socialdesk.inbox")
MAX_PAGES_PER_FETCH = 20


def fetch_channel(db: Database, channel_id: str) -> int:
    """Fetch what is new on one channel; returns how many items were new to us."""
    with db.unit_of_work() as session:
        channel = session.get(Channel, channel_id)
        if channel is None or channel.status == ChannelStatus.NEEDS_RECONNECTION:
            return 0
        if not channels.capabilities(channel).comments:
            return 0
        cursor = channel.inbox_cursor
    added = 0
    for _ in range(MAX_PAGES_PER_FETCH):
        try:
            page = channels.call_network(db, channel_id, lambda adapter, at=cursor: adapter.fetch_inbox(at))
        except AuthError as error:
            with db.unit_of_work() as session:
                channel = session.get(Channel, channel_id)
                if channel is not None:
                    channels.mark_needs_reconnection(session, channel, error.network_message)
            return added
        except NetworkError as error:
            log.warning("inbox fetch for channel %s failed: %s", channel_id, error.network_message)
            with db.unit_of_work() as session:
                channel = session.get(Channel, channel_id)
                if channel is not None:
                    channel.status_message = f"Fetching comments failed: {error.network_message}"
            return added
        with db.unit_of_work() as session:
            channel = session.get(Channel, channel_id)
            assert channel is not None
            added += _store(session, channel, page.items)
            channel.inbox_cursor = page.cursor or cursor
            channel.inbox_fetched_at = clock.now()
        if not page.items or page.cursor in (None, cursor):
            break
        cursor = page.cursor
    return added


def _store(session: Session, channel: Channel, items: list[IncomingItem]) -> int:
    if not items:
        return 0
    ids = [i.external_id for i in items]
    known = set(session.scalars(select(InboxItem.external_id).where(
        InboxItem.channel_id == channel.id, InboxItem.external_id.in_(ids))))
    post_ids = {i.post_external_id for i in items if i.post_external_id}
    publications = dict(session.execute(select(Publication.external_id, Publication.id).where(
        Publication.channel_id == channel.id, Publication.external_id.in_(post_ids))).all()) if post_ids else {}
    added = 0
    for item in items:
        if item.external_id in known:
            continue
        known.add(item.external_id)
        session.add(InboxItem(
            workspace_id=channel.workspace_id, channel_id=channel.id,
            publication_id=publications.get(item.post_external_id or ""), kind=item.kind,
            external_id=item.external_id, parent_external_id=item.parent_external_id,
            post_external_id=item.post_external_id, author_external_id=item.author_external_id,
            author_handle=item.author_handle, author_name=item.author_name, text=item.text,
            language=item.language, url=item.url, received_at=item.created_at))
        added += 1
    return added


@dataclass(frozen=True)
class InboxFilter:
    channel_id: str | None = None
    publication_id: str | None = None
    kind: str | None = None
    status: str | None = None
    unanswered: bool = False


def list_items(ctx: WorkspaceContext, flt: InboxFilter = InboxFilter(), *, limit: int = 100,
               offset: int = 0) -> tuple[list[InboxItem], int]:
    query = ctx.select(InboxItem)
    if flt.channel_id:
        query = query.where(InboxItem.channel_id == flt.channel_id)
    if flt.publication_id:
        query = query.where(InboxItem.publication_id == flt.publication_id)
    if flt.kind:
        query = query.where(InboxItem.kind == flt.kind)
    if flt.status:
        query = query.where(InboxItem.status == flt.status)
    if flt.unanswered:
        query = query.where(InboxItem.replied_at.is_(None))
    total = ctx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = ctx.session.scalars(query.order_by(InboxItem.received_at.desc(), InboxItem.id.desc())
                               .limit(limit).offset(offset))
    return list(rows), total


def get(ctx: WorkspaceContext, item_id: str) -> InboxItem:
    return ctx.get(InboxItem, item_id, what="inbox item")


def reply(ctx: WorkspaceContext, item_id: str, text: str) -> InboxItem:
    ctx.require(Permission.INBOX_WRITE)
    item = get(ctx, item_id)
    if not text.strip():
        raise ValidationFailed("Write a reply first.")
    channel = channels.get(ctx, item.channel_id)
    if not channels.capabilities(channel).reply:
        raise Conflict(f"{channel.name} does not allow replies through its API.")
    try:
        item.reply_external_id = channels.adapter(channel).reply(item.external_id, text.strip())
    except NetworkError as error:
        raise Conflict(f"{channel.name} refused the reply: {error.network_message}") from error
    item.reply_text = text.strip()
    item.replied_at = clock.now()
    audit.record(ctx, "inbox.reply", "inbox_item", item.id, f"Replied to {item.author_handle}")
    return item


def hide(ctx: WorkspaceContext, item_id: str) -> InboxItem:
    ctx.require(Permission.INBOX_WRITE)
    item = get(ctx, item_id)
    channel = channels.get(ctx, item.channel_id)
    if not channels.capabilities(channel).hide_comments:
        raise Conflict(f"{channel.name} does not let apps hide comments.")
    try:
        channels.adapter(channel).hide(item.external_id)
    except NetworkError as error:
        raise Conflict(f"{channel.name} refused to hide it: {error.network_message}") from error
    item.hidden = True
    audit.record(ctx, "inbox.hide", "inbox_item", item.id, f"Hid a comment by {item.author_handle}")
    return item


def counts(ctx: WorkspaceContext) -> dict[str, int]:
    total = ctx.session.scalar(select(func.count()).select_from(ctx.select(InboxItem).subquery())) or 0
    open_ = ctx.session.scalar(select(func.count()).select_from(
        ctx.select(InboxItem).where(InboxItem.replied_at.is_(None), InboxItem.hidden.is_(False)).subquery())) or 0
    return {"total": total, "unanswered": open_}
