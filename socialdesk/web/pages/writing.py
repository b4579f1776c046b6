"""Writing checks in the pages: the composer's inline panel and adding a word to the workspace dictionary."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from socialdesk.content.schemas import PostOut
from socialdesk.core.errors import DomainError
from socialdesk.studio.writing import dictionaries
from socialdesk.studio.writing import service as writing
from socialdesk.studio.writing.check import Result
from socialdesk.studio.writing.marks import pieces
from socialdesk.studio.writing.problems import KINDS
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, field, fields, partial, render, ws_url
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()
LANGUAGE_CHOICES = {"auto": "Detect", "hr": "Hrvatski", "sr": "Srpski", "bs": "Bosanski", "en": "English",
                    "de": "Deutsch", "es": "Español", "ru": "Русский"}


def ignored_of(raw: FormData) -> list[str]:
    return [line for line in str(raw.get("writing_ignore") or "").split("\n") if line.strip()][:200]


def composer_check(ctx: WorkspaceContext, raw: FormData, text: str, channel_ids: list[str]) -> dict[str, object]:
    """What the composer's writing panel shows for the main text (variables for partials/writing.html)."""
    language = str(raw.get("writing_language") or "") or None
    if language and language not in LANGUAGE_CHOICES:
        language = None
    networks = list(writing.networks_of(ctx, channel_ids).values())
    error = None
    result: Result | None = None
    try:
        ignored = set(ignored_of(raw))
        result = writing.check(ctx, text, language=language, networks=networks,
                               paid=bool(raw.get("writing_paid")))
        result = Result(result.language, result.language_detected,
                        [p for p in result.problems if text[p.offset:p.offset + p.length] not in ignored],
                        result.notes, result.readability)
    except DomainError as exc:
        error = exc.message
    return {"writing": result, "writing_error": error, "kinds": KINDS, "tone_notes": writing.settings(ctx).tone_notes,
            "writing_pieces": pieces(text, result.problems) if result else [], "languages": LANGUAGE_CHOICES}


STYLE_KINDS = frozenset({"banned_word", "preferred_spelling", "disclosure"})


@dataclass(frozen=True)
class Finding:
    text: str  # the words concerned ("" for a missing disclosure)
    message: str
    blocking: bool


def approver_findings(ctx: WorkspaceContext, post: PostOut) -> list[Finding]:
    """What an approver should know about a post's writing: the style guide's findings and anything blocking,
    for the main text and each channel's own text."""
    texts = dict.fromkeys([post.text, *(pub.text for pub in post.publications if pub.text)])
    found: list[Finding] = []
    for text in texts:
        if not text.strip():
            continue
        try:
            result = writing.check(ctx, text)
        except DomainError:
            continue
        for p in result.problems:
            if p.kind in STYLE_KINDS or p.blocking:
                finding = Finding(text[p.offset:p.offset + p.length], p.message, p.blocking)
                if finding not in found:
                    found.append(finding)
    return found


@router.post("/w/{workspace_id}/writing/dictionary", response_class=HTMLResponse)
@requires(Permission.POSTS_WRITE)
def add_word(request: Request, ctx: Ctx, form: Form) -> Response:
    """From the composer: the word joins the workspace dictionary and the check runs again."""
    try:
        row = writing.add_word(ctx, field(form, "word"))
    except DomainError as exc:
        return partial(request, "partials/writing_note.html", ctx=ctx, message=exc.message, status_code=422)
    response = partial(request, "partials/writing_note.html", ctx=ctx, message=f"“{row.word}” added to the "
                       "workspace dictionary.")
    response.headers["HX-Trigger"] = "recheck"
    return response


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    rows = []
    for line in text.splitlines():
        if line.strip():
            left, _, right = line.partition("=")
            rows.append((left.strip(), right.strip()))
    return tuple(rows)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@router.get("/w/{workspace_id}/writing", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def writing_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return render(request, "writing.html", ctx=ctx, section="writing", settings=writing.settings(ctx),
                  words=writing.words(ctx), languages=LANGUAGE_CHOICES, kinds=KINDS,
                  installed=dictionaries.available(),
                  packages={code: source.package for code, source in dictionaries.SOURCES.items()})


@router.post("/w/{workspace_id}/writing")
@requires(Permission.WORKSPACE_ADMIN)
def save_style_guide(ctx: Ctx, form: Form) -> Response:
    data = writing.StyleGuideInput(
        language=field(form, "language", "auto"), main_language=field(form, "main_language", "en"),
        banned=_pairs(field(form, "banned")), preferred=_pairs(field(form, "preferred")),
        disclosures=_lines(field(form, "disclosures")), paid_markers=_lines(field(form, "paid_markers")),
        tone_notes=field(form, "tone_notes"), blocking_kinds=tuple(fields(form, "blocking_kinds")))

    def save() -> list[str]:
        writing.update_settings(ctx, data)
        return ["Style guide saved."]

    return act(ctx, save, back=ws_url(ctx, "/writing"))


@router.post("/w/{workspace_id}/writing/words")
@requires(Permission.POSTS_WRITE)
def add_word_page(ctx: Ctx, form: Form) -> Response:
    word = field(form, "word")
    return act(ctx, lambda: [f"“{writing.add_word(ctx, word).word}” is in the dictionary."],
               back=ws_url(ctx, "/writing"))


@router.post("/w/{workspace_id}/writing/words/{word_id}/delete")
@requires(Permission.POSTS_WRITE)
def remove_word_page(word_id: str, ctx: Ctx) -> Response:
    def remove() -> list[str]:
        writing.remove_word(ctx, word_id)
        return ["Removed from the dictionary."]

    return act(ctx, remove, back=ws_url(ctx, "/writing"))
