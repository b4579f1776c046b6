"""The unified inbox: messages, conversations, saved replies, moderation rules, metrics, triage."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Query
from pydantic import BaseModel

from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.inputs import MAX_OFFSET, Moment, Text
from socialdesk.inbox import actions, conversations, metrics, rules, saved_replies, service
from socialdesk.inbox.conversations import ConversationFilter
from socialdesk.inbox.saved_replies import SavedReplyIn
from socialdesk.inbox.schemas import (
    ActionOut,
    AssignIn,
    BulkIn,
    BulkOut,
    ConversationDetail,
    ConversationOut,
    ConversationPage,
    InboxItemOut,
    NoteOut,
    RuleOut,
    SavedReplyOut,
    StatusIn,
    SuggestionOut,
    TagIn,
    TargetIn,
    TextIn,
    TriageIn,
)
from socialdesk.text.triage import TriageInput
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["inbox"])
BASE = "/workspaces/{workspace_id}/inbox"


class InboxPageOut(BaseModel):
    total: int
    items: list[InboxItemOut]
    # Pass as `cursor` to get the next page (null on the last one). Keyset paging: every page costs the same,
    # where `offset` makes the database walk past every skipped message. Pages after a cursor repeat the total
    # the first page counted.
    next_cursor: str | None = None


# Conversations ----------------------------------------------------------------------------------------


@router.get(f"{BASE}/conversations")
@requires(Permission.INBOX_READ)
def list_conversations(ctx: Ctx, view: str = "all", channel_id: str | None = None,
                       publication_id: str | None = None, language: str | None = None, status: str | None = None,
                       assignee_id: str | None = None, tag: str | None = None, kind: str | None = None,
                       q: Text | None = None, sort: str = "priority", limit: int = Query(50, ge=1, le=500),
                       offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> ConversationPage:
    """Conversations in priority order (unanswered negative questions and complaints first)."""
    flt = ConversationFilter(view, channel_id, publication_id, language, status, assignee_id, tag, kind, q, sort)
    before = metrics.overdue_before(ctx)
    counts = conversations.counts(ctx, before)
    # Without a narrowing filter the list is the view itself: its (kept) count is the total.
    narrowed = any(v for v in (channel_id, publication_id, language, status, assignee_id, tag, kind, q))
    found, total = conversations.list_conversations(ctx, flt, limit=limit, offset=offset, overdue_before=before,
                                                    total=None if narrowed else counts[view])
    tags = conversations.tags_of(ctx, [c.id for c in found])
    return ConversationPage(total=total, limit=limit, offset=offset, counts=counts,
                            items=[ConversationOut.of(c, tags=tags[c.id], overdue_before=before) for c in found])


@router.post(f"{BASE}/conversations/bulk")
@requires(Permission.INBOX_WRITE)
def bulk(data: BulkIn, ctx: Ctx) -> BulkOut:
    result = actions.bulk(ctx, data.conversation_ids, data.action, user_id=data.user_id, tag=data.tag)
    return BulkOut(done=result.done, failed=result.failed)


def _detail(ctx: WorkspaceContext, conversation_id: str) -> ConversationDetail:
    view = service.conversation_view(ctx, conversation_id)
    s = view.suggestion
    return ConversationDetail(
        conversation=ConversationOut.of(view.conversation, tags=view.tags, overdue_before=metrics.overdue_before(ctx)),
        items=[InboxItemOut.of(i) for i in view.items], notes=[NoteOut.of(n) for n in view.notes],
        history=[ActionOut.of(a) for a in view.history],
        suggestion=SuggestionOut(saved_reply_id=s.saved_reply.id, name=s.saved_reply.name, language=s.language,
                                 text=s.text) if s else None)


@router.get(f"{BASE}/conversations/{{conversation_id}}")
@requires(Permission.INBOX_READ)
def get_conversation(conversation_id: str, ctx: Ctx) -> ConversationDetail:
    return _detail(ctx, conversation_id)


@router.post(f"{BASE}/conversations/{{conversation_id}}/reply")
@requires(Permission.INBOX_WRITE)
def reply_to_conversation(conversation_id: str, data: TextIn, ctx: Ctx) -> ConversationDetail:
    """Answer the latest message still waiting in the conversation."""
    actions.reply_to_conversation(ctx, conversation_id, data.text)
    return _detail(ctx, conversation_id)


@router.post(f"{BASE}/conversations/{{conversation_id}}/assign")
@requires(Permission.INBOX_WRITE)
def assign(conversation_id: str, data: AssignIn, ctx: Ctx) -> ConversationDetail:
    actions.assign(ctx, conversation_id, data.user_id)
    return _detail(ctx, conversation_id)


@router.post(f"{BASE}/conversations/{{conversation_id}}/status")
@requires(Permission.INBOX_WRITE)
def set_status(conversation_id: str, data: StatusIn, ctx: Ctx) -> ConversationDetail:
    actions.set_status(ctx, conversation_id, data.status)
    return _detail(ctx, conversation_id)


@router.post(f"{BASE}/conversations/{{conversation_id}}/tags")
@requires(Permission.INBOX_WRITE)
def add_tag(conversation_id: str, data: TagIn, ctx: Ctx) -> ConversationDetail:
    actions.add_tag(ctx, conversation_id, data.tag)
    return _detail(ctx, conversation_id)


@router.post(f"{BASE}/conversations/{{conversation_id}}/tags/remove")
@requires(Permission.INBOX_WRITE)
def remove_tag(conversation_id: str, data: TagIn, ctx: Ctx) -> ConversationDetail:
    actions.remove_tag(ctx, conversation_id, data.tag)
    return _detail(ctx, conversation_id)


@router.post(f"{BASE}/conversations/{{conversation_id}}/notes", status_code=201)
@requires(Permission.INBOX_WRITE)
def add_note(conversation_id: str, data: TextIn, ctx: Ctx) -> NoteOut:
    return NoteOut.of(actions.add_note(ctx, conversation_id, data.text))


@router.post(f"{BASE}/conversations/{{conversation_id}}/draft")
@requires(Permission.INBOX_WRITE)
def save_draft(conversation_id: str, data: TextIn, ctx: Ctx) -> ConversationDetail:
    actions.save_draft(ctx, conversation_id, data.text)
    return _detail(ctx, conversation_id)


# Recorded actions -----------------------------------------------------------------------------------


@router.get(f"{BASE}/actions")
@requires(Permission.INBOX_READ)
def automatic_actions(ctx: Ctx, limit: int = Query(100, ge=1, le=500)) -> list[ActionOut]:
    """What moderation rules did lately (each undoable where the network allows)."""
    return [ActionOut.of(a) for a in actions.recent_automatic(ctx, limit)]


@router.post(f"{BASE}/actions/{{action_id}}/undo")
@requires(Permission.INBOX_WRITE)
def undo(action_id: str, ctx: Ctx) -> ActionOut:
    return ActionOut.of(actions.undo(ctx, action_id))


# Saved replies ----------------------------------------------------------------------------------------


@router.get(f"{BASE}/saved-replies")
@requires(Permission.INBOX_READ)
def list_saved_replies(ctx: Ctx) -> list[SavedReplyOut]:
    return [SavedReplyOut.of(s) for s in saved_replies.list_all(ctx)]


@router.post(f"{BASE}/saved-replies", status_code=201)
@requires(Permission.INBOX_WRITE)
def create_saved_reply(data: SavedReplyIn, ctx: Ctx) -> SavedReplyOut:
    return SavedReplyOut.of(saved_replies.create(ctx, data))


@router.get(f"{BASE}/saved-replies/{{saved_reply_id}}")
@requires(Permission.INBOX_READ)
def get_saved_reply(saved_reply_id: str, ctx: Ctx) -> SavedReplyOut:
    return SavedReplyOut.of(saved_replies.get(ctx, saved_reply_id))


@router.put(f"{BASE}/saved-replies/{{saved_reply_id}}")
@requires(Permission.INBOX_WRITE)
def update_saved_reply(saved_reply_id: str, data: SavedReplyIn, ctx: Ctx) -> SavedReplyOut:
    return SavedReplyOut.of(saved_replies.update(ctx, saved_reply_id, data))


@router.delete(f"{BASE}/saved-replies/{{saved_reply_id}}", status_code=204)
@requires(Permission.INBOX_WRITE)
def delete_saved_reply(saved_reply_id: str, ctx: Ctx) -> None:
    saved_replies.remove(ctx, saved_reply_id)


# Moderation rules ---------------------------------------------------------------------------------------


@router.get(f"{BASE}/rules")
@requires(Permission.INBOX_READ)
def list_rules(ctx: Ctx) -> list[RuleOut]:
    return [RuleOut.of(r) for r in rules.list_all(ctx)]


@router.post(f"{BASE}/rules", status_code=201)
@requires(Permission.INBOX_WRITE)
def create_rule(data: rules.RuleIn, ctx: Ctx) -> RuleOut:
    return RuleOut.of(rules.create(ctx, data))


@router.get(f"{BASE}/rules/{{rule_id}}")
@requires(Permission.INBOX_READ)
def get_rule(rule_id: str, ctx: Ctx) -> RuleOut:
    return RuleOut.of(rules.get(ctx, rule_id))


@router.put(f"{BASE}/rules/{{rule_id}}")
@requires(Permission.INBOX_WRITE)
def update_rule(rule_id: str, data: rules.RuleIn, ctx: Ctx) -> RuleOut:
    return RuleOut.of(rules.update(ctx, rule_id, data))


@router.delete(f"{BASE}/rules/{{rule_id}}", status_code=204)
@requires(Permission.INBOX_WRITE)
def delete_rule(rule_id: str, ctx: Ctx) -> None:
    rules.remove(ctx, rule_id)


# Response metrics and target --------------------------------------------------------------------------------


class FiguresOut(BaseModel):
    conversations: int
    answered: int
    response_rate: float | None
    median_minutes: float | None
    p90_minutes: float | None
    within_target_rate: float | None


class MetricsOut(BaseModel):
    since: datetime
    until: datetime
    target_minutes: int
    overdue_now: int
    workspace: FiguresOut
    by_channel: dict[str, FiguresOut]
    by_member: dict[str, FiguresOut]


@router.get(f"{BASE}/metrics")
@requires(Permission.INBOX_READ)
def response_metrics(ctx: Ctx, since: Moment | None = None, until: Moment | None = None) -> MetricsOut:
    """First-response time (median, p90) and response rate, per workspace, channel and member."""
    until = clock.utc(until) if until else clock.now()
    since = clock.utc(since) if since else until - timedelta(days=28)
    r = metrics.report(ctx, since, until)
    return MetricsOut(since=r.since, until=r.until, target_minutes=r.target_minutes, overdue_now=r.overdue_now,
                      workspace=FiguresOut(**r.workspace.as_dict()),
                      by_channel={k: FiguresOut(**v.as_dict()) for k, v in r.by_channel.items()},
                      by_member={k: FiguresOut(**v.as_dict()) for k, v in r.by_member.items()})


@router.put(f"{BASE}/settings")
@requires(Permission.WORKSPACE_ADMIN)
def set_target(data: TargetIn, ctx: Ctx) -> TargetIn:
    return TargetIn(response_target_minutes=metrics.set_target(ctx, data.response_target_minutes))


@router.get(f"{BASE}/settings")
@requires(Permission.INBOX_READ)
def get_settings(ctx: Ctx) -> TargetIn:
    return TargetIn(response_target_minutes=metrics.target_minutes(ctx))


# Stateless triage --------------------------------------------------------------------------------------------


@router.post(f"{BASE}/triage")
@requires(Permission.INBOX_READ)
def triage_texts(data: TriageIn, ctx: Ctx) -> list[dict[str, object]]:
    """Triage texts without storing them: language, sentiment, offensive, spam, intent."""
    found = service.triage_texts(ctx, [TriageInput(t.text, t.language_hint) for t in data.texts], data.channel_id)
    return [{"id": t.id, **f.as_dict()} for t, f in zip(data.texts, found, strict=True)]


# Messages ----------------------------------------------------------------------------------------------------


@router.get(BASE)
@requires(Permission.INBOX_READ)
def list_inbox(ctx: Ctx, channel_id: str | None = None, publication_id: str | None = None, kind: str | None = None,
               unanswered: bool = False, ad_comment: bool | None = None, limit: int = Query(100, ge=1, le=500),
               offset: int = Query(0, ge=0, le=MAX_OFFSET),
               cursor: str | None = Query(None, max_length=200, description="`next_cursor` of the previous page: "
                                          "continue after its last message (use instead of `offset`)")
               ) -> InboxPageOut:
    """Single messages, newest first (conversations are the usual way in); `ad_comment`: only comments
    under ads (true) or none of them (false).

    Page with `cursor`: each answer's `next_cursor` leads to the next page at the same cost however deep, and
    its `total` is the one the first page counted; `offset` still works as before, but the database walks past
    every message it skips."""
    if cursor is not None and offset:
        raise ValidationFailed("Send either `cursor` or `offset`, not both: the cursor already says where the page "
                               "starts.")
    after = service.ItemCursor.decode(cursor) if cursor is not None else None
    items, total = service.list_items(ctx, service.InboxFilter(channel_id, publication_id, kind, None, unanswered,
                                                               ad_comment=ad_comment),
                                      limit=limit, offset=offset, after=after)
    last_page = not items or len(items) < limit or (after is None and offset + len(items) >= total)
    following = None if last_page else service.ItemCursor.after_item(items[-1], total).encode()
    return InboxPageOut(total=total, items=[InboxItemOut.of(i) for i in items], next_cursor=following)


@router.get(f"{BASE}/{{item_id}}")
@requires(Permission.INBOX_READ)
def get_item(item_id: str, ctx: Ctx) -> InboxItemOut:
    return InboxItemOut.of(service.get(ctx, item_id))


@router.get(f"{BASE}/{{item_id}}/suggestion")
@requires(Permission.INBOX_READ)
def suggested_reply(item_id: str, ctx: Ctx) -> SuggestionOut | None:
    """The saved reply for the message's intent, in its language, with the variables filled in."""
    s = service.suggestion(ctx, service.get(ctx, item_id))
    return SuggestionOut(saved_reply_id=s.saved_reply.id, name=s.saved_reply.name, language=s.language,
                         text=s.text) if s else None


