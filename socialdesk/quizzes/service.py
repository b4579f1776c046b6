"""Quizzes: questions posted on a schedule, answers read from comments, graded, a leaderboard, and winners
ranked or drawn with the contests' verifiable draw (contests/draw.py), exported and verified the same way.

Rules (docs/quizzes.md):
- Each question is a post on the quiz's channels, scheduled at its opening time; people answer in comments.
- A person is one account on one network (as for contests); a person's FIRST comment under a question is their
  answer (a later one does not replace it, so guessing in several comments gains nothing). A comment after the
  question closed is late and not counted; the brand's own accounts and comments triaged as spam are left out.
- Grading: grading.is_correct (case, accents and number words in the quiz's languages do not matter).
- Leaderboard: points of the correct answers; ties broken by the time of the person's first correct answer
  (earlier first), then by id.
- Winners: `ranked` takes the leaderboard's top ones (reserves after them); `drawn` draws among everyone with
  the best score, with the seed committed to at creation, exactly as a contest's draw.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.contests import draw
from socialdesk.core import clock
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.inbox.models import InboxItem
from socialdesk.networks.base import IncomingKind
from socialdesk.quizzes import grading
from socialdesk.quizzes.models import Quiz, QuizQuestion
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

PICKS = ("ranked", "drawn")
MAX_QUESTIONS = 50
SPAM_THRESHOLD = 0.8


@dataclass(frozen=True)
class QuestionIn:
    text: str
    answers: list[str]
    opens_at: datetime
    closes_at: datetime
    points: int = 1
    options: list[str] = field(default_factory=list)  # choices of a multiple-choice question (2 to 10)
    correct_option: int | None = None  # 0-based: which choice is right (needed with options)
    # Choices as a native poll where the network has one; False: listed in the text everywhere, so people
    # answer in comments (a channel's poll votes are anonymous: only comments reach the leaderboard).
    as_poll: bool = True


@dataclass
class Answer:
    person: str  # "network:author id"
    handle: str
    network: str
    text: str
    at: datetime
    url: str
    correct: bool
    counted: bool  # False: late, a later comment of the same person, the brand's own or spam
    why_not: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}


@dataclass
class Standing:
    id: str
    handle: str
    network: str
    entry_url: str  # the first correct answer's link
    score: int = 0
    correct: int = 0
    first_correct_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "first_correct_at": self.first_correct_at.isoformat() if self.first_correct_at
                else None}


@dataclass(frozen=True)
class QuizView:
    quiz: Quiz
    state: str  # upcoming, running, closed (waiting to be finished), finished
    questions: list[QuizQuestion]
    answers: dict[str, list[Answer]] = field(default_factory=dict)  # question id -> answers
    leaderboard: list[Standing] = field(default_factory=list)


def create(ctx: WorkspaceContext, *, name: str, channel_ids: list[str], questions: list[QuestionIn], prize: str = "",
           winners: int = 1, reserves: int = 0, pick: str = "ranked", languages: list[str] | None = None) -> Quiz:
    """Create the quiz and schedule one post per question on its channels."""
    ctx.require(Permission.POSTS_WRITE)
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("Give the quiz a name.")
    if pick not in PICKS:
        raise ValidationFailed("Winners are 'ranked' (the best scores) or 'drawn' (among the best scores).")
    if not channel_ids:
        raise ValidationFailed("Choose the channel (or channels) the questions go to.")
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise ValidationFailed(f"A quiz has 1 to {MAX_QUESTIONS} questions.")
    if not 1 <= winners <= 1000 or not 0 <= reserves <= 1000:
        raise ValidationFailed("1 to 1000 winners and 0 to 1000 reserves.")
    languages = [lang for lang in (languages or list(grading.LANGUAGES)) if lang]
    unknown = set(languages) - set(grading.LANGUAGES)
    if unknown:
        raise ValidationFailed(f"Number words are understood in {', '.join(grading.LANGUAGES)}; not in "
                               f"{', '.join(sorted(unknown))}.")
    for index, question in enumerate(questions, start=1):
        _check_options(index, question)
        if not question.text.strip() or not (
                [a for a in question.answers if a.strip()] or [o for o in question.options if o.strip()]):
            raise ValidationFailed(f"Question {index} needs its text and at least one accepted answer (or choices).")
        if question.opens_at.tzinfo is None or question.closes_at.tzinfo is None:
            raise ValidationFailed(f"Question {index}: give its times with a time zone.")
        if question.closes_at <= question.opens_at:
            raise ValidationFailed(f"Question {index} must close after it is posted.")
        if not 1 <= question.points <= 100:
            raise ValidationFailed(f"Question {index}: 1 to 100 points.")
    seed = secrets.token_hex(32)
    quiz = Quiz(workspace_id=ctx.workspace_id, name=name[:200], prize=prize.strip(), channel_ids=list(channel_ids),
                languages=languages, winners_count=winners, reserves_count=reserves, pick=pick,
                seed_encrypted=encrypt_json({"seed": seed}), commitment=draw.commitment(seed),
                created_by=ctx.actor.user_id)
    ctx.session.add(quiz)
    ctx.session.flush()
    now = clock.now()
    targets = list(ctx.session.scalars(ctx.select(Channel).where(Channel.id.in_(list(channel_ids)))))
    for position, question in enumerate(sorted(questions, key=lambda q: q.opens_at), start=1):
        due_now = question.opens_at <= now
        post = content.compose(ctx, question_post(question, targets, due_now)).post
        options = [o.strip() for o in question.options if o.strip()] or None
        answers = [a.strip() for a in question.answers if a.strip()]
        if options and question.correct_option is not None:
            # A comment answer may be the right choice's letter, number or text.
            answers = list(dict.fromkeys([*answers, options[question.correct_option],
                                          LETTERS[question.correct_option]]))
        ctx.session.add(QuizQuestion(quiz_id=quiz.id, position=position, text=question.text.strip(),
                                     answers=answers, points=question.points, opens_at=question.opens_at,
                                     closes_at=question.closes_at, post_id=post.id, options=options,
                                     correct_option=question.correct_option if options else None))
    audit.record(ctx, "quiz.created", "quiz", quiz.id, f"Quiz {name} created with {len(questions)} question(s); "
                 f"commitment {quiz.commitment}", commitment=quiz.commitment)
    ctx.session.flush()
    return quiz


LETTERS = "ABCDEFGHIJ"
POLL_SECONDS = (5 * 60, 30 * 24 * 3600)  # how long a native poll can stay open (the composer's limits)


def _check_options(index: int, question: QuestionIn) -> None:
    options = [o.strip() for o in question.options if o.strip()]
    if not options:
        if question.correct_option is not None:
            raise ValidationFailed(f"Question {index}: a correct choice needs the choices.")
        return
    if not 2 <= len(options) <= len(LETTERS):
        raise ValidationFailed(f"Question {index}: a multiple-choice question has 2 to {len(LETTERS)} choices.")
    if question.correct_option is None or not 0 <= question.correct_option < len(options):
        raise ValidationFailed(f"Question {index}: say which of its {len(options)} choices is right (1 to "
                               f"{len(options)}).")


def question_post(question: QuestionIn, targets: list[Channel], due_now: bool) -> PostIn:
    """The post of a question: a native quiz poll on channels whose network has polls (Telegram marks the
    right choice: a quiz poll), elsewhere — and on every channel for an open question — the text with its
    choices listed "A) …" for people to answer in comments."""
    from socialdesk.channels import service as channels
    from socialdesk.content.schemas import PollIn, VariantIn

    text = question.text.strip()
    options = [o.strip() for o in question.options if o.strip()]
    when = {"scheduled_at": None if due_now else question.opens_at,
            "intent": Intent.PUBLISH_NOW if due_now else Intent.SCHEDULE}
    if not options:
        return PostIn(text=text, channel_ids=[c.id for c in targets], **when)
    listed = text + "\n\n" + "\n".join(f"{LETTERS[i]}) {o}" for i, o in enumerate(options))
    if not question.as_poll:
        return PostIn(text=listed, channel_ids=[c.id for c in targets], **when)
    seconds = int((question.closes_at - question.opens_at).total_seconds())
    poll = PollIn(options=options, expires_in_seconds=min(max(seconds, POLL_SECONDS[0]), POLL_SECONDS[1]))
    variants: dict[str, VariantIn] = {}
    for channel in targets:
        caps = channels.capabilities(channel)
        if not caps.polls or len(options) > caps.poll_max_options or \
                any(len(o) > caps.poll_option_length for o in options):
            variants[channel.id] = VariantIn(text=listed, no_poll=True)
        elif any(o.name == "quiz_answer" for o in caps.options):
            variants[channel.id] = VariantIn(options={"quiz_answer": (question.correct_option or 0) + 1})
    return PostIn(text=text, channel_ids=[c.id for c in targets], poll=poll, variants=variants, **when)


def poll_votes(ctx: WorkspaceContext, question: QuizQuestion) -> list[tuple[str, int, int]]:
    """A native quiz poll's votes per choice, summed over its channels: [(choice, votes, share %)]."""
    from socialdesk.analytics import service as analytics

    if not question.options or question.post_id is None:
        return []
    ids = list(ctx.session.scalars(select(Publication.id).where(Publication.post_id == question.post_id)))
    totals = [0] * len(question.options)
    for latest in analytics.latest_for_publications(ctx, ids).values():
        for i, n in enumerate(latest.poll_votes or []):
            if i < len(totals) and n:
                totals[i] += int(n)
    whole = sum(totals)
    return [(o, totals[i], round(100 * totals[i] / whole) if whole else 0) for i, o in enumerate(question.options)]


