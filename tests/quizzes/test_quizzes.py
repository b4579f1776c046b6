"""Quizzes through the service and the CLI: questions posted on schedule, answers from comments, a
leaderboard with ties broken by time, late answers left out, winners ranked or drawn, export and verify."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.channels.models import Channel
from socialdesk.cli import app as cli
from socialdesk.contests import draw
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.inbox.service import store_incoming
from socialdesk.jobs.runner import Runner
from socialdesk.networks.base import IncomingItem, IncomingKind
from socialdesk.quizzes import service as quizzes
from socialdesk.quizzes.models import QuizQuestion
from tests.helpers import World, make_world

runner = CliRunner()


def _comment(database: Database, world: World, question: int, quiz_id: str, who: str, text: str,
             at: datetime, n: int) -> None:
    from socialdesk.content.models import Publication

    with database.unit_of_work() as session:
        q = session.scalars(select(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id,
                                                       QuizQuestion.position == question)).one()
        publication = session.scalars(select(Publication).where(Publication.post_id == q.post_id)).one()
        channel = session.get(Channel, publication.channel_id)
        assert channel is not None and publication.external_id
        store_incoming(session, channel, [IncomingItem(
            external_id=f"c{n}", kind=IncomingKind.COMMENT, text=text, created_at=at, author_external_id=f"id-{who}",
            author_handle=who, post_external_id=publication.external_id, url=f"sandbox://x#{n}")])


@pytest.fixture
def quiz(database: Database, clock: ManualClock) -> tuple[World, str, datetime]:
    world = make_world(database, profiles=("mastodon",))
    start = clock.now() + timedelta(hours=1)
    with database.unit_of_work() as session:
        made = quizzes.create(world.ctx(session), name="Coffee quiz", channel_ids=[world.channels["mastodon"]],
                              prize="A bag of beans", winners=1, reserves=1, questions=[
                                  quizzes.QuestionIn("Q1: How many grams in a double espresso?", ["18"], start,
                                                     start + timedelta(hours=2)),
                                  quizzes.QuestionIn("Q2: Capital of Ethiopia?", ["Addis Ababa", "Adis Abeba"],
                                                     start + timedelta(days=1),
                                                     start + timedelta(days=1, hours=2), points=2)])
    runner_ = Runner(database)
    clock.advance(timedelta(hours=1))
    runner_.run_pending()
    clock.advance(timedelta(days=1))
    runner_.run_pending()
    q1, q2 = start, start + timedelta(days=1)
    _comment(database, world, 1, made.id, "ana", "Osamnaest!", q1 + timedelta(minutes=3), 1)
    _comment(database, world, 1, made.id, "ben", "eighteen", q1 + timedelta(minutes=1), 2)
    _comment(database, world, 1, made.id, "cleo", "20", q1 + timedelta(minutes=2), 3)
    _comment(database, world, 1, made.id, "cleo", "18", q1 + timedelta(minutes=4), 4)  # a second guess: ignored
    _comment(database, world, 1, made.id, "dora", "achtzehn", q1 + timedelta(hours=3), 5)  # late
    _comment(database, world, 2, made.id, "ana", "adis abeba", q2 + timedelta(minutes=5), 6)
    _comment(database, world, 2, made.id, "ben", "ADDIS ABABA", q2 + timedelta(minutes=9), 7)
    _comment(database, world, 2, made.id, "cleo", "Addis Ababa", q2 + timedelta(minutes=1), 8)
    return world, made.id, start


def test_answers_are_graded_and_ties_go_to_the_earliest_first_right_answer(database: Database, clock: ManualClock,
                                                                         quiz: tuple[World, str, datetime]) -> None:
    world, quiz_id, _ = quiz
    with database.read_sessions() as session:
        current = quizzes.view(world.ctx(session), quiz_id)
    assert current.state == "running"
    assert len(current.questions) == 2 and all(q.post_id for q in current.questions)
    board = [(r.handle, r.score) for r in current.leaderboard]
    # ana and ben have 3 points each; ben's first right answer came earlier. cleo's second guess does not count.
    assert board == [("ben", 3), ("ana", 3), ("cleo", 2)]
    late = [a for a in current.answers[current.questions[0].id] if a.handle == "dora"]
    assert late and not late[0].counted and late[0].why_not == "late" and late[0].correct
    again = [a for a in current.answers[current.questions[0].id] if a.handle == "cleo"]
    assert [a.why_not for a in again] == ["", "only the first answer counts"]


def test_a_ranked_quiz_finishes_once_and_its_record_verifies(database: Database, clock: ManualClock,
                                                             quiz: tuple[World, str, datetime],
                                                             tmp_path: Path) -> None:
    world, quiz_id, _ = quiz
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="closes"):
        quizzes.finish(world.ctx(session), quiz_id)
    clock.advance(timedelta(hours=3))
    with database.unit_of_work() as session:
        finished = quizzes.finish(world.ctx(session), quiz_id)
        assert finished.record and finished.record["winners"] == ["sandbox:id-ben"]
        assert finished.record["reserves"] == ["sandbox:id-ana"]
    with database.unit_of_work() as session, pytest.raises(Conflict):
        quizzes.finish(world.ctx(session), quiz_id)
    with database.read_sessions() as session:
        record = quizzes.export(world.ctx(session), quiz_id)
    assert quizzes.verify(record) == []
    path = tmp_path / "quiz.json"
    path.write_text(json.dumps(record))
    assert runner.invoke(cli, ["quiz", "verify", str(path)]).exit_code == 0
    # Tampering: a wrong answer marked right, or another winner, is caught and named.
    forged = json.loads(json.dumps(record))
    next(a for a in forged["questions"][0]["answers"] if a["text"] == "20")["correct"] = True  # cleo's guess
    assert any("grades as wrong" in p for p in quizzes.verify(forged))
    forged = json.loads(json.dumps(record))
    forged["winners"] = ["sandbox:id-ana"]
    assert any(p.startswith("winners") for p in quizzes.verify(forged))
    path.write_text(json.dumps(forged))
    result = runner.invoke(cli, ["quiz", "verify", str(path)])
    assert result.exit_code == 1 and "MISMATCH winners" in result.output


def test_a_drawn_quiz_draws_among_the_best_scores_and_the_stand_alone_verifier_agrees(
        database: Database, clock: ManualClock, quiz: tuple[World, str, datetime]) -> None:
    world, quiz_id, _ = quiz
    with database.unit_of_work() as session:
        from socialdesk.quizzes.models import Quiz

        found = session.get(Quiz, quiz_id)
        assert found is not None
        found.pick, found.reserves_count = "drawn", 0
    clock.advance(timedelta(hours=3))
    with database.unit_of_work() as session:
        finished = quizzes.finish(world.ctx(session), quiz_id, public_value="drand 123: abcdef")
        assert finished.record is not None
        assert {e["id"] for e in finished.record["entrants"]} == {"sandbox:id-ana", "sandbox:id-ben"}
    with database.read_sessions() as session:
        record = quizzes.export(world.ctx(session), quiz_id)
    assert quizzes.verify(record) == [] and draw.verify(record) == []
    record["seed"] = "00" * 32
    assert any(p.startswith("commitment") for p in quizzes.verify(record))


def test_a_quiz_from_a_file_on_the_command_line(database: Database, clock: ManualClock, tmp_path: Path) -> None:
    def ok(*args: str) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    ok("user", "create", "--email", "qa@example.com", "--password", "long enough password")
    ok("workspace", "create", "--name", "Qz", "--owner", "qa@example.com", "--timezone", "Europe/Zagreb")
    ok("channel", "add", "sandbox", "-w", "Qz", "--name", "Qz masto", "--handle", "qz.masto", "--profile", "mastodon")
    spec = {"name": "Friday quiz", "channels": ["Qz masto"], "pick": "ranked", "questions": [
        {"text": "Koliko je 3 × 7?", "answers": ["21"], "opens": "2030-01-04 18:00", "closes": "2030-01-04 20:00"},
        {"text": "Glavni grad Njemačke?", "answers": ["Berlin"], "opens": "2030-01-05 18:00",
         "closes": "2030-01-05 20:00"}]}
    file = tmp_path / "quiz.json"
    file.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    assert "Created quiz" in ok("quiz", "create", "-w", "Qz", "--file", str(file))
    rows = json.loads(ok("quiz", "list", "-w", "Qz", "--json"))
    assert rows[0]["name"] == "Friday quiz" and rows[0]["state"] == "upcoming" and rows[0]["questions"] == 2
    assert "Koliko je 3 × 7?" in ok("quiz", "show", rows[0]["id"], "-w", "Qz")
    posts = ok("post", "list", "-w", "Qz")
    assert posts.count("scheduled") >= 2


def test_a_comment_naming_no_choice_is_not_an_answer_and_keeps_the_persons_answer(database: Database,
                                                                                  clock: ManualClock) -> None:
    world = make_world(database, profiles=("mastodon",))
    start = clock.now() + timedelta(hours=1)
    with database.unit_of_work() as session:
        made = quizzes.create(world.ctx(session), name="Origins", channel_ids=[world.channels["mastodon"]], questions=[
            quizzes.QuestionIn("Where was coffee first grown?", [], start, start + timedelta(hours=2),
                               options=["Ethiopia", "Brazil", "Colombia"], correct_option=0, as_poll=False)])
    clock.advance(timedelta(hours=1))
    Runner(database).run_pending()
    off_topic_text = "Why is nobody answering my messages??"
    _comment(database, world, 1, made.id, "ana", off_topic_text, start + timedelta(minutes=1), 1)
    _comment(database, world, 1, made.id, "ana", "Etiopija? No: Ethiopia!", start + timedelta(minutes=2), 2)
    _comment(database, world, 1, made.id, "ben", "b", start + timedelta(minutes=3), 3)
    _comment(database, world, 1, made.id, "cleo", "Brazil 🤔", start + timedelta(minutes=4), 4)
    with database.read_sessions() as session:
        view = quizzes.view(world.ctx(session), made.id)
    answers = {(a.handle, a.text): a for a in view.answers[view.questions[0].id]}
    off_topic = answers[("ana", off_topic_text)]
    assert not off_topic.counted and off_topic.why_not == "not an answer: names none of the choices"
    assert answers[("ana", "Etiopija? No: Ethiopia!")].counted and answers[("ana", "Etiopija? No: Ethiopia!")].correct
    assert answers[("ben", "b")].counted and not answers[("ben", "b")].correct
    assert answers[("cleo", "Brazil 🤔")].counted and not answers[("cleo", "Brazil 🤔")].correct
    assert [row.handle for row in view.leaderboard if row.score] == ["ana"]
