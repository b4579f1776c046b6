"""`socialdesk demo`: a living workspace on a fresh machine, prepared once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from socialdesk import demo_history
from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.content.models import Publication
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.demo import ensure_demo
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from socialdesk.networks.base import IncomingKind
from tests.helpers import install_clock


# The replay runs four weeks of the pipeline (~45 s alone); beside another test worker on two busy cores it
# has taken 185 s, so it gets more than the suite's 300 s.
@pytest.mark.parametrize("use_recording", [
    True, pytest.param(False, marks=[pytest.mark.slow, pytest.mark.timeout(900)], id="replayed")])
def test_demo_has_history_and_a_future_and_is_idempotent(database: Database, monkeypatch: pytest.MonkeyPatch,
                                                         use_recording: bool) -> None:
    monkeypatch.setenv("SOCIALDESK_DEMO_MODE", "1")
    first = ensure_demo(database, use_recording=use_recording)
    assert first.channels == 3 and first.posts >= 50 and first.comments >= 50
    now = clock.now()
    with database.read_sessions() as session:
        published = list(session.scalars(select(Publication).where(Publication.status == "published")))
        assert published and min(p.published_at for p in published) < now - timedelta(days=20)
        assert max(p.published_at for p in published) <= now
        upcoming = session.scalar(select(func.count()).select_from(Publication).where(
            Publication.scheduled_at > now, Publication.status.in_(["scheduled", "pending_approval"])))
        assert upcoming and upcoming >= 4
        assert session.scalar(select(func.count()).select_from(PublicationMetricSnapshot)) > 100
        assert session.scalar(select(func.count()).select_from(ChannelMetricSnapshot)) > 50
        languages = set(session.scalars(select(InboxItem.language).where(InboxItem.language.is_not(None))))
        assert len(languages) >= 3, languages
        assert session.scalar(select(func.count()).select_from(InboxItem).where(InboxItem.triaged_at.is_(None))) == 0
        failed = session.scalar(select(func.count()).select_from(Publication).where(Publication.status == "failed"))
        assert failed == 0
    again = ensure_demo(database, use_recording=use_recording)
    assert (again.channels, again.posts) == (first.channels, first.posts)


def test_the_recording_is_current() -> None:
    recording = demo_history.read_recording()
    assert recording is not None, "no recorded demo history: run scripts/build-demo-history"
    assert recording.fingerprint == demo_history.fingerprint(), (
        "demo.py or the sandbox's code changed since the demo history was recorded: run "
        "scripts/build-demo-history and commit socialdesk/demo_data/history.tar.gz")


def test_a_move_is_whole_weeks_that_end_the_history_in_the_last_week() -> None:
    recorded = datetime(2026, 12, 7, 7, 16, tzinfo=UTC)
    assert demo_history.shift_for(recorded, recorded) == timedelta(0)
    assert demo_history.shift_for(recorded, recorded + timedelta(days=6, hours=23)) == timedelta(0)
    assert demo_history.shift_for(recorded, recorded + timedelta(days=38)) == timedelta(weeks=5)
    # A clock behind the recording moves it back, still to end before now.
    assert demo_history.shift_for(recorded, recorded - timedelta(days=1)) == timedelta(weeks=-1)


def test_the_moved_history_agrees_with_what_the_sandbox_computes_now(database: Database,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Five weeks and three days after the recording: the history ends in the last week, and the
    sandbox's audience (recomputed from the moved posts) goes on from the recorded counts and comments."""
    monkeypatch.setenv("SOCIALDESK_DEMO_MODE", "1")
    recording = demo_history.read_recording()
    assert recording is not None
    previous = clock.get_clock()
    later = install_clock(recording.recorded_until + timedelta(weeks=5, days=3))
    try:
        ensure_demo(database)
        now, moved_end = later.now(), recording.recorded_until + timedelta(weeks=5)
        with database.read_sessions() as session:
            published = list(session.scalars(select(Publication).where(Publication.status == "published")))
            assert moved_end - timedelta(days=28) <= min(p.published_at for p in published)
            assert max(p.published_at for p in published) <= moved_end <= now
            stored = {i.external_id: i.text for i in session.scalars(select(InboxItem))}
            recorded_counts = _latest_counts(session)
        Runner(database, kind="cli").run_pending()  # fetches the three days since, collects metrics
        with database.read_sessions() as session:
            after = {i.external_id: (i.text, i.received_at, i.kind) for i in session.scalars(select(InboxItem))}
            counts = _latest_counts(session)
    finally:
        clock.set_clock(previous)
    assert all(after[key][0] == text for key, text in stored.items())
    fresh_comments = [v for k, v in after.items() if k not in stored and v[2] == IncomingKind.COMMENT]
    assert all(received > moved_end for _, received, _ in fresh_comments)
    # Counts recomputed by the sandbox never fall below the recorded ones.
    for publication_id, (likes, comments) in recorded_counts.items():
        assert counts[publication_id][0] >= likes and counts[publication_id][1] >= comments, publication_id


def _latest_counts(session) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    latest: dict[str, tuple[datetime, int, int]] = {}
    for snap in session.scalars(select(PublicationMetricSnapshot)):
        seen = latest.get(snap.publication_id)
        if seen is None or snap.collected_at > seen[0]:
            latest[snap.publication_id] = (snap.collected_at, snap.likes or 0, snap.comments or 0)
    return {key: (likes, comments) for key, (_, likes, comments) in latest.items()}
