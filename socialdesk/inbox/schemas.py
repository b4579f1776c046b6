"""Shapes that cross the inbox's boundary (API, pages, CLI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from socialdesk.inbox.models import Conversation, InboxItem, InboxNote, ModerationAction, ModerationRule, SavedReply


class InboxItemOut(BaseModel):
    id: str
    conversation_id: str | None
    channel_id: str
    publication_id: str | None
    kind: str
    ad_comment: bool = False  # written under an ad (a Meta dark post)
    author_handle: str
    author_name: str
    text: str
    url: str | None
    received_at: datetime
    hidden: bool
    liked: bool
    deleted_at: datetime | None
    replied_at: datetime | None
    reply_text: str | None
    parent_external_id: str | None
    external_id: str
    language: str | None
    language_group: str | None
    language_source: str | None
    sentiment: str | None
    sentiment_score: float | None
    offensive: bool
    offensive_score: float | None
    spam: bool
    spam_score: float | None
    marked_spam: bool | None
    intent: str | None
    intent_score: float | None
    question: bool
    triaged_at: datetime | None

    @classmethod
    def of(cls, item: InboxItem) -> InboxItemOut:
        return cls(**{k: getattr(item, k) for k in cls.model_fields})


class ConversationOut(BaseModel):
    id: str
    channel_id: str
    publication_id: str | None
    kind: str
    author_handle: str
    author_name: str
    snippet: str
    status: str
    assignee_id: str | None
    draft_reply: str | None
    item_count: int
    first_inbound_at: datetime
    last_inbound_at: datetime
    waiting_since: datetime | None
    first_response_at: datetime | None
    priority: int
    language: str | None
    sentiment: str | None
    intent: str | None
    negative: bool
    question: bool
    offensive: bool
    spam: bool
    overdue: bool = False
    tags: list[str] = []

    @classmethod
    def of(cls, c: Conversation, *, tags: list[str] | None = None, overdue_before: datetime | None = None
           ) -> ConversationOut:
        values = {k: getattr(c, k) for k in cls.model_fields if k not in ("overdue", "tags")}
        overdue = bool(overdue_before and c.waiting_since and c.status != "closed" and c.waiting_since < overdue_before)
        return cls(**values, tags=tags or [], overdue=overdue)


class ConversationPage(BaseModel):
    total: int
    limit: int
    offset: int
    counts: dict[str, int]
    items: list[ConversationOut]


class NoteOut(BaseModel):
    id: str
    author_id: str | None
    text: str
    created_at: datetime

    @classmethod
    def of(cls, note: InboxNote) -> NoteOut:
        return cls(id=note.id, author_id=note.author_id, text=note.text, created_at=note.created_at)


class ActionOut(BaseModel):
    id: str
    conversation_id: str | None
    item_id: str | None
    rule_id: str | None
    action: str
    detail: dict[str, Any]
    performed_by: str | None
    performed_at: datetime
    undoable: bool
    undone_at: datetime | None

    @classmethod
    def of(cls, a: ModerationAction) -> ActionOut:
        return cls(**{k: getattr(a, k) for k in cls.model_fields})


class SuggestionOut(BaseModel):
    saved_reply_id: str
    name: str
    language: str
    text: str


class ConversationDetail(BaseModel):
    conversation: ConversationOut
    items: list[InboxItemOut]
    notes: list[NoteOut]
    history: list[ActionOut]
    suggestion: SuggestionOut | None


class SavedReplyOut(BaseModel):
    id: str
    name: str
    intent: str | None
    texts: dict[str, str]

    @classmethod
    def of(cls, s: SavedReply) -> SavedReplyOut:
        return cls(id=s.id, name=s.name, intent=s.intent, texts=dict(s.texts or {}))


class RuleOut(BaseModel):
    id: str
    name: str
    enabled: bool
    position: int
    conditions: dict[str, Any]
    actions: dict[str, Any]

    @classmethod
    def of(cls, r: ModerationRule) -> RuleOut:
        return cls(id=r.id, name=r.name, enabled=r.enabled, position=r.position, conditions=r.conditions,
                   actions=r.actions)


class TextIn(BaseModel):
    text: str = Field(max_length=20_000)


class AssignIn(BaseModel):
    user_id: str | None = None


class StatusIn(BaseModel):
    status: str


class TagIn(BaseModel):
    tag: str


class BulkIn(BaseModel):
    conversation_ids: list[str] = Field(max_length=500)
    action: str
    user_id: str | None = None
    tag: str | None = None


class BulkOut(BaseModel):
    done: list[str]
    failed: dict[str, str]


class TargetIn(BaseModel):
    response_target_minutes: int


class TriageTextIn(BaseModel):
    id: str | int | None = None
    text: str = Field(max_length=100_000)
    language_hint: str | None = None


class TriageIn(BaseModel):
    texts: list[TriageTextIn] = Field(max_length=500)
    channel_id: str | None = Field(None, description="take the audience's languages from this channel")
