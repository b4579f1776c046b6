"""`socialdesk demo`: a living workspace on a fresh machine, prepared once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.content.models import Publication
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.demo import ensure_demo
from socialdesk.inbox.models import InboxItem


@pytest.mark.slow
def test_demo_has_history_and_a_future_and_is_idempotent(database: Database,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_DEMO_MODE", "1")
    first = ensure_demo(database)
    assert first.channels == 3 and first.posts >= 50 and first.comments >= 50
    now = clock.now()
    with database.read_sessions() as session:
        published = list(session.scalars(select(Publication).where(Publication.status == "published")))
        assert published and min(p.published_at for p in published) < now - timedelta(days=20)
        upcoming = session.scalar(select(func.count()).select_from(Publication).where(
            Publication.scheduled_at > now, Publication.status.in_(["scheduled", "pending_approval"])))
        assert upcoming and upcoming >= 4
        assert session.scalar(select(func.count()).select_from(PublicationMetricSnapshot)) > 100
        assert session.scalar(select(func.count()).select_from(ChannelMetricSnapshot)) > 50
        languages = set(session.scalars(select(InboxItem.language).where(InboxItem.language.is_not(None))))
        assert len(languages) >= 3, languages
        failed = session.scalar(select(func.count()).select_from(Publication).where(Publication.status == "failed"))
        assert failed == 0
    again = ensure_demo(database)
    assert (again.channels, again.posts) == (first.channels, first.posts)
