"""Writing checks in the pages: the composer's inline panel and adding a word to the workspace dictionary."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from socialdesk.content.schemas import PostOut
from socialdesk.core.errors import DomainError
from socialdesk.studio.writing import service as writing
from socialdesk.studio.writing.check import Result
from socialdesk.studio.writing.marks import pieces
from socialdesk.studio.writing.problems import KINDS
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, field, partial
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