def list_quizzes(ctx: WorkspaceContext) -> list[Quiz]:
    ctx.require(Permission.INBOX_READ)
    return list(ctx.session.scalars(select(Quiz).where(Quiz.workspace_id == ctx.workspace_id)
                                    .order_by(Quiz.created_at.desc())))


def _questions(ctx: WorkspaceContext, quiz: Quiz) -> list[QuizQuestion]:
    return list(ctx.session.scalars(select(QuizQuestion).where(QuizQuestion.quiz_id == quiz.id)
                                    .order_by(QuizQuestion.position)))


def state_of(quiz: Quiz, questions: list[QuizQuestion], now: datetime | None = None) -> str:
    now = now or clock.now()
    if quiz.finished_at is not None:
        return "finished"
    if not questions or now < min(q.opens_at for q in questions):
        return "upcoming"
    return "running" if now < max(q.closes_at for q in questions) else "closed"


def view(ctx: WorkspaceContext, quiz_id: str) -> QuizView:
    ctx.require(Permission.INBOX_READ)
    quiz = ctx.get(Quiz, quiz_id, what="quiz")
    questions = _questions(ctx, quiz)
    answers = {q.id: _answers(ctx, quiz, q) for q in questions}
    return QuizView(quiz, state_of(quiz, questions), questions, answers,
                    leaderboard(questions, answers))


