"""Writing checks over the API: check a text, the workspace's style guide and its dictionary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from socialdesk.core.inputs import Text
from socialdesk.studio.writing import service
from socialdesk.studio.writing.check import Result
from socialdesk.web.deps import Ctx
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter(tags=["writing"])


class ProblemOut(BaseModel):
    offset: int = Field(description="Characters (code points) from the start of the text")
    length: int
    kind: str = Field(description="spelling, grammar, repeated_word, spacing, capital, unbalanced, shouting, "
                                  "exclamation, emoji, hashtags, links, confusion, banned_word, preferred_spelling, "
                                  "disclosure")
    rule: str
    message: str
    suggestions: list[str]
    blocking: bool = Field(description="The workspace makes this kind stop a post from going out")


class ReadabilityOut(BaseModel):
    formula: str
    score: float
    verdict: str
    words: int
    sentences: int
    reading_minutes: int
    reading_seconds: int


class WritingOut(BaseModel):
    language: str
    language_detected: bool
    ok: bool = Field(description="False when a blocking problem is present")
    problems: list[ProblemOut]
    notes: list[str] = Field(description="E.g. a spelling dictionary that is not installed, and how to install it")
    readability: ReadabilityOut | None


def writing_out(result: Result) -> WritingOut:
    return WritingOut.model_validate(result.as_dict())


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text = Field(max_length=100_000)
    language: Text = Field("", max_length=8, description="hr, sr, bs, en, de, es, ru or auto; empty: the "
                                                         "workspace's setting")
    networks: list[Text] = Field(default_factory=list, max_length=20, description="For hashtag and link advice")
    paid: bool = Field(False, description="A paid post: the style guide's disclosure is required")


Pair = Annotated[list[Text], Field(min_length=2, max_length=2)]


class StyleGuideIO(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Text = Field("auto", max_length=8, description="Language of the checks: auto (detected per text) "
                                                             "or a code")
    main_language: Text = Field("en", max_length=8, description="When detection cannot tell, and to choose among "
                                                                "hr/sr/bs")
    # Pairs as two-item lists: a tuple's schema (items as a list) is refused by OpenAPI 3.0 tools.
    banned: list[Pair] = Field(default_factory=list, description="[word, replacement or '']")
    preferred: list[Pair] = Field(default_factory=list, description="[wrong spelling, preferred]")
    disclosures: list[Text] = Field(default_factory=list, description="e.g. #ad, #oglas: one is required in paid "
                                                                     "posts")
    paid_markers: list[Text] = Field(default_factory=list, description="Phrases that make a post read as paid")
    tone_notes: Text = Field("", max_length=5000)
    blocking_kinds: list[Text] = Field(default_factory=list, description="Kinds that stop a post going out")


class WordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: Text = Field(max_length=100)


class WordOut(BaseModel):
    id: str
    word: str


def _guide_out(ctx: WorkspaceContext) -> StyleGuideIO:
    s = service.settings(ctx)
    return StyleGuideIO(language=s.language, main_language=s.main_language,
                        banned=[(a, b) for a, b in s.banned], preferred=[(a, b) for a, b in s.preferred],
                        disclosures=list(s.disclosures), paid_markers=list(s.paid_markers), tone_notes=s.tone_notes,
                        blocking_kinds=list(s.blocking_kinds))


@router.post("/workspaces/{workspace_id}/writing/check")
@requires(Permission.POSTS_READ)
def check_text(data: TextIn, ctx: Ctx) -> WritingOut:
    return writing_out(service.check(ctx, data.text, language=data.language or None, networks=data.networks,
                                     paid=data.paid))


@router.get("/workspaces/{workspace_id}/writing/style-guide")
@requires(Permission.POSTS_READ)
def get_style_guide(ctx: Ctx) -> StyleGuideIO:
    return _guide_out(ctx)


@router.put("/workspaces/{workspace_id}/writing/style-guide")
@requires(Permission.WORKSPACE_ADMIN)
def put_style_guide(data: StyleGuideIO, ctx: Ctx) -> StyleGuideIO:
    service.update_settings(ctx, service.StyleGuideInput(
        language=data.language, main_language=data.main_language,
        banned=tuple((a, b) for a, b in data.banned), preferred=tuple((a, b) for a, b in data.preferred),
        disclosures=tuple(data.disclosures), paid_markers=tuple(data.paid_markers),
        tone_notes=data.tone_notes, blocking_kinds=tuple(data.blocking_kinds)))
    return _guide_out(ctx)


@router.get("/workspaces/{workspace_id}/writing/dictionary")
@requires(Permission.POSTS_READ)
def list_words(ctx: Ctx) -> list[WordOut]:
    return [WordOut(id=w.id, word=w.word) for w in service.words(ctx)]


@router.post("/workspaces/{workspace_id}/writing/dictionary", status_code=201)
@requires(Permission.POSTS_WRITE)
def add_word(data: WordIn, ctx: Ctx) -> WordOut:
    row = service.add_word(ctx, data.word)
    return WordOut(id=row.id, word=row.word)


@router.delete("/workspaces/{workspace_id}/writing/dictionary/{word_id}", status_code=204)
@requires(Permission.POSTS_WRITE)
def remove_word(word_id: str, ctx: Ctx) -> None:
    service.remove_word(ctx, word_id)
