"""The demo's running quiz, published thread and poll post (demo._run_quiz_thread_and_poll), on a fresh demo
workspace without its four weeks of history (the recording is rebuilt from the same code)."""

from __future__ import annotations

from sqlalchemy import select

from socialdesk import demo
from socialdesk.content.models import Post, Publication, PublicationStep
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.quizzes import service as quizzes
from socialdesk.quizzes.models import Quiz
from socialdesk.workspaces.service import system_context


def test_the_demo_has_a_running_quiz_a_thread_and_a_poll(database: Database, clock: ManualClock) -> None:
    workspace_id = demo._create_workspace(database)
    now = clock.now()
    demo._run_quiz_thread_and_poll(database, workspace_id, clock, now)
    assert clock.now() == now
    with database.read_sessions() as session:
        ctx = system_context(session, workspace_id)
        quiz = session.scalars(select(Quiz).where(Quiz.workspace_id == workspace_id)).one()
        view = quizzes.view(ctx, quiz.id)
        assert view.state == "running"
        first, _second, third = view.questions
        assert first.options and first.correct_option == 0 and third.options
        answered = [a for a in view.answers[first.id] if a.counted]
        assert answered, "the sandbox audience answers a question whose choices are listed"
        assert view.leaderboard and all(r.score >= 1 for r in view.leaderboard)
        thread = session.scalars(select(Post).where(Post.workspace_id == workspace_id,
                                                    Post.text.like("How we roast%"))).one()
        pubs = list(session.scalars(select(Publication).where(Publication.post_id == thread.id)))
        assert pubs and {p.status for p in pubs} == {"published"}
        steps = list(session.scalars(select(PublicationStep).where(
            PublicationStep.publication_id.in_([p.id for p in pubs]))))
        assert steps and {s.status for s in steps} == {"published"}
        poll = session.scalars(select(Post).where(Post.workspace_id == workspace_id,
                                                  Post.text.like("Which should be our winter%"))).one()
        assert poll.extras and poll.extras["poll"]["options"][0] == "Gingerbread latte"
        assert {p.status for p in session.scalars(select(Publication).where(Publication.post_id == poll.id))} == {
            "published"}
