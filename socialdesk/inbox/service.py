"""Bringing comments, mentions and messages in from every channel, and finding them again.

What the team does with them is in actions.py; how they are threaded and ordered in conversations.py;
triage on arrival in triage.py."""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content.models import Publication
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.inbox import actions, conversations, saved_replies, view_counts
from socialdesk.inbox.models import Conversation, InboxItem, InboxNote, ModerationAction, SavedReply
from socialdesk.jobs.queue import enqueue
from socialdesk.networks.base import AuthError, IncomingItem, NetworkError
from socialdesk.text.language import channel_languages
from socialdesk.text.triage import Triage, TriageInput, triage
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

log = logging.getLogger("socialdesk.inbox")
MAX_PAGES_PER_FETCH = 20
TRIAGE_BATCH = 200  # items per triage job: one embedding batch, one short write


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
            added += store_incoming(session, channel, page.items)
            channel.inbox_cursor = page.cursor or cursor
            channel.inbox_fetched_at = clock.now()
        if not page.items or page.cursor in (None, cursor):
            break
        cursor = page.cursor
    return added


def store_incoming(session: Session, channel: Channel, items: list[IncomingItem]) -> int:
    """Keep what is new, thread it into conversations, and ask for its triage (a job, so the fetch
    does not wait for the models)."""
    if not items:
        return 0
    ids = [i.external_id for i in items]
    known = set(session.scalars(select(InboxItem.external_id).where(
        InboxItem.channel_id == channel.id, InboxItem.external_id.in_(ids))))
    post_ids = {i.post_external_id for i in items if i.post_external_id}
    publications = dict(session.execute(select(Publication.external_id, Publication.id).where(
        Publication.channel_id == channel.id, Publication.external_id.in_(post_ids))).all()) if post_ids else {}
    added: list[InboxItem] = []
    for item in sorted(items, key=lambda i: i.created_at):
        if item.external_id in known:
            continue
        known.add(item.external_id)
        row = InboxItem(
            workspace_id=channel.workspace_id, channel_id=channel.id,
            publication_id=publications.get(item.post_external_id or ""), kind=item.kind,
            external_id=item.external_id, parent_external_id=item.parent_external_id,
            post_external_id=item.post_external_id, author_external_id=item.author_external_id,
            author_handle=item.author_handle, author_name=item.author_name, text=item.text,
            language=item.language, url=item.url, received_at=item.created_at, ad_comment=item.ad_comment)
        session.add(row)
        added.append(row)
    if added:
        session.flush()
        conversations.refresh(session, conversations.thread(session, channel, added))
        enqueue_triage(session, [row.id for row in added])
        _announce(session, channel, added)
    return len(added)


def _announce(session: Session, channel: Channel, added: list[InboxItem]) -> None:
    """Outgoing webhooks following comment.received get each new comment (not direct messages)."""
    from socialdesk.integrations import service as integrations

    for row in added:
        if row.kind != "message":
            integrations.emit(session, channel.workspace_id, "comment.received", {
                "source": "network", "item_id": row.id, "channel_id": channel.id, "kind": row.kind,
                "publication_id": row.publication_id, "author": row.author_handle or row.author_name,
                "text": row.text, "url": row.url, "received_at": row.received_at})


def enqueue_triage(session: Session, item_ids: list[str]) -> None:
    for start in range(0, len(item_ids), TRIAGE_BATCH):
        enqueue(session, "inbox.triage", {"item_ids": item_ids[start:start + TRIAGE_BATCH]})


@dataclass(frozen=True)
class InboxFilter:
    channel_id: str | None = None
    publication_id: str | None = None
    kind: str | None = None
    status: str | None = None
    unanswered: bool = False
    # Only what the inbox shows as normal messages: no spam (a person's or a rule's verdict first, else
    # triage's), nothing hidden on the network, nothing deleted.
    visible: bool = False
    ad_comment: bool | None = None  # True: only comments under ads; False: none of them


