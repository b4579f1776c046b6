"""Threading messages into conversations, what each conversation needs now, and the views on them.

A conversation is a comment with the replies under it (ours and the audience's), a mention, or every
direct message exchanged with one person on one channel. Its summary columns (waiting since, first
response, priority, what triage found) are recomputed from its items whenever one changes, so the
list can be filtered and ordered by plain indexed columns.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from socialdesk.channels.models import Channel
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.inbox.models import (
    Conversation,
    ConversationStatus,
    ConversationTag,
    InboxItem,
    Priority,
)
from socialdesk.networks.base import IncomingKind
from socialdesk.workspaces.context import WorkspaceContext

SNIPPET = 280


def thread_key(item: InboxItem, parent_keys: dict[str, str]) -> str:
    """The conversation an item belongs to: its parent's, else its own (or the DM partner's)."""
    if item.kind == IncomingKind.DIRECT_MESSAGE:
        return f"dm:{item.author_external_id}"
    if item.parent_external_id and item.parent_external_id in parent_keys:
        return parent_keys[item.parent_external_id]
    return item.external_id


def thread(session: Session, channel: Channel, items: Sequence[InboxItem]) -> set[str]:
    """Put new items (in time order) into conversations; returns the ids of the conversations touched."""
    parents = {i.parent_external_id for i in items if i.parent_external_id}
    parent_keys = _known_parent_keys(session, channel.id, parents)
    keys: dict[str, str] = {}
    for item in items:
        key = thread_key(item, parent_keys)
        keys[item.id] = key
        parent_keys.setdefault(item.external_id, key)  # a reply in the same page finds its parent here
    existing = {c.thread_key: c for c in session.scalars(select(Conversation).where(
        Conversation.channel_id == channel.id, Conversation.thread_key.in_(set(keys.values()))))}
    touched: set[str] = set()
    for item in items:
        key = keys[item.id]
        conversation = existing.get(key)
        if conversation is None:
            conversation = Conversation(
                workspace_id=channel.workspace_id, channel_id=channel.id, publication_id=item.publication_id,
                kind=item.kind, thread_key=key, author_handle=item.author_handle, author_name=item.author_name,
                first_inbound_at=item.received_at, last_inbound_at=item.received_at, item_count=0)
            session.add(conversation)
            session.flush()
            existing[key] = conversation
        elif conversation.status == ConversationStatus.CLOSED or conversation.status == ConversationStatus.WAITING:
            conversation.status = ConversationStatus.OPEN  # they wrote again: it needs us again
        item.conversation_id = conversation.id
        touched.add(conversation.id)
    return touched


def _known_parent_keys(session: Session, channel_id: str, parents: set[str]) -> dict[str, str]:
    """Parent external id -> its conversation's key, for parents we already have: their items, or
    our replies (a member answering our reply continues that conversation)."""
    if not parents:
        return {}
    rows = session.execute(
        select(InboxItem.external_id, InboxItem.reply_external_id, Conversation.thread_key)
        .join(Conversation, Conversation.id == InboxItem.conversation_id)
        .where(InboxItem.channel_id == channel_id,
               or_(InboxItem.external_id.in_(parents), InboxItem.reply_external_id.in_(parents))))
    found: dict[str, str] = {}
    for external_id, reply_external_id, key in rows:
        for candidate in (external_id, reply_external_id):
            if candidate in parents:
                found[candidate] = key
    return found


def refresh(session: Session, conversation_ids: Iterable[str]) -> None:
    """Recompute the summary columns of these conversations from their items."""
    ids = list(set(conversation_ids))
    if not ids:
        return
    conversations = {c.id: c for c in session.scalars(select(Conversation).where(Conversation.id.in_(ids)))}
    items: dict[str, list[InboxItem]] = {cid: [] for cid in ids}
    for item in session.scalars(select(InboxItem).where(InboxItem.conversation_id.in_(ids))
                                .order_by(InboxItem.received_at, InboxItem.id)):
        items[item.conversation_id or ""].append(item)
    for cid, conversation in conversations.items():
        summarise(conversation, items.get(cid, []))


def is_spam(item: InboxItem) -> bool:
    return item.marked_spam if item.marked_spam is not None else item.spam


def needs_answer(item: InboxItem) -> bool:
    """Visible, not spam, and not answered: something a person should reply to."""
    return not item.hidden and item.deleted_at is None and not is_spam(item) and item.replied_at is None


def summarise(conversation: Conversation, items: Sequence[InboxItem]) -> None:
    if not items:
        return
    conversation.item_count = len(items)
    conversation.first_inbound_at = items[0].received_at
    conversation.last_inbound_at = items[-1].received_at
    conversation.snippet = items[-1].text[:SNIPPET]
    replies = [i for i in items if i.replied_at is not None]
    last_reply = max((i.replied_at for i in replies if i.replied_at), default=None)
    first = min(replies, key=lambda i: i.replied_at or items[0].received_at, default=None)
    conversation.first_response_at = first.replied_at if first else None
    conversation.first_responder_id = first.replied_by if first else None
    # An answer covers everything written before it in the conversation.
    pending = [i for i in items if needs_answer(i) and (last_reply is None or i.received_at > last_reply)]
    conversation.waiting_since = pending[0].received_at if pending else None
    judged = pending or [i for i in items if not i.hidden and i.deleted_at is None] or list(items)
    triaged = [i for i in judged if i.triaged_at is not None]
    conversation.negative = any(i.sentiment == "negative" for i in triaged)
    conversation.question = any(i.question for i in triaged)
    conversation.offensive = any(i.offensive for i in items if i.triaged_at is not None)
    conversation.spam = all(is_spam(i) for i in items)
    latest = triaged[-1] if triaged else None
    conversation.language = latest.language if latest else items[-1].language
    conversation.sentiment = _worst(i.sentiment for i in triaged) if triaged else None
    conversation.intent = _main_intent([i.intent for i in triaged])
    conversation.priority = priority(conversation)


def priority(c: Conversation) -> int:
    if c.waiting_since is None or c.status == ConversationStatus.CLOSED or c.spam:
        return Priority.NONE
    complaint = c.intent == "complaint"
    if c.negative and c.question:
        return Priority.NEGATIVE_QUESTION
    if c.negative and complaint:
        return Priority.COMPLAINT
    if c.negative or complaint:
        return Priority.NEGATIVE
    if c.question:
        return Priority.QUESTION
    return Priority.UNANSWERED


def _worst(sentiments: Iterable[str | None]) -> str | None:
    order = {"negative": 0, "neutral": 1, "positive": 2}
    found = [s for s in sentiments if s in order]
    return min(found, key=order.__getitem__) if found else None


def _main_intent(intents: Sequence[str | None]) -> str | None:
    """The intent that matters most for the answer: a complaint outweighs a question, and so on."""
    rank = ("complaint", "purchase_intent", "question", "praise", "other")
    found = [i for i in intents if i]
    return min(found, key=lambda i: rank.index(i) if i in rank else len(rank)) if found else None


# Views ---------------------------------------------------------------------------------------------


VIEWS = ("all", "unanswered", "negative", "questions", "offensive", "spam", "mine", "overdue", "closed", "ads")
SORTS = ("priority", "newest", "oldest")


@dataclass(frozen=True)
class ConversationFilter:
    view: str = "all"
    channel_id: str | None = None
    publication_id: str | None = None
    language: str | None = None
    status: str | None = None
    assignee_id: str | None = None
    tag: str | None = None
    kind: str | None = None
    search: str | None = None
    sort: str = "priority"

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ValidationFailed(f"Unknown view {self.view!r}; choose one of {', '.join(VIEWS)}.")
        if self.sort not in SORTS:
            raise ValidationFailed(f"Unknown order {self.sort!r}; choose one of {', '.join(SORTS)}.")
        if self.status and self.status not in set(ConversationStatus):
            raise ValidationFailed(f"Unknown status {self.status!r}; choose open, waiting or closed.")


def _filtered(ctx: WorkspaceContext, flt: ConversationFilter, overdue_before: datetime | None) -> Select[Any]:
    query = ctx.select(Conversation)
    spam_view = flt.view == "spam"
    if not spam_view:
        query = query.where(Conversation.spam.is_(False))
    if flt.view == "unanswered":
        query = query.where(Conversation.waiting_since.is_not(None), Conversation.status != ConversationStatus.CLOSED)
    elif flt.view == "negative":
        query = query.where(Conversation.negative.is_(True))
    elif flt.view == "questions":
        query = query.where(Conversation.question.is_(True))
    elif flt.view == "offensive":
        query = query.where(Conversation.offensive.is_(True))
    elif spam_view:
        query = query.where(Conversation.spam.is_(True))
    elif flt.view == "mine":
        query = query.where(Conversation.assignee_id == ctx.actor.user_id)
    elif flt.view == "closed":
        query = query.where(Conversation.status == ConversationStatus.CLOSED)
    elif flt.view == "ads":
        query = query.where(_has_ad_comment(Conversation.id))
    elif flt.view == "overdue":
        query = query.where(Conversation.waiting_since.is_not(None),
                            Conversation.status != ConversationStatus.CLOSED,
                            Conversation.waiting_since < (overdue_before or datetime.max))
    if flt.channel_id:
        query = query.where(Conversation.channel_id == flt.channel_id)
    if flt.publication_id:
        query = query.where(Conversation.publication_id == flt.publication_id)
    if flt.language:
        query = query.where(Conversation.language == flt.language)
    if flt.status:
        query = query.where(Conversation.status == flt.status)
    if flt.assignee_id:
        query = query.where(Conversation.assignee_id == flt.assignee_id)
    if flt.kind:
        query = query.where(Conversation.kind == flt.kind)
    if flt.tag:
        query = query.where(exists().where(ConversationTag.conversation_id == Conversation.id,
                                           ConversationTag.tag == flt.tag.strip().lower()))
    if flt.search:
        needle = f"%{flt.search.strip().lower()}%"
        query = query.where(or_(func.lower(Conversation.snippet).like(needle),
                                func.lower(Conversation.author_handle).like(needle),
                                exists().where(and_(InboxItem.conversation_id == Conversation.id,
                                                    func.lower(InboxItem.text).like(needle)))))
    return query


@dataclass(frozen=True)
class OrderKey:
    """One column of a list's order: descending or not, and whether it may be NULL (then NULLs sort last, or
    first in the reversed order a "previous page" reads)."""

    name: str
    descending: bool = False
    nullable: bool = False
    nulls_last: bool = True

    @property
    def column(self) -> Any:
        return getattr(Conversation, self.name)

    def reversed(self) -> OrderKey:
        return OrderKey(self.name, not self.descending, self.nullable, not self.nulls_last)


# Each order ends with the id, so that it is total and a cursor names one place in it.
ORDERS: dict[str, tuple[OrderKey, ...]] = {
    "newest": (OrderKey("last_inbound_at", True), OrderKey("id", True)),
    "oldest": (OrderKey("last_inbound_at"), OrderKey("id")),
    # Most important first; within a level, whoever has waited longest, then the newest activity.
    "priority": (OrderKey("priority", True), OrderKey("waiting_since", nullable=True),
                 OrderKey("last_inbound_at", True), OrderKey("id", True)),
}


def _order_by(keys: Sequence[OrderKey]) -> list[Any]:
    clauses: list[Any] = []
    for key in keys:
        if key.nullable:  # spelt out: SQLite sorts NULLs first, PostgreSQL last
            clauses.append(key.column.is_(None).asc() if key.nulls_last else key.column.is_(None).desc())
        clauses.append(key.column.desc() if key.descending else key.column.asc())
    return clauses


@dataclass(frozen=True)
class ConversationCursor:
    """Where a page of the conversation list ended: the order, the last conversation's values in it, the
    walk's total and the page's number (for "page 3 of 40"). Opaque text in a link."""

    sort: str
    values: tuple[Any, ...]  # one per ORDERS[sort] key
    total: int
    page: int  # the number of the page this cursor ends (or, read backwards, begins)

    @classmethod
    def after(cls, conversation: Conversation, flt: ConversationFilter, total: int, page: int
              ) -> ConversationCursor:
        values = tuple(getattr(conversation, key.name) for key in ORDERS[flt.sort])
        return cls(flt.sort, tuple(clock.utc(v) if isinstance(v, datetime) else v for v in values), total, page)

    def encode(self) -> str:
        parts = [self.sort, str(self.total), str(self.page)]
        for value in self.values:
            parts.append("" if value is None else value.isoformat() if isinstance(value, datetime) else str(value))
        return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> ConversationCursor:
        problem = ValidationFailed("This list position is not one the inbox gave out: open the inbox again "
                                   "from its first page.")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            sort, total, page, *rest = raw.split("|")
            keys = ORDERS[sort]
            if len(rest) != len(keys) or int(total) < 0 or int(page) < 1:
                raise problem
            values = tuple(_parse(key, value) for key, value in zip(keys, rest, strict=True))
        except (ValueError, UnicodeDecodeError, KeyError):
            raise problem from None
        return cls(sort, values, int(total), int(page))


def _parse(key: OrderKey, text: str) -> Any:
    if text == "":
        if not key.nullable:
            raise ValueError(f"{key.name} is never empty")
        return None
    if key.name == "id":
        if len(text) > 26:
            raise ValueError("not an id")
        return text
    if key.name == "priority":
        return int(text)
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError("a moment without its zone")
    return when


def _beyond(keys: Sequence[OrderKey], values: Sequence[Any]) -> Any:
    """Rows after `values` in the order of `keys` (the lexicographic comparison, spelt out so that NULLs and
    mixed directions work on every database), with a plain bound on the first key so that the database
    seeks in its index instead of testing every row against the OR."""
    after: list[Any] = []
    equal: list[Any] = []
    for key, value in zip(keys, values, strict=True):
        column = key.column
        if value is not None:
            further = column < value if key.descending else column > value
            after.append(and_(*equal, or_(further, column.is_(None)) if key.nullable and key.nulls_last
                              else further))
        elif not key.nulls_last:
            after.append(and_(*equal, column.is_not(None)))
        # (after a NULL in a NULLs-last column nothing is further in that column: the following keys decide)
        equal.append(column.is_(None) if value is None else column == value)
    first, start = keys[0].column, values[0]
    bound = (first <= start if keys[0].descending else first >= start) if start is not None else first.is_(None)
    return and_(bound, or_(*after))


def list_conversations(ctx: WorkspaceContext, flt: ConversationFilter, *, limit: int = 50, offset: int = 0,
                       overdue_before: datetime | None = None, after: ConversationCursor | None = None,
                       before: ConversationCursor | None = None, total: int | None = None
                       ) -> tuple[list[Conversation], int]:
    """A page of the conversations in `flt`'s view and order, and how many there are.

    `after` continues from where the previous page ended (keyset paging: the database seeks there, so a
    page deep in 100,000 conversations costs what the first one does); `offset` skips that many first (the
    database walks past every skipped row); `before` gives the page that ends where a page began (the
    previous page). `total`, when the caller already knows it (the view's count), saves counting again."""
    query = _filtered(ctx, flt, overdue_before)
    if total is None:
        total = ctx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    keys = ORDERS[flt.sort]
    for cursor in (after, before):
        if cursor is not None and cursor.sort != flt.sort:
            raise ValidationFailed("This list position belongs to another order: open the inbox again from its "
                                   "first page.")
    if before is not None:
        backwards = tuple(key.reversed() for key in keys)
        query = query.where(_beyond(backwards, before.values)).order_by(*_order_by(backwards))
        return list(reversed(list(ctx.session.scalars(query.limit(limit))))), total
    if after is not None:
        query = query.where(_beyond(keys, after.values))
    rows = ctx.session.scalars(query.order_by(*_order_by(keys)).limit(limit).offset(offset))
    return list(rows), total


def get(ctx: WorkspaceContext, conversation_id: str) -> Conversation:
    return ctx.get(Conversation, conversation_id, what="conversation")


def items_of(ctx: WorkspaceContext, conversation_id: str) -> list[InboxItem]:
    return list(ctx.session.scalars(ctx.select(InboxItem).where(InboxItem.conversation_id == conversation_id)
                                    .order_by(InboxItem.received_at, InboxItem.id)))


def tags_of(ctx: WorkspaceContext, conversation_ids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {cid: [] for cid in conversation_ids}
    if conversation_ids:
        for tag in ctx.session.scalars(ctx.select(ConversationTag).where(
                ConversationTag.conversation_id.in_(conversation_ids)).order_by(ConversationTag.tag)):
            found[tag.conversation_id].append(tag.tag)
    return found


def languages(ctx: WorkspaceContext) -> list[str]:
    """The languages the workspace's conversations are in (for the language filter)."""
    from socialdesk.inbox.view_counts import view_counts

    return view_counts(ctx, clock.now()).languages


def _has_ad_comment(conversation_id: Any) -> Any:
    """The conversation holds a comment under an ad (a Meta dark post): the inbox's "Ad comments" view."""
    return exists().where(InboxItem.conversation_id == conversation_id, InboxItem.ad_comment.is_(True))


def with_ad_comments(ctx: WorkspaceContext, conversation_ids: Sequence[str]) -> set[str]:
    """Which of these conversations hold an ad comment (marked "ad" in the list)."""
    if not conversation_ids:
        return set()
    return set(ctx.session.scalars(select(InboxItem.conversation_id).where(
        InboxItem.workspace_id == ctx.workspace_id, InboxItem.conversation_id.in_(list(conversation_ids)),
        InboxItem.ad_comment.is_(True)).distinct()))


def counts(ctx: WorkspaceContext, overdue_before: datetime) -> dict[str, int]:
    """How many conversations each view holds (the numbers beside the view names): kept between requests
    until the workspace's conversations change (inbox/view_counts.py)."""
    from socialdesk.inbox.view_counts import view_counts

    return view_counts(ctx, overdue_before).counts