@router.post(f"{BASE}/{{item_id}}/reply")
@requires(Permission.INBOX_WRITE)
def reply(item_id: str, data: TextIn, ctx: Ctx) -> InboxItemOut:
    return InboxItemOut.of(actions.reply(ctx, item_id, data.text))


@router.post(f"{BASE}/{{item_id}}/hide")
@requires(Permission.INBOX_WRITE)
def hide(item_id: str, ctx: Ctx) -> InboxItemOut:
    return InboxItemOut.of(actions.hide(ctx, item_id))


@router.post(f"{BASE}/{{item_id}}/like")
@requires(Permission.INBOX_WRITE)
def like(item_id: str, ctx: Ctx) -> InboxItemOut:
    return InboxItemOut.of(actions.like(ctx, item_id))


@router.post(f"{BASE}/{{item_id}}/delete")
@requires(Permission.INBOX_WRITE)
def delete_item(item_id: str, ctx: Ctx) -> InboxItemOut:
    return InboxItemOut.of(actions.delete_item(ctx, item_id))


@router.post(f"{BASE}/{{item_id}}/block")
@requires(Permission.INBOX_WRITE)
def block_author(item_id: str, ctx: Ctx) -> InboxItemOut:
    actions.block_author(ctx, item_id)
    return InboxItemOut.of(service.get(ctx, item_id))


@router.post(f"{BASE}/{{item_id}}/spam")
@requires(Permission.INBOX_WRITE)
def mark_spam(item_id: str, ctx: Ctx) -> InboxItemOut:
    return InboxItemOut.of(actions.mark_spam(ctx, item_id, True))


@router.post(f"{BASE}/{{item_id}}/not-spam")
@requires(Permission.INBOX_WRITE)
def mark_not_spam(item_id: str, ctx: Ctx) -> InboxItemOut:
    return InboxItemOut.of(actions.mark_spam(ctx, item_id, False))
