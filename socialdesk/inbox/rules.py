"""Moderation rules: conditions on an arriving, triaged message -> actions, per workspace.

Conditions (all given ones must hold): sentiment, intent, offensive score at least, spam score at
least, keywords (any; matched on the text and on its de-obfuscated form, so `f r e e  m 0 n e y`
matches "free money"), language, author handle, channel, kind.

Actions: hide, mark as spam, label (tags), assign to a member, draft a reply from a saved reply,
and — only when the rule says `send_reply` explicitly — send that reply publicly. Rules act as the
system, under the rule's name in the audit log; every action is recorded and can be undone where
the network allows (actions.undo).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import regex
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from socialdesk.channels.models import Channel
from socialdesk.core.errors import DomainError, ValidationFailed
from socialdesk.inbox import actions, saved_replies
from socialdesk.inbox.models import InboxItem, ModerationRule
from socialdesk.networks.base import IncomingKind
from socialdesk.text.normalize import for_model
from socialdesk.text.triage import INTENTS
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

log = logging.getLogger("socialdesk.inbox.rules")
Sentiment = Literal["negative", "neutral", "positive"]


class RuleConditions(BaseModel):
    sentiments: list[Sentiment] = []
    intents: list[str] = []
    offensive_at_least: float | None = Field(None, ge=0, le=1)
    spam_at_least: float | None = Field(None, ge=0, le=1)
    keywords: list[str] = []
    languages: list[str] = []
    authors: list[str] = []  # handles, with or without "@"
    channel_ids: list[str] = []
    kinds: list[IncomingKind] = []

    @field_validator("intents")
    @classmethod
    def _known_intents(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(INTENTS))
        if unknown:
            raise ValueError(f"unknown intent {unknown[0]!r}; choose from {', '.join(INTENTS)}")
        return value

    @field_validator("keywords", "languages", "authors")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        return [v.strip().lower().lstrip("@") for v in value if v.strip()]

    def is_empty(self) -> bool:
        return not any(getattr(self, name) not in (None, []) for name in type(self).model_fields)


class RuleActions(BaseModel):
    hide: bool = False
    mark_spam: bool = False
    labels: list[str] = []
    assign_to: str | None = None  # a member's user id
    draft_reply: str | None = None  # a saved reply's id: prepared for a person to send
    send_reply: bool = False  # send that reply publicly, without a person: only when asked for explicitly

    def is_empty(self) -> bool:
        return not (self.hide or self.mark_spam or self.labels or self.assign_to or self.draft_reply)


class RuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    enabled: bool = True
    # Stored in a 32-bit column; far more rules than anyone orders by hand.
    position: int = Field(0, ge=0, le=100_000, description="Rules run in this order, lowest first")
    conditions: RuleConditions
    actions: RuleActions


def _validate(ctx: WorkspaceContext, data: RuleIn) -> None:
    if data.conditions.is_empty():
        raise ValidationFailed("A rule needs at least one condition, or it would act on every message.")
    if data.actions.is_empty():
        raise ValidationFailed("A rule needs at least one action.")
    for channel_id in data.conditions.channel_ids:  # another workspace's channel would be stored as is
        ctx.get(Channel, channel_id, what="channel")
    if data.actions.send_reply and not data.actions.draft_reply:
        raise ValidationFailed("To send a reply, choose the saved reply to send.")
    if data.actions.draft_reply:
        saved_replies.get(ctx, data.actions.draft_reply)
    if data.actions.assign_to and data.actions.assign_to not in {u.id for _, u in workspaces.members(ctx)}:
        raise ValidationFailed("A rule can only assign to a member of this workspace.")
    for label in data.actions.labels:
        actions.clean_tag(label)


def create(ctx: WorkspaceContext, data: RuleIn) -> ModerationRule:
    ctx.require(Permission.INBOX_WRITE)
    _validate(ctx, data)
    rule = ModerationRule(workspace_id=ctx.workspace_id, name=data.name.strip(), enabled=data.enabled,
                          position=data.position, conditions=data.conditions.model_dump(mode="json"),
                          actions=data.actions.model_dump(mode="json"))
    ctx.session.add(rule)
    ctx.session.flush()
    return rule


def update(ctx: WorkspaceContext, rule_id: str, data: RuleIn) -> ModerationRule:
    ctx.require(Permission.INBOX_WRITE)
    rule = get(ctx, rule_id)
    _validate(ctx, data)
    rule.name, rule.enabled, rule.position = data.name.strip(), data.enabled, data.position
    rule.conditions = data.conditions.model_dump(mode="json")
    rule.actions = data.actions.model_dump(mode="json")
    return rule


def remove(ctx: WorkspaceContext, rule_id: str) -> None:
    ctx.require(Permission.INBOX_WRITE)
    ctx.session.delete(get(ctx, rule_id))


def get(ctx: WorkspaceContext, rule_id: str) -> ModerationRule:
    return ctx.get(ModerationRule, rule_id, what="rule")


def list_all(ctx: WorkspaceContext) -> list[ModerationRule]:
    return list(ctx.session.scalars(ctx.select(ModerationRule).order_by(ModerationRule.position,
                                                                        ModerationRule.created_at)))


# Matching ----------------------------------------------------------------------------------------


def matches(conditions: RuleConditions, item: InboxItem) -> bool:
    c = conditions
    if c.sentiments and item.sentiment not in c.sentiments:
        return False
    if c.intents and item.intent not in c.intents:
        return False
    if c.offensive_at_least is not None and (item.offensive_score or 0.0) < c.offensive_at_least:
        return False
    if c.spam_at_least is not None and (item.spam_score or 0.0) < c.spam_at_least:
        return False
    if c.languages and (item.language or "").lower() not in c.languages:
        return False
    if c.authors and item.author_handle.lower().lstrip("@") not in c.authors:
        return False
    if c.channel_ids and item.channel_id not in c.channel_ids:
        return False
    if c.kinds and item.kind not in c.kinds:
        return False
    return not c.keywords or _has_keyword(item.text, c.keywords)


def _has_keyword(text: str, keywords: Sequence[str]) -> bool:
    haystacks = (text.casefold(), for_model(text).casefold())
    for keyword in keywords:
        pattern = regex.compile(rf"(?<![\p{{L}}\p{{N}}]){regex.escape(keyword.casefold())}(?![\p{{L}}\p{{N}}])")
        if any(pattern.search(h) for h in haystacks):
            return True
    return False


def apply(session: Session, items: Sequence[InboxItem]) -> int:
    """Run the workspaces' enabled rules on freshly triaged items; returns how many actions were taken."""
    by_workspace: dict[str, list[InboxItem]] = {}
    for item in items:
        by_workspace.setdefault(item.workspace_id, []).append(item)
    taken = 0
    for workspace_id, found in by_workspace.items():
        rules = [r for r in list_all(workspaces.system_context(session, workspace_id)) if r.enabled]
        for rule in rules:
            conditions = RuleConditions.model_validate(rule.conditions)
            todo = RuleActions.model_validate(rule.actions)
            ctx = workspaces.system_context(session, workspace_id, label=f"rule: {rule.name}")
            for item in found:
                if matches(conditions, item):
                    taken += _act(ctx, rule, todo, item)
    return taken


