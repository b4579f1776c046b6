"""Saved replies: prepared answers with variables and a version per language, and which one to suggest.

Variables are written in braces: {first_name}, {name}, {handle}, {post_link}, {channel}. Only these
are filled in (a saved reply is never a template language: nothing else in braces is evaluated).
A version is chosen by the message's language, then a sibling of its group (a Serbian comment gets
the Croatian text when there is no Serbian one), then the reply's fallback text.
"""

from __future__ import annotations

from collections.abc import Mapping

import regex
from pydantic import BaseModel, Field

from socialdesk.channels import service as channels
from socialdesk.content import service as content
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.core.inputs import Text
from socialdesk.inbox.models import InboxItem, SavedReply
from socialdesk.text.language import HBS
from socialdesk.text.triage import INTENTS
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

VARIABLES = ("first_name", "name", "handle", "post_link", "channel", "prize", "contest", "verify")
# Filled only when a contest's winners are sent the saved reply (contests/announce.py); empty elsewhere.
CONTEST_VARIABLES = ("prize", "contest", "verify")
FALLBACK = ""  # the key of the text used when no version matches the message's language
_VARIABLE_RE = regex.compile(r"\{(\w+)\}")
MAX_TEXT = 5_000


class SavedReplyIn(BaseModel):
    name: Text = Field(min_length=1, max_length=120)
    intent: str | None = None
    texts: dict[Text, Text] = Field(description='language -> text; "" for the fallback')


def _validate(data: SavedReplyIn) -> dict[str, str]:
    if data.intent and data.intent not in INTENTS:
        raise ValidationFailed(f"Unknown intent {data.intent!r}; choose one of {', '.join(INTENTS)}.")
    texts = {key.strip().lower(): value.strip() for key, value in data.texts.items() if value.strip()}
    if not texts:
        raise ValidationFailed("A saved reply needs at least one text.")
    for language, text in texts.items():
        if len(text) > MAX_TEXT:
            raise ValidationFailed(f"The {language or 'fallback'} text is longer than {MAX_TEXT:,} characters.")
        unknown = sorted(set(_VARIABLE_RE.findall(text)) - set(VARIABLES))
        if unknown:
            raise ValidationFailed(f"Unknown variable {{{unknown[0]}}} in the {language or 'fallback'} text; "
                                   f"use {', '.join('{' + v + '}' for v in VARIABLES)}.")
    return texts


def create(ctx: WorkspaceContext, data: SavedReplyIn) -> SavedReply:
    ctx.require(Permission.INBOX_WRITE)
    texts = _validate(data)
    name = data.name.strip()
    if ctx.session.scalars(ctx.select(SavedReply).where(SavedReply.name == name)).first():
        raise Conflict(f"A saved reply named {name!r} exists already.")
    saved = SavedReply(workspace_id=ctx.workspace_id, name=name, intent=data.intent or None, texts=texts)
    ctx.session.add(saved)
    ctx.session.flush()
    return saved


def update(ctx: WorkspaceContext, saved_reply_id: str, data: SavedReplyIn) -> SavedReply:
    ctx.require(Permission.INBOX_WRITE)
    saved = get(ctx, saved_reply_id)
    texts = _validate(data)
    name = data.name.strip()
    clash = ctx.session.scalars(ctx.select(SavedReply).where(SavedReply.name == name,
                                                             SavedReply.id != saved.id)).first()
    if clash:
        raise Conflict(f"A saved reply named {name!r} exists already.")
    saved.name, saved.intent, saved.texts = name, data.intent or None, texts
    return saved


def remove(ctx: WorkspaceContext, saved_reply_id: str) -> None:
    ctx.require(Permission.INBOX_WRITE)
    ctx.session.delete(get(ctx, saved_reply_id))


def get(ctx: WorkspaceContext, saved_reply_id: str) -> SavedReply:
    return ctx.get(SavedReply, saved_reply_id, what="saved reply")


def list_all(ctx: WorkspaceContext) -> list[SavedReply]:
    return list(ctx.session.scalars(ctx.select(SavedReply).order_by(SavedReply.name)))


def text_for(saved: SavedReply, language: str | None) -> tuple[str, str]:
    """(language used, text): the message's language, a sibling in its group, else the fallback."""
    texts: Mapping[str, str] = saved.texts or {}
    language = (language or "").lower()
    candidates = [language, *(HBS if language in HBS else ()), FALLBACK, "en", *texts]
    for key in candidates:
        if key in texts:
            return key, texts[key]
    return FALLBACK, ""


def variables_for(ctx: WorkspaceContext, item: InboxItem) -> dict[str, str]:
    name = (item.author_name or "").strip() or item.author_handle
    post_link = ""
    if item.publication_id:
        publication = content.get_publication(ctx, item.publication_id)
        post_link = publication.external_url or ""
    return {"first_name": name.split()[0] if name else "", "name": name, "handle": f"@{item.author_handle}",
            "post_link": post_link, "channel": channels.get(ctx, item.channel_id).name,
            **dict.fromkeys(CONTEST_VARIABLES, "")}


def fill(text: str, values: Mapping[str, str]) -> str:
    return _VARIABLE_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def render(ctx: WorkspaceContext, saved: SavedReply, item: InboxItem) -> str:
    """The saved reply as it would be sent in answer to `item`."""
    _, text = text_for(saved, item.language)
    return fill(text, variables_for(ctx, item))


def suggest(ctx: WorkspaceContext, item: InboxItem) -> SavedReply | None:
    """The saved reply for the message's intent, preferring one written in its language."""
    if not item.intent:
        return None
    matching = [s for s in list_all(ctx) if s.intent == item.intent]
    if not matching:
        return None
    language = (item.language or "").lower()
    return max(matching, key=lambda s: (text_for(s, language)[0] == language,
                                        text_for(s, language)[0] != FALLBACK or FALLBACK in (s.texts or {})))