def _answers(ctx: WorkspaceContext, quiz: Quiz, question: QuizQuestion) -> list[Answer]:
    if question.post_id is None:
        return []
    publications = {p.id: p for p in ctx.session.scalars(select(Publication).where(
        Publication.post_id == question.post_id))}
    if not publications:
        return []
    channels = {c.id: c for c in ctx.session.scalars(select(Channel).where(
        Channel.id.in_([p.channel_id for p in publications.values()])))}
    own = {(c.network, c.external_id) for c in channels.values()}
    items = ctx.session.scalars(select(InboxItem).where(
        InboxItem.workspace_id == ctx.workspace_id, InboxItem.publication_id.in_(list(publications)),
        InboxItem.kind == IncomingKind.COMMENT, InboxItem.deleted_at.is_(None))
        .order_by(InboxItem.received_at, InboxItem.id))
    seen: set[str] = set()
    found = []
    for item in items:
        network = channels[item.channel_id].network
        person = f"{network}:{item.author_external_id}"
        why = ""
        spam = item.marked_spam if item.marked_spam is not None else (
            item.spam_score is not None and item.spam_score >= SPAM_THRESHOLD)
        if (network, item.author_external_id) in own:
            why = "the brand's own account"
        elif spam:
            why = "spam or bot"
        elif item.received_at >= question.closes_at:
            why = "late"
        elif item.received_at < question.opens_at:
            why = "before the question"
        elif question.options and not grading.names_a_choice(item.text, question.options, question.answers,
                                                             quiz.languages):
            why = "not an answer: names none of the choices"
        elif person in seen:
            why = "only the first answer counts"
        if not why:
            seen.add(person)
        found.append(Answer(person=person, handle=item.author_handle, network=network, text=item.text,
                            at=item.received_at, url=item.url or "", counted=not why, why_not=why,
                            correct=grading.is_correct(item.text, question.answers, quiz.languages)))
    return found


