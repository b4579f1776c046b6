"""The workspace's side of writing checks: its dictionary, style guide and settings, and checks with them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import regex
from sqlalchemy import func, select

from socialdesk.audit import service as audit
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.core.inputs import text_problem
from socialdesk.studio.writing.check import Result, UnknownLanguage, check_text
from socialdesk.studio.writing.dictionaries import LANGUAGES
from socialdesk.studio.writing.models import DictionaryWord, WritingSettings
from socialdesk.studio.writing.problems import KINDS
from socialdesk.studio.writing.style_guide import Guide
from socialdesk.workspaces.context import WorkspaceContext

WORD_RE = regex.compile(r"^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}'’.\-]{0,99}$")
MAX_ENTRIES = 500
MAX_WORDS = 20_000


@dataclass(frozen=True)
class StyleGuideInput:
    language: str = "auto"
    main_language: str = "en"
    banned: tuple[tuple[str, str], ...] = ()
    preferred: tuple[tuple[str, str], ...] = ()
    disclosures: tuple[str, ...] = ()
    paid_markers: tuple[str, ...] = ()
    tone_notes: str = ""
    blocking_kinds: tuple[str, ...] = ()


def settings(ctx: WorkspaceContext) -> WritingSettings:
    """The workspace's settings (the defaults, unsaved, for a workspace that never changed them)."""
    found = ctx.session.get(WritingSettings, ctx.workspace_id)
    return found or WritingSettings(workspace_id=ctx.workspace_id, language="auto", main_language="en", banned=[],
                                    preferred=[], disclosures=[], paid_markers=[], tone_notes="",
                                    blocking_kinds=[])


def guide(ctx: WorkspaceContext) -> Guide:
    s = settings(ctx)
    return Guide(banned=tuple((str(a), str(b)) for a, b in s.banned),
                 preferred=tuple((str(a), str(b)) for a, b in s.preferred),
                 disclosures=tuple(s.disclosures), paid_markers=tuple(s.paid_markers), tone_notes=s.tone_notes)


def _language(value: str, field: str, *, auto: bool) -> str:
    code = (value or "").strip().lower()
    if code in LANGUAGES or (auto and code == "auto"):
        return code
    raise ValidationFailed(f"{field}: {value!r} is not a language we check; use one of "
                           f"{', '.join(LANGUAGES)}" + (" or auto." if auto else "."))


def _pairs(rows: Iterable[tuple[str, str]], field: str, *, need_both: bool) -> list[list[str]]:
    cleaned = []
    for number, (left, right) in enumerate(rows, start=1):
        left, right = left.strip(), right.strip()
        if not left and not right:
            continue
        if not left or (need_both and not right):
            raise ValidationFailed(f"{field}, line {number}: write both sides, e.g. “email = e-mail”.")
        if len(left) > 100 or len(right) > 100:
            raise ValidationFailed(f"{field}, line {number}: at most 100 characters a side.")
        cleaned.append([left, right])
    if len(cleaned) > MAX_ENTRIES:
        raise ValidationFailed(f"{field}: at most {MAX_ENTRIES} entries.")
    return cleaned


def _list(values: Iterable[str], field: str) -> list[str]:
    cleaned = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(cleaned) > MAX_ENTRIES or any(len(v) > 100 for v in cleaned):
        raise ValidationFailed(f"{field}: at most {MAX_ENTRIES} entries of 100 characters.")
    return cleaned


def _no_control_characters(data: StyleGuideInput) -> None:
    values = [data.language, data.main_language, data.tone_notes, *data.disclosures, *data.paid_markers,
              *(v for pair in (*data.banned, *data.preferred) for v in pair)]
    for value in values:
        problem = text_problem(value)
        if problem:
            raise ValidationFailed(f"The style guide: this text {problem}")


