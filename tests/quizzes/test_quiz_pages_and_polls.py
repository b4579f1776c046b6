"""Quiz pages (list, create, a quiz's questions with graded answers, leaderboard, finish, record) and
multiple-choice questions posted as native (quiz) polls where the network has them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.quizzes import service as quizzes
from socialdesk.quizzes.models import QuizQuestion
from tests.helpers import World, make_world
from tests.quizzes.test_quizzes import quiz  # noqa: F401  (the fixture)


def _question(start: datetime, **kw: object) -> quizzes.QuestionIn:
    return quizzes.QuestionIn("Which bean is most grown?", kw.pop("answers", []), start,  # type: ignore[arg-type]
                              start + timedelta(hours=2), **kw)  # type: ignore[arg-type]


def test_a_multiple_choice_question_is_a_telegram_quiz_poll_and_listed_text_elsewhere() -> None:
    start = datetime(2027, 1, 4, 9, 0).astimezone()
    telegram = Channel(id="t", network="telegram", settings={}, name="TG")
    mastodon = Channel(id="m", network="sandbox", settings={"profile": "mastodon"}, name="M")
    instagram = Channel(id="i", network="sandbox", settings={"profile": "instagram"}, name="I")
    post = quizzes.question_post(_question(start, options=["Arabica", "Robusta"], correct_option=0),
                                 [telegram, mastodon, instagram], due_now=False)
    assert post.poll is not None and post.poll.options == ["Arabica", "Robusta"]
    assert post.poll.expires_in_seconds == 2 * 3600
    assert post.variants["t"].options == {"quiz_answer": 1}  # Telegram: a quiz poll marking the right choice
    assert "m" not in post.variants  # a plain poll on Mastodon
    assert post.variants["i"].no_poll and post.variants["i"].text and "B) Robusta" in post.variants["i"].text
    listed = quizzes.question_post(_question(start, options=["Arabica", "Robusta"], correct_option=0, as_poll=False),
                                   [telegram, mastodon], due_now=False)
    assert listed.poll is None and "A) Arabica\nB) Robusta" in listed.text and not listed.variants
    open_question = quizzes.question_post(_question(start, answers=["arabica"]), [telegram], due_now=False)
    assert open_question.poll is None


def test_choices_need_a_right_one(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("mastodon",))
    start = clock.now() + timedelta(hours=1)
    with database.unit_of_work() as session:
        with pytest.raises(ValidationFailed, match="say which of its 2 choices"):
            quizzes.create(world.ctx(session), name="Q", channel_ids=[world.channels["mastodon"]],
                           questions=[_question(start, options=["Arabica", "Robusta"])])
        with pytest.raises(ValidationFailed, match="2 to 10 choices"):
            quizzes.create(world.ctx(session), name="Q", channel_ids=[world.channels["mastodon"]],
                           questions=[_question(start, options=["Arabica"], correct_option=0)])


def test_a_poll_question_accepts_the_right_letter_or_text_in_comments(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("mastodon", "bluesky"))
    start = clock.now() + timedelta(hours=1)
    with database.unit_of_work() as session:
        made = quizzes.create(world.ctx(session), name="Beans", channel_ids=list(world.channels.values()),
                              questions=[_question(start, options=["Arabica", "Robusta"], correct_option=1)])
        question = session.scalars(select(QuizQuestion).where(QuizQuestion.quiz_id == made.id)).one()
        assert question.options == ["Arabica", "Robusta"] and question.correct_option == 1
        assert set(question.answers) == {"Robusta", "B"}
        post = session.get(Post, question.post_id)
        assert post is not None and post.extras and post.extras["poll"]["options"] == ["Arabica", "Robusta"]
        by_channel = {p.channel_id: p for p in session.scalars(select(Publication).where(
            Publication.post_id == post.id))}
        assert "B) Robusta" in (by_channel[world.channels["bluesky"]].variant_text or "")
        # The poll's votes, summed over its channels, as the quiz page shows them.
        from socialdesk.analytics.models import PublicationMetricSnapshot

        for publication, votes in ((by_channel[world.channels["mastodon"]], [3, 9]),
                                   (by_channel[world.channels["bluesky"]], None)):
            session.add(PublicationMetricSnapshot(workspace_id=world.workspace_id, publication_id=publication.id,
                                                  collected_at=clock.now(), poll_votes=votes))
        session.flush()
        assert quizzes.poll_votes(world.ctx(session), question) == [("Arabica", 3, 25), ("Robusta", 9, 75)]


def test_the_quiz_pages_show_graded_answers_and_the_leaderboard_and_finish(
        database: Database, clock: ManualClock, quiz: tuple[World, str, datetime]) -> None:  # noqa: F811
    from tests.web_client import signed_in_client

    world, quiz_id, _ = quiz
    client, csrf = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    listed = client.get(f"{w}/quizzes")
    assert listed.status_code == 200 and "Coffee quiz" in listed.text and "Start a quiz" in listed.text
    page = client.get(f"{w}/quizzes/{quiz_id}")
    assert page.status_code == 200
    assert "Leaderboard" in page.text and "not counted: late" in page.text and "Osamnaest!" in page.text
    assert page.text.index(">ben<") < page.text.index(">ana<")  # ties: the earliest right answer first
    assert client.post(f"{w}/quizzes/{quiz_id}/finish", data={"csrf_token": csrf}).status_code == 303
    assert "The last question closes" in client.get(f"{w}/quizzes/{quiz_id}").text  # too early: said so
    clock.advance(timedelta(hours=3))
    assert client.post(f"{w}/quizzes/{quiz_id}/finish", data={"csrf_token": csrf}).status_code == 303
    final = client.get(f"{w}/quizzes/{quiz_id}")
    assert "Winners" in final.text and "quiz verify" in final.text
    record = client.get(f"{w}/quizzes/{quiz_id}/record.json").json()
    assert quizzes.verify(record) == [] and record["winners"] == ["sandbox:id-ben"]
    viewer, _ = signed_in_client(database, world.users["viewer"])
    assert "Start a quiz" not in viewer.get(f"{w}/quizzes").text
    assert viewer.post(f"{w}/quizzes/{quiz_id}/finish", data={}).status_code == 403


def test_a_quiz_is_created_from_the_page_and_bad_input_is_explained(database: Database, clock: ManualClock) -> None:
    from tests.web_client import signed_in_client

    world = make_world(database, profiles=("mastodon",))
    client, csrf = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    form = {"csrf_token": csrf, "name": "Page quiz", "prize": "Mugs", "channel_ids": world.channels["mastodon"],
            "q1_text": "How many grams?", "q1_answers": "18; eighteen", "q1_opens": "2026-03-10T09:00",
            "q1_closes": "2026-03-10T11:00", "q2_text": "Which bean?", "q2_options": "Arabica\nRobusta",
            "q2_correct": "1", "q2_poll": "1", "q2_opens": "2026-03-11T09:00", "q2_closes": "2026-03-11T11:00",
            "winners": "1", "pick": "ranked", "languages": ["hr", "en"]}
    made = client.post(f"{w}/quizzes", data=form)
    assert made.status_code == 303 and "/quizzes/" in made.headers["location"]
    page = client.get(made.headers["location"])
    assert "How many grams?" in page.text and "A) Arabica ✓" in page.text
    bad = client.post(f"{w}/quizzes", data={**form, "q2_correct": "first"})
    assert bad.status_code == 303
    assert "whole number" in client.get(bad.headers["location"]).text
