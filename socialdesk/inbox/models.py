"""Comments, mentions and direct messages that arrived from the channels, and the team's work on them.

An item is one message as the network gave it, with what triage read in it. Items are threaded
into conversations: a comment and the replies under it, a mention, or all direct messages with one
person on one channel. The team works on conversations (status, assignee, tags, notes, a draft),
answers items, and moderation rules act on both; every automatic action is recorded so it can be
undone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from socialdesk.core import clock
from socialdesk.core.db import Base, IdMixin, TimestampMixin


class ConversationStatus(StrEnum):
    OPEN = "open"
    WAITING = "waiting"  # we answered; waiting for the other person
    CLOSED = "closed"


class Priority:
    """The list's order, highest first: what a specialist should answer before anything else."""

    NEGATIVE_QUESTION = 5  # unanswered, negative, and asking something
    COMPLAINT = 4  # unanswered negative complaint
    NEGATIVE = 3  # unanswered, negative or a complaint
    QUESTION = 2  # unanswered question (purchase questions included)
    UNANSWERED = 1
    NONE = 0  # answered, closed, hidden, or spam


class InboxItem(IdMixin, Base):
    __tablename__ = "inbox_items"
    __table_args__ = (
        # What arrives from outside lands here first; a repeated fetch costs nothing.
        UniqueConstraint("channel_id", "external_id"),
        Index("ix_inbox_items_workspace_received", "workspace_id", "received_at"),
        Index("ix_inbox_items_channel_reply", "channel_id", "reply_external_id"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("inbox_conversations.id", ondelete="SET NULL"),
                                                        index=True)
    publication_id: Mapped[str | None] = mapped_column(ForeignKey("publications.id", ondelete="SET NULL"),
                                                       index=True)
    kind: Mapped[str] = mapped_column(String(32))  # networks.base.IncomingKind
    # A comment under an ad (a Meta dark post, or a boosted post's ad): the inbox marks and filters it.
    ad_comment: Mapped[bool] = mapped_column(default=False, server_default=false())
    external_id: Mapped[str] = mapped_column(String(200))
    parent_external_id: Mapped[str | None] = mapped_column(String(200))
    post_external_id: Mapped[str | None] = mapped_column(String(200))
    author_external_id: Mapped[str] = mapped_column(String(200))
    author_handle: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    # The network's own language tag on arrival; triage then replaces it with what it found.
    language: Mapped[str | None] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(1000))
    received_at: Mapped[datetime]  # when the network says it was written
    fetched_at: Mapped[datetime] = mapped_column(default=clock.now)
    status: Mapped[str] = mapped_column(String(16), default="open")
    hidden: Mapped[bool] = mapped_column(default=False)
    replied_at: Mapped[datetime | None]
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_external_id: Mapped[str | None] = mapped_column(String(200))
    replied_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    liked: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None]
    marked_spam: Mapped[bool | None]  # a person's or a rule's verdict; None: go by the model
    # Triage (socialdesk.text.triage): set once, shortly after arrival.
    triaged_at: Mapped[datetime | None] = mapped_column(index=True)
    language_group: Mapped[str | None] = mapped_column(String(8))  # "hbs" for hr/sr/bs
    language_source: Mapped[str | None] = mapped_column(String(16))  # detector | network | script | channel
    sentiment: Mapped[str | None] = mapped_column(String(16))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    offensive_score: Mapped[float | None] = mapped_column(Float)
    spam_score: Mapped[float | None] = mapped_column(Float)
    intent: Mapped[str | None] = mapped_column(String(24))
    intent_score: Mapped[float | None] = mapped_column(Float)
    question: Mapped[bool] = mapped_column(default=False)
    offensive: Mapped[bool] = mapped_column(default=False)
    spam: Mapped[bool] = mapped_column(default=False)


class Conversation(IdMixin, TimestampMixin, Base):
    __tablename__ = "inbox_conversations"
    __table_args__ = (
        UniqueConstraint("channel_id", "thread_key"),
        Index("ix_inbox_conversations_queue", "workspace_id", "priority", "waiting_since"),
        Index("ix_inbox_conversations_activity", "workspace_id", "last_inbound_at"),
        # The views' overdue count: the conversations still inside the response target, by a range on this.
        Index("ix_inbox_conversations_waiting", "workspace_id", "waiting_since"),
        # The list's "most urgent first" order, column for column (conversations.ORDERS["priority"]), so that a
        # page is a walk of 50 index entries instead of a sort of every conversation in the workspace.
        Index("ix_inbox_conversations_urgent", "workspace_id", text("priority DESC"), text("(waiting_since IS NULL)"),
              "waiting_since", text("last_inbound_at DESC"), text("id DESC")),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), index=True)
    publication_id: Mapped[str | None] = mapped_column(ForeignKey("publications.id", ondelete="SET NULL"),
                                                       index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The root item's external id for a comment thread or mention; "dm:<author>" for direct messages.
    thread_key: Mapped[str] = mapped_column(String(220))
    author_handle: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    snippet: Mapped[str] = mapped_column(String(300), default="")  # the latest inbound text, cut
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.OPEN)
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    draft_reply: Mapped[str | None] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    first_inbound_at: Mapped[datetime]
    last_inbound_at: Mapped[datetime]
    # The oldest inbound message nobody has answered yet; None when everything is answered.
    waiting_since: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    first_responder_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    priority: Mapped[int] = mapped_column(Integer, default=Priority.NONE)
    # What triage found in the messages still waiting (or in all of them, once answered).
    language: Mapped[str | None] = mapped_column(String(16))
    sentiment: Mapped[str | None] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(24))
    negative: Mapped[bool] = mapped_column(default=False)
    question: Mapped[bool] = mapped_column(default=False)
    offensive: Mapped[bool] = mapped_column(default=False)
    spam: Mapped[bool] = mapped_column(default=False)


