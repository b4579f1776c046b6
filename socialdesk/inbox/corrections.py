"""Corrections of triage labels: a person says what a message really is, in one click.

A correction replaces the model's label on the message at once (the conversation's place in the queue
follows), is recorded in the conversation's history (undoable) and the audit log, and is kept per
workspace with the message's text, so that the operator's next retraining can learn from it
(`python -m socialdesk.text.train --include-corrections`, see docs/models.md). Nothing is retrained
behind anyone's back: the shipped weights change only when the operator runs that command.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import regex
from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.inbox import conversations
from socialdesk.inbox.models import InboxItem, ModerationAction, TriageCorrection
from socialdesk.text.datasets import SENTIMENTS
from socialdesk.text.language import HBS, HBS_GROUP
from socialdesk.text.triage import ASKING_INTENTS, INTENTS, asks_in_punctuation
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

YES_NO = ("yes", "no")
# What can be corrected, and the answers each takes (a language is any ISO 639 code: see LANGUAGE_RE).
CHOICES: dict[str, tuple[str, ...]] = {"sentiment": SENTIMENTS, "offensive": YES_NO, "spam": YES_NO,
                                       "intent": INTENTS, "language": ()}
LABEL_NAMES = {"sentiment": "sentiment", "language": "language", "offensive": "offensive", "spam": "spam",
               "intent": "intent"}
LANGUAGE_RE = regex.compile(r"^[a-z]{2,3}$")
ACTION = "correct"


def shown_value(item: InboxItem, label: str) -> str | None:
    """What the inbox shows for this label now (the model's answer, or an earlier correction)."""
    if label == "sentiment":
        return item.sentiment
    if label == "language":
        return item.language
    if label == "offensive":
        return "yes" if item.offensive else "no"
    if label == "spam":
        return "yes" if conversations.is_spam(item) else "no"
    if label == "intent":
        return item.intent
    raise ValidationFailed(f"Unknown label {label!r}; correct one of: {', '.join(CHOICES)}.")


def check(label: str, value: str) -> str:
    """The value, cleaned; a clear refusal when it is not an answer this label takes."""
    if label not in CHOICES:
        raise ValidationFailed(f"Unknown label {label!r}; correct one of: {', '.join(CHOICES)}.")
    value = (value or "").strip().lower()
    if label == "language":
        if not LANGUAGE_RE.match(value):
            raise ValidationFailed("Give the language as a two- or three-letter code, such as hr, sr, bs or en.")
        return value
    if value not in CHOICES[label]:
        raise ValidationFailed(f"The {LABEL_NAMES[label]} must be one of: {', '.join(CHOICES[label])} "
                               f"(not {value!r}).")
    return value


def _apply(item: InboxItem, label: str, value: str) -> None:
    if label == "sentiment":
        item.sentiment = value
    elif label == "language":
        item.language = value
        item.language_group = HBS_GROUP if value in HBS else None
        item.language_source = "person"
    elif label == "offensive":
        item.offensive = value == "yes"
    elif label == "spam":
        item.marked_spam = value == "yes"  # a person's verdict, like the Spam / Not spam buttons
    elif label == "intent":
        item.intent = value
        item.question = value in ASKING_INTENTS or asks_in_punctuation(item.text)


def _existing(ctx: WorkspaceContext, item_id: str, label: str) -> TriageCorrection | None:
    return ctx.session.scalars(ctx.select(TriageCorrection).where(
        TriageCorrection.item_id == item_id, TriageCorrection.label == label)).first()


def correct(ctx: WorkspaceContext, item_id: str, label: str, value: str) -> TriageCorrection | None:
    """Set the right answer for one label of one message; None when it already says that."""
    ctx.require(Permission.INBOX_WRITE)
    value = check(label, value)
    item = ctx.get(InboxItem, item_id, what="inbox item")
    if item.triaged_at is None:
        raise ValidationFailed("This message has not been triaged yet; correct it once its labels appear.")
    previous = shown_value(item, label)
    if previous == value:
        return None
    existing = _existing(ctx, item.id, label)
    detail: dict[str, Any] = {"label": label, "value": value, "previous": previous,
                              "previous_correction": existing.value if existing else None,
                              "previous_marked_spam": item.marked_spam, "previous_source": item.language_source,
                              "previous_group": item.language_group, "previous_question": item.question}
    if existing is None:
        existing = TriageCorrection(workspace_id=ctx.workspace_id, item_id=item.id, label=label,
                                    model_value=previous, text=item.text, language=item.language)
        ctx.session.add(existing)
    existing.value = value
    existing.corrected_by = ctx.actor.user_id
    existing.corrected_at = clock.now()
    if label != "language":
        existing.language = item.language
    _apply(item, label, value)
    ctx.session.add(ModerationAction(
        workspace_id=ctx.workspace_id, conversation_id=item.conversation_id, item_id=item.id, action=ACTION,
        detail=detail, performed_by=ctx.actor.user_id, performed_at=clock.now(), undoable=True))
    audit.record(ctx, "inbox.correct_triage", "inbox_item", item.id,
                 f"Corrected the {LABEL_NAMES[label]} of a message: {previous or '—'} → {value}",
                 label=label, value=value, previous=previous, model_value=existing.model_value)
    ctx.session.flush()
    if item.conversation_id:
        conversations.refresh(ctx.session, [item.conversation_id])
    return existing


def undo(ctx: WorkspaceContext, item: InboxItem, detail: dict[str, Any]) -> None:
    """Put back what the message said before a correction (inbox/actions.py's undo calls this)."""
    label = str(detail.get("label", ""))
    existing = _existing(ctx, item.id, label)
    previous = detail.get("previous")
    if label == "spam":
        item.marked_spam = detail.get("previous_marked_spam")
    elif label == "language":
        item.language = previous
        item.language_source = detail.get("previous_source")
        item.language_group = detail.get("previous_group")
    elif label == "intent":
        item.intent = previous
        item.question = bool(detail.get("previous_question"))
    elif previous is not None:
        _apply(item, label, str(previous))
    if existing is not None:
        if detail.get("previous_correction") is None:
            ctx.session.delete(existing)
        else:
            existing.value = str(detail["previous_correction"])


def of_items(ctx: WorkspaceContext, item_ids: Sequence[str]) -> dict[str, dict[str, TriageCorrection]]:
    """The corrections of these messages: {item id: {label: correction}}, for the inbox to show."""
    found: dict[str, dict[str, TriageCorrection]] = {}
    if not item_ids:
        return found
    for row in ctx.session.scalars(ctx.select(TriageCorrection).where(TriageCorrection.item_id.in_(list(item_ids)))):
        found.setdefault(row.item_id, {})[row.label] = row
    return found


def for_training(session: Session, workspace_ids: Sequence[str] | None = None) -> list[TriageCorrection]:
    """Every stored correction (or those of some workspaces), oldest first: what retraining reads."""
    query = select(TriageCorrection).order_by(TriageCorrection.corrected_at, TriageCorrection.id)
    if workspace_ids:
        query = query.where(TriageCorrection.workspace_id.in_(list(workspace_ids)))
    return list(session.scalars(query))
