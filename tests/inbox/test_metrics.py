"""Response metrics: first-response time (median, p90), response rate, per channel and member; overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.errors import ValidationFailed
from socialdesk.inbox import actions, conversations, metrics
from socialdesk.inbox.models import InboxItem
from tests.inbox.conftest import Inbox, message


def test_percentiles() -> None:
    assert metrics._percentile([], 50) is None
    assert metrics._percentile([10.0], 90) == 10.0
    assert metrics._percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert metrics._percentile([float(i) for i in range(1, 11)], 90) == pytest.approx(9.1)


def test_response_times_rates_and_overdue(inbox: Inbox, clock: ManualClock) -> None:
    # Four conversations written 100 minutes ago; answered after 10, 20 and 70 minutes; one never.
    inbox.deliver(*[message(f"c{n}", f"Question number {n}?", author=f"u-{n}", minutes_ago=100) for n in range(4)],
                  message("s1", "Buy followers cheap! Visit my profile", author="bot", minutes_ago=100))
    with inbox.db.unit_of_work() as session:
        items = {i.external_id: i for i in session.scalars(select(InboxItem))}
        actions.mark_spam(inbox.world.ctx(session, "editor"), items["s1"].id)  # spam is left out
    start = clock_module.now()
    for minutes, (external_id, role) in zip((-90, -80, -30), (("c0", "editor"), ("c1", "editor"), ("c2", "owner")),
                                            strict=True):
        clock.set(start + timedelta(minutes=minutes))
        with inbox.db.unit_of_work() as session:
            actions.reply(inbox.world.ctx(session, role), items[external_id].id, "Answer")
    clock.set(start)
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "owner")
        metrics.set_target(ctx, 60)
        with pytest.raises(ValidationFailed):
            metrics.set_target(ctx, 0)
        report = metrics.report(ctx, start - timedelta(days=1), start)
        figures = report.workspace
        assert (figures.conversations, figures.answered) == (4, 3)
        assert figures.response_rate == 0.75
        assert figures.median_minutes == pytest.approx(20)
        assert figures.p90_minutes == pytest.approx(60)  # 20 + 0.8 * (70 - 20)
        assert figures.within_target_rate == pytest.approx(2 / 3)
        assert report.by_channel[inbox.channel_id].answered == 3
        editor = inbox.world.ctx(session, "editor").actor.user_id
        assert report.by_member[editor or ""].answered == 2
        assert report.overdue_now == 1  # c3 has waited 100 minutes, past the 60-minute target
        overdue, total = conversations.list_conversations(ctx, conversations.ConversationFilter(view="overdue"),
                                                          overdue_before=metrics.overdue_before(ctx))
        assert total == 1 and overdue[0].snippet == "Question number 3?"
        with pytest.raises(ValidationFailed):
            metrics.report(ctx, start, start)
    with inbox.db.unit_of_work() as session, pytest.raises(Exception, match="workspace:admin"):
        metrics.set_target(inbox.world.ctx(session, "editor"), 30)
