"""A `youtube` listening source against the YouTube contract server (search.list): a video mentioning an
inflected Croatian form of the monitored word is caught, the search asks what the documentation says, the
quota's 100 units a call keep it to one search an hour, and a wrong or missing key is said plainly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.listening import service as listening
from tests.helpers import make_world
from tests.networks.youtube.conftest import YouTube


def _stamp(clock: ManualClock, hours_ago: float) -> str:
    return (clock.now() - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_youtube_monitor_catches_an_inflected_word(database: Database, clock: ManualClock, youtube: YouTube,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s, pytest.raises(ValidationFailed, match="SOCIALDESK_LISTENING_YOUTUBE_API_KEY"):
        listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["youtube"], languages=["hr"])
    monkeypatch.setenv("SOCIALDESK_LISTENING_YOUTUBE_API_KEY", "AIza-listening-key")
    reset_settings_cache()
    youtube.state.add_public_video("Kako skuhati dobru kavu u džezvi", "Recept", published_at=_stamp(clock, 2))
    youtube.state.add_public_video("Chess openings for beginners", published_at=_stamp(clock, 1))
    youtube.state.add_public_video("Stara kava", published_at=_stamp(clock, 72))  # before the first look back
    with database.unit_of_work() as s:
        monitor = listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["youtube"],
                                        languages=["hr"])
        first = listening.run_monitor(s, monitor)
    assert first.errors == {} and first.new == 1, first.as_dict()
    asked = youtube.state.searches[0]
    assert asked["part"] == "snippet" and asked["type"] == "video" and asked["order"] == "date"
    assert asked["q"].split("|")[:3] == ["kava", "kave", "kavi"] and asked["relevanceLanguage"] == "hr"
    assert asked["key"] == "AIza-listening-key" and asked["publishedAfter"].endswith("Z")
    assert youtube.state.units_left == 10_000 - 100
    with database.unit_of_work() as s:
        found = listening.mentions(world.ctx(s), monitor="Kava")
        assert [(m.source, m.matched_term) for m in found] == [("youtube", "kava")]
        assert found[0].url.startswith("https://www.youtube.com/watch?v=")
        # Within the hour nothing is asked again; after it, only what is new.
        listening.run_monitor(s, s.merge(monitor))
        assert len(youtube.state.searches) == 1
    clock.advance(timedelta(minutes=61))
    youtube.state.add_public_video("Kava s mlijekom ili bez?", published_at=_stamp(clock, 0.5))
    with database.unit_of_work() as s:
        again = listening.run_monitor(s, s.merge(monitor))
    assert len(youtube.state.searches) == 2 and again.new == 1


def test_a_wrong_key_is_reported_on_the_source(database: Database, clock: ManualClock, youtube: YouTube,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_LISTENING_YOUTUBE_API_KEY", "AIza-wrong")
    reset_settings_cache()
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        monitor = listening.add_monitor(world.ctx(s), name="Kava", terms=["kava"], sources=["youtube"])
        result = listening.run_monitor(s, monitor)
    assert "API key not valid" in result.errors["youtube"]