def _act(ctx: WorkspaceContext, rule: ModerationRule, todo: RuleActions, item: InboxItem) -> int:
    steps = []
    if todo.mark_spam:
        steps.append(lambda: actions.mark_spam(ctx, item.id, True, rule_id=rule.id))
    for label in todo.labels:
        if item.conversation_id:
            steps.append(lambda label=label: actions.add_tag(ctx, item.conversation_id or "", label,
                                                             rule_id=rule.id))
    if todo.assign_to and item.conversation_id:
        steps.append(lambda: actions.assign(ctx, item.conversation_id or "", todo.assign_to, rule_id=rule.id))
    if todo.draft_reply and item.conversation_id:
        steps.append(lambda: _reply(ctx, rule, todo, item))
    if todo.hide and item.kind == IncomingKind.COMMENT:
        steps.append(lambda: actions.hide(ctx, item.id, rule_id=rule.id))
    done = 0
    for step in steps:
        try:
            with ctx.session.begin_nested():
                step()
            done += 1
        except DomainError as error:
            # A rule must never stop the inbox: what it could not do is logged, and a person can act.
            log.warning("rule %r could not act on item %s: %s", rule.name, item.id, error.message)
    return done


def _reply(ctx: WorkspaceContext, rule: ModerationRule, todo: RuleActions, item: InboxItem) -> None:
    text = saved_replies.render(ctx, saved_replies.get(ctx, todo.draft_reply or ""), item)
    if todo.send_reply:
        actions.reply(ctx, item.id, text, rule_id=rule.id)
    else:
        actions.save_draft(ctx, item.conversation_id or "", text, rule_id=rule.id)