def list_items(ctx: WorkspaceContext, flt: InboxFilter = InboxFilter(), *, limit: int = 100,
               offset: int = 0, after: ItemCursor | None = None) -> tuple[list[InboxItem], int]:
    """A page of messages, newest first, and how many match. `after` continues from the last message of the
    previous page (keyset paging: the database seeks to it in its index, so page 2,000 costs what page 1 costs);
    `offset` skips that many first (kept for callers paging that way: the database walks past every skipped row).
    A page after a cursor does not count again: its total is the one the walk's first page counted."""
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
    if flt.ad_comment is not None:
        query = query.where(InboxItem.ad_comment.is_(flt.ad_comment))
    if flt.visible:
        query = query.where(InboxItem.hidden.is_(False), InboxItem.deleted_at.is_(None),
                            func.coalesce(InboxItem.marked_spam, InboxItem.spam).is_(False))
    if after is None:
        def count() -> int:
            return ctx.session.scalar(select(func.count()).select_from(query.subquery())) or 0

        # Kept only where every change that can move the count bumps the inbox version: not by status, answer or
        # visibility (a message's own columns), nor by publication (deleting one sets its messages' link to
        # NULL in the database, past the ORM's listener).
        if flt.status or flt.unanswered or flt.visible or flt.publication_id:
            total = count()
        else:
            total = view_counts.kept_total(ctx, ("items", flt.channel_id, flt.kind, flt.ad_comment), count)
    else:
        # The walk's total stays the one its first page counted (counting 100,000 messages again on every page
        # would cost more than the page); messages arriving meanwhile are newer than the walk anyway.
        total = after.total
        # `<=` first so that the database seeks in its (workspace, received_at) index; the OR decides ties.
        query = query.where(InboxItem.received_at <= after.received_at,
                            or_(InboxItem.received_at < after.received_at, InboxItem.id < after.item_id))
    rows = ctx.session.scalars(query.order_by(InboxItem.received_at.desc(), InboxItem.id.desc())
                               .limit(limit).offset(offset))
    return list(rows), total


@dataclass(frozen=True)
class ItemCursor:
    """Where a page of `list_items` ended: the last message's time and id, as an opaque text for the API."""

    received_at: datetime
    item_id: str
    total: int  # what the walk's first page counted

    @classmethod
    def after_item(cls, item: InboxItem, total: int) -> ItemCursor:
        return cls(clock.utc(item.received_at), item.id, total)

    def encode(self) -> str:
        raw = f"{self.received_at.isoformat()}|{self.item_id}|{self.total}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> ItemCursor:
        problem = ValidationFailed("The cursor is not one this list gave out: pass the `next_cursor` of the "
                                   "previous page unchanged, or leave it out to start from the newest message.")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            moment, item_id, counted = raw.split("|")
            when, total = datetime.fromisoformat(moment), int(counted)
        except (ValueError, UnicodeDecodeError):
            raise problem from None
        if when.tzinfo is None or not item_id or len(item_id) > 26 or total < 0:
            raise problem
        return cls(when, item_id, total)


def get(ctx: WorkspaceContext, item_id: str) -> InboxItem:
    return ctx.get(InboxItem, item_id, what="inbox item")


# One conversation with everything the middle and right panes show --------------------------------


@dataclass(frozen=True)
class Suggestion:
    saved_reply: SavedReply
    language: str  # the version chosen ("" for the fallback text)
    text: str  # with the variables filled in


def suggestion(ctx: WorkspaceContext, item: InboxItem | None) -> Suggestion | None:
    """The saved reply for the message's intent, in its language where one was written."""
    found = saved_replies.suggest(ctx, item) if item is not None else None
    if found is None or item is None:
        return None
    language, _ = saved_replies.text_for(found, item.language)
    return Suggestion(found, language, saved_replies.render(ctx, found, item))


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    items: list[InboxItem]
    focus: InboxItem | None  # what the keyboard's reply, hide and like act on
    notes: list[InboxNote]
    history: list[ModerationAction]
    tags: list[str]
    suggestion: Suggestion | None


def conversation_view(ctx: WorkspaceContext, conversation_id: str) -> ConversationView:
    conversation = conversations.get(ctx, conversation_id)
    items = conversations.items_of(ctx, conversation.id)
    focus = actions.focus_item(items)
    return ConversationView(conversation, items, focus, actions.notes(ctx, conversation.id),
                            actions.history(ctx, conversation.id),
                            conversations.tags_of(ctx, [conversation.id])[conversation.id], suggestion(ctx, focus))


def triage_texts(ctx: WorkspaceContext, inputs: Sequence[TriageInput], channel_id: str | None = None
                 ) -> list[Triage]:
    """Triage texts that are not in the inbox (the API's and CLI's stateless triage)."""
    ctx.require(Permission.INBOX_READ)
    if channel_id:
        spoken = channel_languages(channels.get(ctx, channel_id).settings)
        inputs = [TriageInput(i.text, i.language_hint, i.channel_languages or spoken) for i in inputs]
    return triage(inputs)