def update_settings(ctx: WorkspaceContext, data: StyleGuideInput) -> WritingSettings:
    _no_control_characters(data)
    unknown = [k for k in data.blocking_kinds if k not in KINDS]
    if unknown:
        raise ValidationFailed(f"blocking_kinds: unknown kind {unknown[0]!r}; the kinds are {', '.join(KINDS)}.")
    if len(data.tone_notes) > 5000:
        raise ValidationFailed("tone_notes: at most 5,000 characters.")
    values: dict[str, Any] = {
        "language": _language(data.language, "language", auto=True),
        "main_language": _language(data.main_language, "main_language", auto=False),
        "banned": _pairs(data.banned, "banned", need_both=False),
        "preferred": _pairs(data.preferred, "preferred", need_both=True),
        "disclosures": _list(data.disclosures, "disclosures"),
        "paid_markers": _list(data.paid_markers, "paid_markers"),
        "tone_notes": data.tone_notes.strip(), "blocking_kinds": sorted(set(data.blocking_kinds)),
    }
    row = ctx.session.get(WritingSettings, ctx.workspace_id)
    if row is None:
        row = WritingSettings(workspace_id=ctx.workspace_id)
        ctx.session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    audit.record(ctx, "writing.style_guide", "workspace", ctx.workspace_id, "Changed the writing style guide",
                 banned=len(values["banned"]), preferred=len(values["preferred"]),
                 blocking=values["blocking_kinds"])
    ctx.session.flush()
    return row


def words(ctx: WorkspaceContext) -> list[DictionaryWord]:
    return list(ctx.session.scalars(ctx.select(DictionaryWord).order_by(func.lower(DictionaryWord.word))))


def known_words(ctx: WorkspaceContext) -> set[str]:
    return set(ctx.session.scalars(select(DictionaryWord.word).where(
        DictionaryWord.workspace_id == ctx.workspace_id)))


def add_word(ctx: WorkspaceContext, word: str) -> DictionaryWord:
    word = (word or "").strip()
    if not WORD_RE.match(word):
        raise ValidationFailed("A dictionary word is one word of letters (digits, ' . and - inside are fine), "
                               "at most 100 characters.")
    # Compared in Python: SQLite's lower() folds ASCII letters only ("Ë" and "ë" would both be stored).
    current = words(ctx)
    existing = next((w for w in current if w.word.casefold() == word.casefold()), None)
    if existing is not None:
        return existing
    if len(current) >= MAX_WORDS:
        raise ValidationFailed(f"The workspace dictionary is full ({MAX_WORDS:,} words): remove some first.")
    row = DictionaryWord(workspace_id=ctx.workspace_id, word=word, added_by_id=ctx.actor.user_id)
    ctx.session.add(row)
    ctx.session.flush()
    audit.record(ctx, "writing.word_add", "dictionary_word", row.id, f"Added “{word}” to the dictionary")
    return row


def remove_word(ctx: WorkspaceContext, word_id: str) -> None:
    row = ctx.session.scalar(ctx.select(DictionaryWord).where(DictionaryWord.id == word_id))
    if row is None:
        raise NotFound(f"No dictionary word with id {word_id} in this workspace.")
    audit.record(ctx, "writing.word_remove", "dictionary_word", row.id, f"Removed “{row.word}” from the dictionary")
    ctx.session.delete(row)
    ctx.session.flush()


def network_of(channel: Channel) -> str:
    """The network whose advice applies: the imitated one for a sandbox channel."""
    if channel.network == "sandbox":
        return str((channel.settings or {}).get("profile") or "generic")
    return channel.network


def networks_of(ctx: WorkspaceContext, channel_ids: Iterable[str]) -> dict[str, str]:
    wanted = set(channel_ids)
    return {c.id: network_of(c) for c in channels.list_channels(ctx) if c.id in wanted}


def check(ctx: WorkspaceContext, text: str, *, language: str | None = None, networks: Iterable[str] = (),
          paid: bool = False, ignored: Collection[tuple[int, str]] = ()) -> Result:
    """The text checked with the workspace's dictionary, style guide, language and blocking kinds."""
    s = settings(ctx)
    wanted = language or s.language
    try:
        return check_text(text, wanted, networks=networks, known_words=known_words(ctx), guide=guide(ctx),
                          paid=paid, blocking_kinds=set(s.blocking_kinds), default_language=s.main_language,
                          ignored=ignored)
    except UnknownLanguage as exc:
        raise ValidationFailed(str(exc)) from None


def blocking_problems(ctx: WorkspaceContext, texts: Iterable[str]) -> list[str]:
    """What stops these texts from going out under the workspace's blocking kinds ([] when it blocks nothing)."""
    if not settings(ctx).blocking_kinds:
        return []
    found = []
    for text in dict.fromkeys(texts):
        if text.strip():
            for problem in check(ctx, text).blocking:
                quoted = text[problem.offset:problem.offset + problem.length]
                found.append(f"{problem.message}" if not quoted or quoted in problem.message
                             else f"“{quoted}”: {problem.message}")
    return list(dict.fromkeys(found))