def leaderboard(questions: list[QuizQuestion], answers: dict[str, list[Answer]]) -> list[Standing]:
    points = {q.id: q.points for q in questions}
    table: dict[str, Standing] = {}
    for question_id, found in answers.items():
        for answer in found:
            if not answer.counted:
                continue
            row = table.setdefault(answer.person, Standing(answer.person, answer.handle, answer.network, ""))
            if answer.correct:
                row.score += points[question_id]
                row.correct += 1
                if row.first_correct_at is None or answer.at < row.first_correct_at:
                    row.first_correct_at, row.entry_url = answer.at, answer.url
    ranked = [r for r in table.values() if r.score > 0]
    return sorted(ranked, key=lambda r: (-r.score, r.first_correct_at or datetime.max, r.id))


def finish(ctx: WorkspaceContext, quiz_id: str, public_value: str = "") -> Quiz:
    """Freeze the leaderboard and pick the winners (ranked, or drawn among the best scores)."""
    ctx.require(Permission.POSTS_WRITE)
    current = view(ctx, quiz_id)
    quiz = current.quiz
    if quiz.finished_at is not None:
        raise Conflict("This quiz is finished already; its winners are never picked twice.")
    if current.state != "closed":
        last = max(q.closes_at for q in current.questions)
        raise ValidationFailed(f"The last question closes at {last:%Y-%m-%d %H:%M} UTC: finish the quiz after that.")
    if not current.leaderboard:
        raise ValidationFailed("Nobody answered correctly: there is no one to pick.")
    count = quiz.winners_count + quiz.reserves_count
    record: dict[str, Any] = {"pick": quiz.pick}
    if quiz.pick == "ranked":
        picked = [r.id for r in current.leaderboard[:count]]
    else:
        best = current.leaderboard[0].score
        pool = [r for r in current.leaderboard if r.score == best]
        entrants = [{"id": r.id, "handle": r.handle, "network": r.network, "entry_url": r.entry_url} for r in pool]
        digest = draw.entrants_digest(entrants)
        seed = decrypt_json(quiz.seed_encrypted)["seed"]
        picked = draw.pick(seed, digest, public_value.strip(), [e["id"] for e in entrants], count)
        record |= {"entrants": entrants, "entrants_digest": digest}
    quiz.public_value = public_value.strip()
    quiz.leaderboard = [r.to_dict() for r in current.leaderboard]
    quiz.record = record | {
        "winners": picked[:quiz.winners_count], "reserves": picked[quiz.winners_count:],
        "questions": [_question_record(q, current.answers[q.id]) for q in current.questions]}
    quiz.finished_at = clock.now()
    audit.record(ctx, "quiz.finished", "quiz", quiz.id, f"Quiz finished: {len(quiz.record['winners'])} winner(s) "
                 f"({quiz.pick})", winners=quiz.record["winners"])
    ctx.session.flush()
    return quiz


def _question_record(question: QuizQuestion, answers: list[Answer]) -> dict[str, Any]:
    return {"position": question.position, "text": question.text, "accepted": question.answers,
            "points": question.points, "opens_at": question.opens_at.isoformat(),
            "closes_at": question.closes_at.isoformat(), "answers": [a.to_dict() for a in answers]}


