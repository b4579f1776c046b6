"""Messages arrive once, are threaded into conversations with their post, and are triaged on arrival."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from socialdesk.core.clock import ManualClock
from socialdesk.inbox import actions, conversations, service, triage
from socialdesk.inbox.models import Conversation, ConversationStatus, InboxItem, Priority
from socialdesk.jobs.models import Job
from socialdesk.networks.base import IncomingKind
from tests.inbox.conftest import Inbox, message

DM = IncomingKind.DIRECT_MESSAGE


def _items(inbox: Inbox) -> dict[str, InboxItem]:
    with inbox.db.read_sessions() as session:
        return {i.external_id: i for i in session.scalars(select(InboxItem))}


def test_a_repeated_fetch_adds_nothing_and_threads_hold_together(inbox: Inbox) -> None:
    batch = [message("c1", "Koliko košta dostava u Split?"),
             message("c2", "I mene to zanima", parent="c1", author="u-2", handle="iva", minutes_ago=20),
             message("d1", "Hi, my order never arrived", kind=DM, author="u-3", handle="tom", minutes_ago=40),
             message("d2", "Hello? Anyone?", kind=DM, author="u-3", handle="tom", minutes_ago=10),
             message("m1", "@brand is the best", kind=IncomingKind.MENTION, author="u-4", handle="eva")]
    assert inbox.deliver(*batch) == 5
    assert inbox.deliver(*batch) == 0  # (channel, external id) is unique: a resend costs nothing
    items = _items(inbox)
    assert len(items) == 5
    assert items["c1"].conversation_id == items["c2"].conversation_id  # a reply joins its comment
    assert items["d1"].conversation_id == items["d2"].conversation_id  # direct messages: one per person
    assert len({i.conversation_id for i in items.values()}) == 3
    with inbox.db.read_sessions() as session:
        thread = session.get(Conversation, items["c1"].conversation_id)
        assert thread is not None and thread.item_count == 2 and thread.kind == "comment"
        assert thread.snippet == "I mene to zanima"


def test_triage_runs_on_arrival_in_a_job_and_takes_the_exact_language_from_the_channel(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "Zašto mi još nitko nije vratio novac?? Katastrofa."), triage=False)
    with inbox.db.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.name == "inbox.triage")) == 1
        assert session.scalars(select(InboxItem)).one().triaged_at is None  # the fetch did not wait for it
    inbox.run_triage()
    item = _items(inbox)["c1"]
    assert item.triaged_at is not None
    # hr/sr/bs cannot be told apart by a detector: the group is detected, the channel's audience decides.
    assert (item.language, item.language_group, item.language_source) == ("hr", "hbs", "channel")
    assert item.sentiment == "negative" and item.question
    assert triage.triage_items(inbox.db, [item.id]) == 0  # a second run changes nothing


def test_priority_puts_unanswered_negative_questions_first(inbox: Inbox) -> None:
    inbox.deliver(
        message("praise", "Best coffee in town, thank you! ❤️", minutes_ago=50),
        message("question", "What time do you open on Sunday?", minutes_ago=40, author="u-2"),
        message("angry", "Why is nobody answering my emails?? I want my money back!", minutes_ago=5, author="u-3"),
        message("complaint", "The cake was stale and the staff were rude. Disappointed.", minutes_ago=30,
                author="u-4"))
    with inbox.db.read_sessions() as session:
        ctx = inbox.world.ctx(session)
        found, total = conversations.list_conversations(ctx, conversations.ConversationFilter())
        order = [c.snippet.split()[0] for c in found]
        assert total == 4
        assert order[0] == "Why"  # negative and asking: first, although the newest
        assert found[0].priority == Priority.NEGATIVE_QUESTION
        assert order.index("The") < order.index("What") < order.index("Best")
        questions, _ = conversations.list_conversations(ctx, conversations.ConversationFilter(view="questions"))
        assert {c.snippet.split()[0] for c in questions} >= {"Why", "What"}
        negative, _ = conversations.list_conversations(ctx, conversations.ConversationFilter(view="negative"))
        assert {c.snippet.split()[0] for c in negative} == {"Why", "The"}


def test_an_answer_to_our_reply_continues_and_reopens_the_conversation(inbox: Inbox, clock: ManualClock) -> None:
    inbox.deliver(message("c1", "Do you have oat milk?"))
    first = _items(inbox)["c1"]
    with inbox.db.unit_of_work() as session:
        actions.reply(inbox.world.ctx(session, "editor"), first.id, "Yes, at no extra charge!")
    reply_id = inbox.network.calls[-1]
    assert reply_id[0] == "reply"
    with inbox.db.read_sessions() as session:
        conversation = session.get(Conversation, first.conversation_id)
        assert conversation is not None
        assert conversation.status == ConversationStatus.WAITING and conversation.waiting_since is None
        assert conversation.priority == Priority.NONE and conversation.first_response_at is not None
    answered = _items(inbox)["c1"]
    clock.advance(timedelta(minutes=30))
    inbox.deliver(message("c9", "And is it organic?", parent=answered.reply_external_id, minutes_ago=1))
    with inbox.db.read_sessions() as session:
        conversation = session.get(Conversation, first.conversation_id)
        assert conversation is not None and conversation.item_count == 2
        assert conversation.status == ConversationStatus.OPEN and conversation.waiting_since is not None


def test_untriaged_items_are_picked_up_later(inbox: Inbox, clock: ManualClock) -> None:
    inbox.deliver(message("c1", "Lovely!"), triage=False)
    with inbox.db.unit_of_work() as session:
        session.execute(Job.__table__.delete().where(Job.name == "inbox.triage"))  # the job was lost
    clock.advance(triage.BACKLOG_AFTER + timedelta(minutes=1))
    assert triage.backlog(inbox.db) == [_items(inbox)["c1"].id]
    with inbox.db.unit_of_work() as session:
        service.enqueue_triage(session, triage.backlog(inbox.db))
    inbox.run_triage()
    assert _items(inbox)["c1"].triaged_at is not None and triage.backlog(inbox.db) == []