class ConversationTag(IdMixin, Base):
    __tablename__ = "inbox_conversation_tags"
    __table_args__ = (UniqueConstraint("conversation_id", "tag"), Index("ix_inbox_tags_workspace_tag",
                                                                       "workspace_id", "tag"))

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("inbox_conversations.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(60))


class InboxNote(IdMixin, Base):
    """An internal note on a conversation: the team sees it, the network never does."""

    __tablename__ = "inbox_notes"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("inbox_conversations.id", ondelete="CASCADE"),
                                                 index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SavedReply(IdMixin, TimestampMixin, Base):
    """A prepared answer with variables ({first_name}, {post_link}) and a version per language."""

    __tablename__ = "inbox_saved_replies"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    intent: Mapped[str | None] = mapped_column(String(24))  # suggested for messages with this intent
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # language -> text; "" is the fallback


class ModerationRule(IdMixin, TimestampMixin, Base):
    """Conditions on an arriving message -> actions (see inbox/rules.py for both vocabularies)."""

    __tablename__ = "inbox_rules"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    enabled: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    conditions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actions: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ModerationAction(IdMixin, Base):
    """One thing done to a message or conversation by a rule or a person, and its undoing."""

    __tablename__ = "inbox_actions"
    __table_args__ = (Index("ix_inbox_actions_workspace_time", "workspace_id", "performed_at"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("inbox_conversations.id", ondelete="CASCADE"),
                                                        index=True)
    item_id: Mapped[str | None] = mapped_column(ForeignKey("inbox_items.id", ondelete="CASCADE"))
    rule_id: Mapped[str | None] = mapped_column(ForeignKey("inbox_rules.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # what undoing needs (the previous value)
    performed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    performed_at: Mapped[datetime] = mapped_column(default=clock.now)
    undoable: Mapped[bool] = mapped_column(default=True)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class BlockedAuthor(IdMixin, Base):
    __tablename__ = "inbox_blocked_authors"
    __table_args__ = (UniqueConstraint("channel_id", "author_external_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    author_external_id: Mapped[str] = mapped_column(String(200))
    author_handle: Mapped[str] = mapped_column(String(200))
    blocked_at: Mapped[datetime] = mapped_column(default=clock.now)
    blocked_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class InboxSettings(IdMixin, Base):
    """Per workspace: the response-time target the team holds itself to."""

    __tablename__ = "inbox_settings"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), unique=True)
    response_target_minutes: Mapped[int] = mapped_column(Integer, default=120)


class WebhookDelivery(IdMixin, Base):
    """A webhook event already taken in (inbox/webhooks.py), so a replayed or re-sent one is stored once."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("network", "event_id"),)

    network: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime]


class TriageCorrection(IdMixin, Base):
    """A person's answer where triage got a label wrong: it replaces the model's label on the message, and the
    operator's next retraining (`python -m socialdesk.text.train --include-corrections`) learns from it."""

    __tablename__ = "inbox_triage_corrections"
    __table_args__ = (UniqueConstraint("item_id", "label"), Index("ix_inbox_triage_corrections_workspace",
                                                                  "workspace_id", "corrected_at"))

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(ForeignKey("inbox_items.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(16))  # sentiment | language | offensive | spam | intent
    value: Mapped[str] = mapped_column(String(24))  # the right answer ("negative", "hr", "yes", "question")
    model_value: Mapped[str | None] = mapped_column(String(24))  # what triage had said
    # The message's text and language when corrected: what retraining reads (the item may be deleted later).
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    corrected_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime] = mapped_column(default=clock.now)


class InboxVersion(Base):
    """Bumped in the same transaction as every change to a workspace's conversations or messages: the views'
    counts kept between requests (inbox/view_counts.py) are used only while the version they were counted at
    is still the current one, so they are never older than the last committed change."""

    __tablename__ = "inbox_versions"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int]


# What a message's change can move in the views' counts (the rest of an item moves its conversation's summary,
# which is a change of the conversation) and in the message list's kept totals (view_counts.kept_total).
_ITEM_COUNTED = ("ad_comment", "conversation_id", "channel_id", "kind")


@event.listens_for(Session, "after_flush")
def _inbox_flushed(session: Session, flush_context: Any) -> None:
    """Any flush that writes or deletes a conversation or a message, or deletes a channel (whose conversations
    the database deletes with it), bumps the workspace's inbox version."""
    from socialdesk.channels.models import Channel

    workspaces: set[str] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Conversation | InboxItem) or (isinstance(obj, Channel) and obj in session.deleted):
            workspaces.add(obj.workspace_id)
    for obj in session.dirty:
        if isinstance(obj, Conversation) and session.is_modified(obj):
            workspaces.add(obj.workspace_id)
        elif isinstance(obj, InboxItem):
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in _ITEM_COUNTED):
                workspaces.add(obj.workspace_id)
    if workspaces:
        from socialdesk.inbox.view_counts import WROTE, bump

        bump(session.connection(), workspaces)
        session.info[WROTE] = True