def export(ctx: WorkspaceContext, quiz_id: str) -> dict[str, Any]:
    """The whole record: every answer as graded, the leaderboard, and (drawn) what draw.py verifies."""
    current = view(ctx, quiz_id)
    quiz = current.quiz
    record: dict[str, Any] = {
        "kind": "quiz", "algorithm": draw.ALGORITHM, "grading": "socialdesk-quiz-v1",
        "quiz": {"id": quiz.id, "name": quiz.name, "prize": quiz.prize, "languages": quiz.languages,
                 "winners": quiz.winners_count, "reserves": quiz.reserves_count, "pick": quiz.pick},
        "commitment": quiz.commitment, "state": current.state}
    if quiz.finished_at is None:
        record |= {"leaderboard": [r.to_dict() for r in current.leaderboard],
                   "questions": [_question_record(q, current.answers[q.id]) for q in current.questions]}
        return record
    stored = dict(quiz.record or {})
    record |= {"leaderboard": quiz.leaderboard, "questions": stored.get("questions", []),
               "winners": stored.get("winners", []), "reserves": stored.get("reserves", []),
               "seed": decrypt_json(quiz.seed_encrypted)["seed"], "public_value": quiz.public_value or "",
               "finished_at": quiz.finished_at.isoformat()}
    if quiz.pick == "drawn":
        record |= {"entrants": stored.get("entrants", []), "entrants_digest": stored.get("entrants_digest")}
    return record


def verify(record: dict[str, Any]) -> list[str]:
    """Regrade every answer in the record, rebuild the leaderboard and the winners; what does not match."""
    problems: list[str] = []
    if draw.commitment(str(record.get("seed") or "")) != record.get("commitment"):
        problems.append("commitment: sha256(seed) is not the commitment published at the start")
    languages = list((record.get("quiz") or {}).get("languages") or grading.LANGUAGES)
    table: dict[str, Standing] = {}
    for question in record.get("questions") or []:
        for answer in question.get("answers") or []:
            correct = grading.is_correct(str(answer.get("text") or ""), list(question.get("accepted") or []),
                                         languages)
            if correct != bool(answer.get("correct")):
                problems.append(f"question {question.get('position')}: {answer.get('handle')}'s answer "
                                f"{answer.get('text')!r} grades as {'right' if correct else 'wrong'}, the record "
                                f"says {'right' if answer.get('correct') else 'wrong'}")
            if not answer.get("counted") or not correct:
                continue
            at = datetime.fromisoformat(str(answer["at"]))
            row = table.setdefault(answer["person"], Standing(answer["person"], answer.get("handle", ""),
                                                              answer.get("network", ""), ""))
            row.score += int(question.get("points") or 1)
            row.correct += 1
            if row.first_correct_at is None or at < row.first_correct_at:
                row.first_correct_at, row.entry_url = at, answer.get("url", "")
    board = sorted(table.values(), key=lambda r: (-r.score, r.first_correct_at or datetime.max, r.id))
    recorded = [(r.get("id"), r.get("score")) for r in record.get("leaderboard") or []]
    if [(r.id, r.score) for r in board] != recorded:
        problems.append("leaderboard: regrading the answers gives another leaderboard than the record's")
    winners, reserves = list(record.get("winners") or []), list(record.get("reserves") or [])
    pick = (record.get("quiz") or {}).get("pick")
    if pick == "ranked":
        expected = [r.id for r in board[:len(winners) + len(reserves)]]
        if expected[:len(winners)] != winners:
            problems.append(f"winners: the leaderboard gives {expected[:len(winners)]}, the record says {winners}")
        if expected[len(winners):] != reserves:
            problems.append(f"reserves: the leaderboard gives {expected[len(winners):]}, the record says {reserves}")
    else:
        best = board[0].score if board else 0
        pool = sorted(r.id for r in board if r.score == best)
        if sorted(str(e.get("id")) for e in record.get("entrants") or []) != pool:
            problems.append("entrants: the people with the best score are not the record's entrants")
        problems += [p for p in draw.verify(record) if not p.startswith("commitment")]
    return problems
