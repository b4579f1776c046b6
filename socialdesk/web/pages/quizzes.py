"""The quizzes pages: the list with a form to start one, and a quiz's questions, graded answers, leaderboard,
winners (ranked or drawn) and its record for anyone to verify."""

from __future__ import annotations

import json
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.channels import service as channels
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.inputs import check_moment
from socialdesk.core.timezones import local_to_utc
from socialdesk.quizzes import grading
from socialdesk.quizzes import service as quizzes
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, field, fields, render, ws_url
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()
FORM_QUESTIONS = 5  # question rows on the page (the CLI takes any number from a file)


@router.get("/w/{workspace_id}/quizzes", response_class=HTMLResponse)
@requires(Permission.INBOX_READ)
def quizzes_page(request: Request, ctx: Ctx) -> HTMLResponse:
    listed = quizzes.list_quizzes(ctx)
    states = {q.id: quizzes.view(ctx, q.id).state for q in listed}
    writer = ctx.can(Permission.POSTS_WRITE)
    return render(request, "quizzes.html", ctx=ctx, section="quizzes", quizzes=listed, states=states,
                  channels=channels.list_channels(ctx) if writer else [],
                  rows=range(1, FORM_QUESTIONS + 1), languages=grading.LANGUAGES)


def _moment(ctx: Ctx, text: str, what: str) -> datetime:
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(f"Give {what} as a date and time.") from None
    return local_to_utc(check_moment(local, what.capitalize()), ctx.workspace.timezone).at


def _number(text: str, what: str, default: int | None) -> int | None:
    text = text.strip()
    if not text:
        return default
    if not text.isdigit():
        raise ValidationFailed(f"{what} is a whole number, not {text!r}.")
    return int(text)


def questions_from(ctx: Ctx, form: Form) -> list[quizzes.QuestionIn]:
    """The filled-in question rows of the form (a row without text is skipped)."""
    found = []
    for n in range(1, FORM_QUESTIONS + 1):
        text = field(form, f"q{n}_text")
        if not text.strip():
            continue
        options = [line.strip() for line in field(form, f"q{n}_options").splitlines() if line.strip()]
        correct = _number(field(form, f"q{n}_correct"), f"Question {n}'s right choice", None)
        found.append(quizzes.QuestionIn(
            text=text, answers=[a.strip() for a in field(form, f"q{n}_answers").split(";") if a.strip()],
            opens_at=_moment(ctx, field(form, f"q{n}_opens"), f"question {n}'s posting time"),
            closes_at=_moment(ctx, field(form, f"q{n}_closes"), f"question {n}'s closing time"),
            points=_number(field(form, f"q{n}_points"), f"Question {n}'s points", 1) or 1,
            options=options, correct_option=None if correct is None else correct - 1,
            as_poll=field(form, f"q{n}_poll") == "1"))
    if not found:
        raise ValidationFailed("Write at least one question.")
    return found


@router.post("/w/{workspace_id}/quizzes")
@requires(Permission.POSTS_WRITE)
def create_quiz(ctx: Ctx, form: Form) -> Response:
    created: list[str] = []

    def run() -> list[str]:
        quiz = quizzes.create(
            ctx, name=field(form, "name"), prize=field(form, "prize"), channel_ids=fields(form, "channel_ids"),
            questions=questions_from(ctx, form), winners=_number(field(form, "winners"), "Winners", 1) or 1,
            reserves=_number(field(form, "reserves"), "Reserves", 0) or 0, pick=field(form, "pick") or "ranked",
            languages=fields(form, "languages") or None)
        created.append(quiz.id)
        return [f"Quiz created; its questions are scheduled. Publish its commitment: {quiz.commitment}"]

    response = act(ctx, run, back=ws_url(ctx, "/quizzes"))
    if created:
        response.headers["location"] = ws_url(ctx, f"/quizzes/{created[0]}")
    return response


@router.get("/w/{workspace_id}/quizzes/{quiz_id}", response_class=HTMLResponse)
@requires(Permission.INBOX_READ)
def quiz_page(request: Request, quiz_id: str, ctx: Ctx) -> HTMLResponse:
    view = quizzes.view(ctx, quiz_id)
    votes = {q.id: quizzes.poll_votes(ctx, q) for q in view.questions if q.options}
    languages = view.quiz.languages or list(grading.LANGUAGES)
    return render(request, "quiz.html", ctx=ctx, section="quizzes", view=view, votes=votes,
                  read_as=lambda text: " ".join(grading.normalise(text, languages)),
                  letters=quizzes.LETTERS, record=view.quiz.record or {},
                  frozen=_thawed(view.quiz.leaderboard) if view.quiz.finished_at else None)


def _thawed(rows: list[dict[str, object]] | None) -> list[dict[str, object]]:
    """The frozen leaderboard with its times as times again."""
    return [{**r, "first_correct_at": datetime.fromisoformat(str(r["first_correct_at"]))
             if r.get("first_correct_at") else None} for r in rows or []]


@router.post("/w/{workspace_id}/quizzes/{quiz_id}/finish")
@requires(Permission.POSTS_WRITE)
def finish_quiz(quiz_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        quiz = quizzes.finish(ctx, quiz_id, field(form, "public_value"))
        return [f"Finished: {len((quiz.record or {}).get('winners', []))} winner(s). Download the record for "
                "anyone to verify."]

    return act(ctx, run, back=ws_url(ctx, f"/quizzes/{quiz_id}"))


@router.get("/w/{workspace_id}/quizzes/{quiz_id}/record.json")
@requires(Permission.INBOX_READ)
def export_quiz(quiz_id: str, ctx: Ctx) -> Response:
    record = quizzes.export(ctx, quiz_id)
    return Response(json.dumps(record, indent=2, ensure_ascii=False), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="quiz-{quiz_id}.json"'})
