"""What the team (or a moderation rule) does with messages and conversations.

Network actions (reply, like, hide, delete, block) go through the channel's adapter, and only where
its capabilities allow; the network's refusal comes back in its own words. Every action is recorded
as a `ModerationAction` with what undoing it needs, and `undo` reverses it where the network allows
(a public reply or a deletion cannot be taken back).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete

from socialdesk.audit import service as audit
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.core import clock
from socialdesk.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from socialdesk.inbox import conversations, corrections
from socialdesk.inbox.models import (
    BlockedAuthor,
    Conversation,
    ConversationStatus,
    ConversationTag,
    InboxItem,
    InboxNote,
    ModerationAction,
)
from socialdesk.networks.base import IncomingKind, NetworkAdapter, NetworkError
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

MAX_REPLY = 10_000
MAX_NOTE = 5_000
MAX_TAG = 60


def _item(ctx: WorkspaceContext, item_id: str) -> InboxItem:
    return ctx.get(InboxItem, item_id, what="inbox item")


def channel_adapter(ctx: WorkspaceContext, channel_id: str, needs: str,
                    refusal: str) -> tuple[Channel, NetworkAdapter]:
    """The channel and its adapter, where its capabilities allow `needs` (also listening's replies)."""
    channel = channels.get(ctx, channel_id)
    if not getattr(channels.capabilities(channel), needs):
        raise Conflict(f"{channel.name} {refusal}")
    return channel, channels.adapter(channel)


def call_network(channel: Channel, what: str, action: Callable[[], Any]) -> Any:
    """Run a network action; a refusal becomes a Conflict in the network's own words."""
    try:
        return action()
    except NetworkError as error:
        raise Conflict(f"{channel.name} refused to {what}: {error.network_message}") from error


def _network(ctx: WorkspaceContext, item: InboxItem, needs: str, refusal: str) -> tuple[Channel, NetworkAdapter]:
    return channel_adapter(ctx, item.channel_id, needs, refusal)


_call = call_network


def _record(ctx: WorkspaceContext, action: str, *, item: InboxItem | None = None,
            conversation_id: str | None = None, rule_id: str | None = None, undoable: bool = True,
            **detail: Any) -> ModerationAction:
    record = ModerationAction(
        workspace_id=ctx.workspace_id, conversation_id=conversation_id or (item.conversation_id if item else None),
        item_id=item.id if item else None, rule_id=rule_id, action=action, detail=detail,
        performed_by=ctx.actor.user_id, performed_at=clock.now(), undoable=undoable)
    ctx.session.add(record)
    return record


def _refresh(ctx: WorkspaceContext, *items: InboxItem) -> None:
    ctx.session.flush()
    conversations.refresh(ctx.session, {i.conversation_id for i in items if i.conversation_id})


# Network actions on one message -------------------------------------------------------------------


def reply(ctx: WorkspaceContext, item_id: str, text: str, *, rule_id: str | None = None) -> InboxItem:
    """Answer publicly (or privately, for a direct message) on the network."""
    ctx.require(Permission.INBOX_WRITE)
    item = _item(ctx, item_id)
    text = text.strip()
    if not text:
        raise ValidationFailed("Write a reply first.")
    if len(text) > MAX_REPLY:
        raise ValidationFailed(f"A reply can be at most {MAX_REPLY:,} characters.")
    channel, adapter = _network(ctx, item, "reply", "does not allow replies through its API.")
    item.reply_external_id = _call(channel, "take the reply", lambda: adapter.reply(item.external_id, text))
    item.reply_text = text
    item.replied_at = clock.now()
    item.replied_by = ctx.actor.user_id
    if item.conversation_id:
        conversation = ctx.get(Conversation, item.conversation_id)
        conversation.status = ConversationStatus.WAITING
        if conversation.draft_reply:
            conversation.draft_reply = None
    _record(ctx, "reply", item=item, rule_id=rule_id, undoable=False, text=text[:500])
    audit.record(ctx, "inbox.reply", "inbox_item", item.id, f"Replied to {item.author_handle}")
    _refresh(ctx, item)
    return item


def like(ctx: WorkspaceContext, item_id: str) -> InboxItem:
    ctx.require(Permission.INBOX_WRITE)
    item = _item(ctx, item_id)
    if not item.liked:
        channel, adapter = _network(ctx, item, "like_comments", "does not let apps like comments.")
        _call(channel, "like it", lambda: adapter.like(item.external_id))
        item.liked = True
        _record(ctx, "like", item=item)
    return item


def hide(ctx: WorkspaceContext, item_id: str, *, rule_id: str | None = None) -> InboxItem:
    ctx.require(Permission.INBOX_WRITE)
    item = _item(ctx, item_id)
    if item.hidden:
        return item
    if item.kind != IncomingKind.COMMENT:
        raise Conflict("Only comments can be hidden; networks do not hide mentions or messages.")
    channel, adapter = _network(ctx, item, "hide_comments", "does not let apps hide comments.")
    _call(channel, "hide it", lambda: adapter.hide(item.external_id))
    item.hidden = True
    _record(ctx, "hide", item=item, rule_id=rule_id)
    audit.record(ctx, "inbox.hide", "inbox_item", item.id, f"Hid a comment by {item.author_handle}")
    _refresh(ctx, item)
    return item


def delete_item(ctx: WorkspaceContext, item_id: str) -> InboxItem:
    """Delete someone's comment on the network; unlike hiding, this cannot be undone."""
    ctx.require(Permission.INBOX_WRITE)
    item = _item(ctx, item_id)
    if item.deleted_at is not None:
        return item
    if item.kind != IncomingKind.COMMENT:
        raise Conflict("Only comments can be deleted.")
    channel, adapter = _network(ctx, item, "delete_comments", "does not let apps delete comments.")
    _call(channel, "delete it", lambda: adapter.delete_comment(item.external_id))
    item.deleted_at = clock.now()
    _record(ctx, "delete", item=item, undoable=False)
    audit.record(ctx, "inbox.delete", "inbox_item", item.id, f"Deleted a comment by {item.author_handle}")
    _refresh(ctx, item)
    return item


def block_author(ctx: WorkspaceContext, item_id: str) -> BlockedAuthor:
    ctx.require(Permission.INBOX_WRITE)
    item = _item(ctx, item_id)
    existing = ctx.session.scalars(ctx.select(BlockedAuthor).where(
        BlockedAuthor.channel_id == item.channel_id,
        BlockedAuthor.author_external_id == item.author_external_id)).first()
    if existing is not None:
        return existing
    channel, adapter = _network(ctx, item, "block_authors", "does not let apps block people.")
    _call(channel, f"block {item.author_handle}", lambda: adapter.block(item.author_external_id))
    blocked = BlockedAuthor(workspace_id=ctx.workspace_id, channel_id=item.channel_id,
                            author_external_id=item.author_external_id, author_handle=item.author_handle,
                            blocked_by=ctx.actor.user_id)
    ctx.session.add(blocked)
    _record(ctx, "block", item=item)
    audit.record(ctx, "inbox.block", "inbox_item", item.id, f"Blocked {item.author_handle} on {channel.name}")
    return blocked


def mark_spam(ctx: WorkspaceContext, item_id: str, spam: bool = True, *, rule_id: str | None = None) -> InboxItem:
    """A person's (or rule's) verdict, which overrides the model's; spam leaves the queue."""
    ctx.require(Permission.INBOX_WRITE)
    item = _item(ctx, item_id)
    previous = item.marked_spam
    item.marked_spam = spam
    _record(ctx, "mark_spam" if spam else "mark_not_spam", item=item, rule_id=rule_id, previous=previous)
    _refresh(ctx, item)
    return item


# Work on a conversation ---------------------------------------------------------------------------


def _conversation(ctx: WorkspaceContext, conversation_id: str) -> Conversation:
    return conversations.get(ctx, conversation_id)


def assign(ctx: WorkspaceContext, conversation_id: str, user_id: str | None, *,
           rule_id: str | None = None) -> Conversation:
    """Give the conversation to a member of the workspace (None: to nobody)."""
    ctx.require(Permission.INBOX_WRITE)
    conversation = _conversation(ctx, conversation_id)
    if user_id and user_id not in {user.id for _, user in workspaces.members(ctx)}:
        raise ValidationFailed("Only a member of this workspace can be assigned a conversation.")
    if conversation.assignee_id == (user_id or None):
        return conversation
    _record(ctx, "assign", conversation_id=conversation.id, rule_id=rule_id, previous=conversation.assignee_id,
            assignee=user_id)
    conversation.assignee_id = user_id or None
    return conversation


def set_status(ctx: WorkspaceContext, conversation_id: str, status: str) -> Conversation:
    ctx.require(Permission.INBOX_WRITE)
    if status not in set(ConversationStatus):
        raise ValidationFailed(f"Unknown status {status!r}; choose open, waiting or closed.")
    conversation = _conversation(ctx, conversation_id)
    if conversation.status != status:
        _record(ctx, "status", conversation_id=conversation.id, previous=conversation.status, status=status)
        conversation.status = status
        conversation.priority = conversations.priority(conversation)
    return conversation


def clean_tag(tag: str) -> str:
    tag = " ".join(tag.strip().lower().split()).lstrip("#")
    if not tag:
        raise ValidationFailed("A tag needs some text.")
    if len(tag) > MAX_TAG:
        raise ValidationFailed(f"A tag can be at most {MAX_TAG} characters.")
    return tag


def add_tag(ctx: WorkspaceContext, conversation_id: str, tag: str, *, rule_id: str | None = None) -> str:
    ctx.require(Permission.INBOX_WRITE)
    conversation = _conversation(ctx, conversation_id)
    tag = clean_tag(tag)
    exists = ctx.session.scalars(ctx.select(ConversationTag).where(
        ConversationTag.conversation_id == conversation.id, ConversationTag.tag == tag)).first()
    if exists is None:
        ctx.session.add(ConversationTag(workspace_id=ctx.workspace_id, conversation_id=conversation.id, tag=tag))
        _record(ctx, "label", conversation_id=conversation.id, rule_id=rule_id, tag=tag)
    return tag


def remove_tag(ctx: WorkspaceContext, conversation_id: str, tag: str) -> None:
    ctx.require(Permission.INBOX_WRITE)
    conversation = _conversation(ctx, conversation_id)
    ctx.session.execute(delete(ConversationTag).where(ConversationTag.workspace_id == ctx.workspace_id,
                                                      ConversationTag.conversation_id == conversation.id,
                                                      ConversationTag.tag == clean_tag(tag)))


def add_note(ctx: WorkspaceContext, conversation_id: str, text: str) -> InboxNote:
    ctx.require(Permission.INBOX_WRITE)
    conversation = _conversation(ctx, conversation_id)
    text = text.strip()
    if not text:
        raise ValidationFailed("Write the note first.")
    if len(text) > MAX_NOTE:
        raise ValidationFailed(f"A note can be at most {MAX_NOTE:,} characters.")
    note = InboxNote(workspace_id=ctx.workspace_id, conversation_id=conversation.id, author_id=ctx.actor.user_id,
                     text=text, created_at=clock.now())
    ctx.session.add(note)
    ctx.session.flush()
    return note


def notes(ctx: WorkspaceContext, conversation_id: str) -> list[InboxNote]:
    return list(ctx.session.scalars(ctx.select(InboxNote).where(InboxNote.conversation_id == conversation_id)
                                    .order_by(InboxNote.created_at, InboxNote.id)))


def save_draft(ctx: WorkspaceContext, conversation_id: str, text: str, *, rule_id: str | None = None) -> Conversation:
    """A reply prepared but not sent: a person reviews it and presses send."""
    ctx.require(Permission.INBOX_WRITE)
    conversation = _conversation(ctx, conversation_id)
    _record(ctx, "draft_reply", conversation_id=conversation.id, rule_id=rule_id, previous=conversation.draft_reply)
    conversation.draft_reply = text.strip()[:MAX_REPLY] or None
    return conversation


def focus_item(items: Sequence[InboxItem]) -> InboxItem | None:
    """The message a conversation's keyboard actions work on: the latest one still waiting for an
    answer, else the latest one."""
    waiting = [i for i in items if conversations.needs_answer(i)]
    return (waiting or list(items) or [None])[-1]


def reply_to_conversation(ctx: WorkspaceContext, conversation_id: str, text: str) -> InboxItem:
    conversation = _conversation(ctx, conversation_id)
    target = focus_item(conversations.items_of(ctx, conversation.id))
    if target is None:
        raise NotFound("This conversation has no message to answer.")
    return reply(ctx, target.id, text)


# Many at once -------------------------------------------------------------------------------------

BULK_ACTIONS = ("close", "reopen", "assign", "unassign", "tag", "hide", "spam", "not_spam", "like")


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # conversation id -> why


def bulk(ctx: WorkspaceContext, conversation_ids: Sequence[str], action: str, *, user_id: str | None = None,
         tag: str | None = None) -> BulkResult:
    """One action on many conversations; each succeeds or fails alone (in its own savepoint)."""
    ctx.require(Permission.INBOX_WRITE)
    if action not in BULK_ACTIONS:
        raise ValidationFailed(f"Unknown bulk action {action!r}; choose one of {', '.join(BULK_ACTIONS)}.")
    if action == "tag" and not tag:
        raise ValidationFailed("Say which tag to add.")
    if len(conversation_ids) > 500:
        raise ValidationFailed("Act on at most 500 conversations at once.")
    result = BulkResult()
    for cid in dict.fromkeys(conversation_ids):
        try:
            with ctx.session.begin_nested():
                _bulk_one(ctx, cid, action, user_id, tag)
            result.done.append(cid)
        except DomainError as error:
            result.failed[cid] = error.message
    return result


def _bulk_one(ctx: WorkspaceContext, cid: str, action: str, user_id: str | None, tag: str | None) -> None:
    conversation = _conversation(ctx, cid)
    items = conversations.items_of(ctx, conversation.id)
    if action in ("close", "reopen"):
        set_status(ctx, cid, ConversationStatus.CLOSED if action == "close" else ConversationStatus.OPEN)
    elif action in ("assign", "unassign"):
        assign(ctx, cid, user_id if action == "assign" else None)
    elif action == "tag":
        add_tag(ctx, cid, tag or "")
    else:
        targets = [i for i in items if not i.hidden and i.deleted_at is None]
        if action == "hide":
            targets = [i for i in targets if i.kind == IncomingKind.COMMENT]
            if not targets:
                raise Conflict("Nothing here can be hidden: networks hide comments only.")
        for item in targets:
            if action == "hide":
                hide(ctx, item.id)
            elif action == "like":
                like(ctx, item.id)
            else:
                mark_spam(ctx, item.id, action == "spam")


# Undo ---------------------------------------------------------------------------------------------


def history(ctx: WorkspaceContext, conversation_id: str) -> list[ModerationAction]:
    return list(ctx.session.scalars(ctx.select(ModerationAction).where(
        ModerationAction.conversation_id == conversation_id).order_by(ModerationAction.performed_at.desc(),
                                                                      ModerationAction.id.desc())))


def recent_automatic(ctx: WorkspaceContext, limit: int = 100) -> list[ModerationAction]:
    return list(ctx.session.scalars(ctx.select(ModerationAction).where(ModerationAction.rule_id.is_not(None))
                                    .order_by(ModerationAction.performed_at.desc()).limit(limit)))


def undo(ctx: WorkspaceContext, action_id: str) -> ModerationAction:
    """Reverse a recorded action, on the network too where it acted there."""
    ctx.require(Permission.INBOX_WRITE)
    record = ctx.get(ModerationAction, action_id, what="recorded action")
    if record.undone_at is not None:
        raise Conflict("This action was already undone.")
    if not record.undoable:
        raise Conflict(f"A {record.action.replace('_', ' ')} cannot be undone: it already happened on the network.")
    item = _item(ctx, record.item_id) if record.item_id else None
    detail = record.detail or {}
    if record.action == "hide" and item is not None:
        channel, adapter = _network(ctx, item, "hide_comments", "does not let apps hide comments.")
        _call(channel, "show it again", lambda: adapter.unhide(item.external_id))
        item.hidden = False
    elif record.action == "like" and item is not None:
        channel, adapter = _network(ctx, item, "like_comments", "does not let apps like comments.")
        _call(channel, "take the like back", lambda: adapter.unlike(item.external_id))
        item.liked = False
    elif record.action == "block" and item is not None:
        channel, adapter = _network(ctx, item, "block_authors", "does not let apps block people.")
        _call(channel, f"unblock {item.author_handle}", lambda: adapter.unblock(item.author_external_id))
        ctx.session.execute(delete(BlockedAuthor).where(BlockedAuthor.workspace_id == ctx.workspace_id,
                                                        BlockedAuthor.channel_id == item.channel_id,
                                                        BlockedAuthor.author_external_id == item.author_external_id))
    elif record.action in ("mark_spam", "mark_not_spam") and item is not None:
        item.marked_spam = detail.get("previous")
    elif record.action == corrections.ACTION and item is not None:
        corrections.undo(ctx, item, detail)
    elif record.action == "label" and record.conversation_id:
        remove_tag(ctx, record.conversation_id, str(detail.get("tag", "")))
    elif record.action == "assign" and record.conversation_id:
        _conversation(ctx, record.conversation_id).assignee_id = detail.get("previous")
    elif record.action == "draft_reply" and record.conversation_id:
        _conversation(ctx, record.conversation_id).draft_reply = detail.get("previous")
    elif record.action == "status" and record.conversation_id:
        conversation = _conversation(ctx, record.conversation_id)
        conversation.status = str(detail.get("previous") or ConversationStatus.OPEN)
    else:
        raise Conflict(f"Nothing to undo for a {record.action.replace('_', ' ')}.")
    record.undone_at = clock.now()
    record.undone_by = ctx.actor.user_id
    audit.record(ctx, "inbox.undo", "inbox_action", record.id, f"Undid {record.action.replace('_', ' ')}")
    ctx.session.flush()
    if record.conversation_id:
        conversations.refresh(ctx.session, [record.conversation_id])
    return record


def blocked_authors(ctx: WorkspaceContext) -> list[BlockedAuthor]:
    return list(ctx.session.scalars(ctx.select(BlockedAuthor).order_by(BlockedAuthor.blocked_at.desc())))
