"""Reminders: a conversation past the response target, a goal's milestone met or missed — each told once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from socialdesk.analytics.models import ChannelMetricSnapshot
from socialdesk.channels.models import Channel
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.goals import service as goals
from socialdesk.inbox.service import store_incoming
from socialdesk.networks.base import IncomingItem, IncomingKind
from socialdesk.notifications import reminders
from tests.agency import people as shared
from tests.helpers import T0, make_world
from tests.mail import smtp_server_fixture  # noqa: F401 (a fixture)


def test_a_conversation_past_the_response_target_is_told_once(database: Database, clock: ManualClock) -> None:
    from socialdesk.inbox.models import Conversation

    world = make_world(database, profiles=("mastodon",))
    editor = shared.uid(database, world.users["editor"])

    def message(n: int, who: str) -> None:
        with database.unit_of_work() as session:
            channel = session.get(Channel, world.channels["mastodon"])
            assert channel is not None
            store_incoming(session, channel, [IncomingItem(
                external_id=f"dm{n}", kind=IncomingKind.DIRECT_MESSAGE, text="Is the shop open on Sunday?",
                created_at=clock.now(), author_external_id=f"u-{who}", author_handle=who)])

    for n, who in enumerate(("ana", "ben", "cleo")):
        message(n, who)
    with database.unit_of_work() as session:
        for conversation in session.scalars(select(Conversation).where(Conversation.author_handle == "cleo")):
            conversation.assignee_id = editor
        assert reminders.overdue_conversations(session) == 0  # within the 2-hour target
    clock.advance(timedelta(hours=2, minutes=5))
    with database.unit_of_work() as session:
        assert reminders.overdue_conversations(session) == 3
    with database.unit_of_work() as session:
        assert reminders.overdue_conversations(session) == 0  # each wait is told once
    told = shared.told(database, "conversation_overdue")
    # cleo's conversation: its assignee alone; ana's and ben's: one summary to everyone who answers the inbox.
    assigned = [n for n in told if "@cleo has waited" in n.message]
    assert [n.user_id for n in assigned] == [editor] and assigned[0].link and "/inbox?c=" in assigned[0].link
    summary = [n for n in told if "2 conversations have passed the response target" in n.message]
    people = {n.user_id for n in summary}
    assert editor in people and shared.uid(database, world.users["viewer"]) not in people
    assert len(summary) == len(people) and summary[0].link and summary[0].link.endswith("/inbox?view=overdue")
    # Later, a newly overdue conversation gets a summary of its own.
    message(9, "dora")
    clock.advance(timedelta(hours=2, minutes=1))
    with database.unit_of_work() as session:
        assert reminders.overdue_conversations(session) == 1
    assert any("A conversation has passed" in n.message for n in shared.told(database, "conversation_overdue"))


def test_a_missed_milestone_tells_the_people_who_read_analytics(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("instagram",))
    channel = world.channels["instagram"]
    with database.unit_of_work() as session:
        for day in range(29):
            session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel,
                                              collected_at=T0 + timedelta(days=day - 28), followers=1000 + 10 * day))
        goals.create(world.ctx(session), goals.GoalIn(
            name="+300 followers", metric="followers", target=300, increase=True,
            due_on=(T0 + timedelta(days=60)).date(), channel_id=channel))
        for day in range(1, 41):
            session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel,
                                              collected_at=T0 + timedelta(days=day), followers=1285))
    clock.set(T0 + timedelta(days=31))
    with database.unit_of_work() as session:
        goals.evaluate(world.ctx(session))
    with database.unit_of_work() as session:
        goals.evaluate(world.ctx(session))  # nothing new: nobody is told twice
    missed = shared.told(database, "milestone_missed")
    people = {n.user_id for n in missed}
    assert shared.uid(database, world.users["viewer"]) in people  # viewers read analytics
    assert shared.uid(database, world.users["client_reviewer"]) not in people
    assert len(missed) == len(people) and "was missed: 1,285 against 1," in missed[0].message
