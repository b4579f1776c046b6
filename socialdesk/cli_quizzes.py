"""`socialdesk quiz …`: questions posted on a schedule, answers graded from comments (docs/quizzes.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from socialdesk.cli import WorkspaceOpt, _channel_ids, _context, _table, console
from socialdesk.cli_contests import _moment
from socialdesk.cli_help import PlainHelpGroup

quiz_app = typer.Typer(help="Quizzes: questions on a schedule, answers graded from comments, a leaderboard.",
                       no_args_is_help=True, cls=PlainHelpGroup)
QuizArg = Annotated[str, typer.Argument(help="The quiz's id (see `socialdesk quiz list`)")]


@quiz_app.command("create")
def quiz_create(workspace: WorkspaceOpt,
                file: Annotated[Path, typer.Option(help="The quiz as JSON: {name, prize, channels: [...], questions: "
                                                        "[{text, answers: [...], opens, closes, points, "
                                                        "options: [...], correct: 1, poll: true}], winners, "
                                                        "reserves, pick: ranked|drawn, languages: [hr, en, de]}; "
                                                        "times 'YYYY-MM-DD HH:MM' in the workspace's zone")]) -> None:
    """Create a quiz and schedule its questions as posts; prints its id and the commitment to publish."""
    from socialdesk.core.errors import ValidationFailed
    from socialdesk.quizzes import service

    try:
        spec = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationFailed(f"{file}: not a readable JSON file ({exc}).") from None
    with _context(workspace) as ctx:
        tz = ctx.workspace.timezone
        try:
            questions = [service.QuestionIn(
                text=str(q["text"]), answers=[str(a) for a in q.get("answers") or []],
                points=int(q.get("points", 1)), opens_at=_moment(str(q["opens"]), "opens", tz),
                closes_at=_moment(str(q["closes"]), "closes", tz), options=[str(o) for o in q.get("options") or []],
                correct_option=int(q["correct"]) - 1 if q.get("correct") not in (None, "") else None,
                as_poll=bool(q.get("poll", True)))
                for q in spec.get("questions") or []]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed(f"Each question needs text, answers, opens and closes (missing {exc}).") from None
        quiz = service.create(ctx, name=str(spec.get("name") or ""), prize=str(spec.get("prize") or ""),
                              channel_ids=_channel_ids(ctx, list(spec.get("channels") or [])), questions=questions,
                              winners=int(spec.get("winners", 1)), reserves=int(spec.get("reserves", 0)),
                              pick=str(spec.get("pick") or "ranked"), languages=spec.get("languages"))
        console.print(f"Created quiz {quiz.id} with {len(questions)} question(s). Its commitment: {quiz.commitment}",
                      highlight=False, soft_wrap=True)


@quiz_app.command("list")
def quiz_list(workspace: WorkspaceOpt,
              as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """A workspace's quizzes, newest first."""
    from socialdesk.quizzes import service

    with _context(workspace) as ctx:
        rows = []
        for quiz in service.list_quizzes(ctx):
            current = service.view(ctx, quiz.id)
            rows.append({"id": quiz.id, "name": quiz.name, "state": current.state, "questions": len(current.questions),
                         "pick": quiz.pick, "leader": current.leaderboard[0].handle if current.leaderboard else None,
                         "commitment": quiz.commitment})
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = _table("id", "name", "state", "questions", "leader")
    for row in rows:
        table.add_row(row["id"], row["name"], row["state"], str(row["questions"]), row["leader"] or "")
    console.print(table)


@quiz_app.command("show")
def quiz_show(quiz_id: QuizArg, workspace: WorkspaceOpt,
              as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """The questions with their answers as graded, and the leaderboard."""
    from socialdesk.quizzes import service

    with _context(workspace) as ctx:
        record = service.export(ctx, quiz_id)
    record.pop("seed", None)
    if as_json:
        print(json.dumps(record, indent=2, ensure_ascii=False))
        return
    console.print(f"[bold]{record['quiz']['name']}[/bold] {record['state']}", highlight=False)
    for question in record["questions"]:
        counted = [a for a in question["answers"] if a["counted"]]
        right = sum(1 for a in counted if a["correct"])
        console.print(f"{question['position']}. {question['text']}  ({right} right of {len(counted)}, "
                      f"{len(question['answers']) - len(counted)} not counted)", highlight=False, soft_wrap=True)
    table = _table("#", "who", "network", "score", "first right answer")
    for rank, row in enumerate(record["leaderboard"], start=1):
        table.add_row(str(rank), row["handle"], row["network"], str(row["score"]), row["first_correct_at"] or "")
    console.print(table)
    if record.get("winners"):
        console.print(f"Winners: {', '.join(record['winners'])}", highlight=False)


@quiz_app.command("finish")
def quiz_finish(quiz_id: QuizArg, workspace: WorkspaceOpt,
                public_value: Annotated[str, typer.Option(help="A public random value for a drawn quiz")] = "") -> None:
    """Freeze the leaderboard and pick the winners (after the last question closed)."""
    from socialdesk.quizzes import service

    with _context(workspace) as ctx:
        quiz = service.finish(ctx, quiz_id, public_value)
        console.print(f"Winners: {', '.join((quiz.record or {}).get('winners', []))}", highlight=False)


@quiz_app.command("export")
def quiz_export(quiz_id: QuizArg, workspace: WorkspaceOpt,
                out: Annotated[Path, typer.Option(help="Where to write the record (JSON)")]) -> None:
    """Write the quiz's whole record: every answer as graded, the leaderboard, the seed and the winners."""
    from socialdesk.quizzes import service

    with _context(workspace) as ctx:
        record = service.export(ctx, quiz_id)
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    console.print(f"Wrote {out}", highlight=False, soft_wrap=True)


@quiz_app.command("verify")
def quiz_verify(file: Annotated[Path, typer.Argument(help="A record written by `quiz export`")]) -> None:
    """Regrade every answer and rebuild the leaderboard and the winners from the file alone; exit 1 on a mismatch."""
    from socialdesk.quizzes import service

    record = json.loads(file.read_text(encoding="utf-8"))
    problems = service.verify(record)
    for problem in problems:
        console.print(f"MISMATCH {problem}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    console.print(f"OK: {sum(len(q['answers']) for q in record.get('questions') or [])} answers regraded; the "
                  "leaderboard and the winners match", highlight=False)
