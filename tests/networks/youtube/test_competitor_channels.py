"""YouTube channels as competitors, against the YouTube contract server: channels.list by handle or id,
the uploads playlist and videos.list with the API key listening uses (or a connected channel's token),
3 quota units a snapshot charged to the ledger before each call, hidden subscriber counts said, and what the
docs refuse refused by the contract server."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from socialdesk.channels.models import Channel
from socialdesk.competitors import service
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.crypto import encrypt_json
from socialdesk.core.db import Database
from socialdesk.networks.public import youtube_channels
from socialdesk.networks.quota import QuotaExhausted
from socialdesk.networks.youtube.api import LEDGER, UNITS, key_project, keyed, limits
from tests.helpers import make_world
from tests.networks.youtube.conftest import YouTube

KEY = "AIza-listening-key"


def _stamp(clock: ManualClock, hours_ago: float) -> str:
    return (clock.now() - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _used(project: str) -> int:
    return next(u.used for u in LEDGER.usage(project, limits()) if u.bucket == UNITS)


def _rival(youtube: YouTube, clock: ManualClock, *, hidden: bool = False) -> str:
    state = youtube.state
    channel_id = state.add_public_channel("Rival Coffee", "@RivalCoffee", subscribers=48_100, hidden=hidden)
    for i in range(6):
        state.add_public_video(f"Jutarnja kava {i} #kava", "Recept #espresso" if i % 2 else "",
                               published_at=_stamp(clock, 24 * i + 3), channel_id=channel_id, views=1000 + i,
                               likes=40 + i, comments=5, duration="PT45S" if i < 2 else "PT12M3S")
    state.add_public_video("Premiere soon", published_at=_stamp(clock, 1), channel_id=channel_id, live="upcoming",
                           duration="P0D")
    state.add_public_video("Someone else's video", published_at=_stamp(clock, 2))
    return channel_id


def test_a_youtube_competitor_by_handle_gets_a_snapshot_and_a_benchmark(
        database: Database, clock: ManualClock, youtube: YouTube, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_LISTENING_YOUTUBE_API_KEY", KEY)
    reset_settings_cache()
    _rival(youtube, clock)
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        competitor = service.add(ctx, network="youtube", handle="https://www.youtube.com/@RivalCoffee")
        assert (competitor.handle, competitor.service) == ("@rivalcoffee", "https://www.youtube.com")
        result = service.snapshot(ctx, competitor)
        assert result.error == "", result.error
        snap = result.snapshot
        assert snap is not None and snap.followers == 48_100 and snap.posts_count == 7
        assert len(snap.posts) == 6  # the upcoming premiere has no numbers yet
        by_text = {p["text"].split("\n")[0]: p for p in snap.posts}
        first = by_text["Jutarnja kava 1 #kava"]
        assert (first["likes"], first["reposts"], first["replies"], first["views"]) == (41, 0, 5, 1001)
        assert first["format"] == "short" and by_text["Jutarnja kava 4 #kava"]["format"] == "video"
        assert first["hashtags"] == ["espresso", "kava"]
        assert first["url"].startswith("https://www.youtube.com/watch?v=")
        bench = service.benchmark(ctx, days=30)
    # Three reads with the key, 1 unit each (determine_quota_cost), on the ledger and at "Google".
    assert [name for name, _ in youtube.state.calls] == ["channels.list", "playlistItems.list", "videos.list"]
    channels_query = youtube.state.calls[0][1]
    assert channels_query["forHandle"] == "@rivalcoffee" and channels_query["key"] == KEY
    assert youtube.state.units_left == 10_000 - 3 and _used(key_project(KEY)) == 3
    them = bench["accounts"][1]
    assert them["network"] == "youtube" and them["posts"] == 6 and them["followers"]["end"] == 48_100
    assert them["formats"]["short"]["posts"] == 2 and them["formats"]["video"]["posts"] == 4
    assert them["views_per_post"]["n"] == 6 and them["views_per_post"]["enough"]
    assert abs(them["engagement_per_post"]["value"] - (sum(40 + i for i in range(6)) + 30) / 6) < 0.01
    assert them["top_hashtags"][0] == {"tag": "kava", "posts": 6, "mean_engagement": 47.5}


def test_hidden_subscribers_an_unknown_channel_and_a_wrong_key_are_said(
        database: Database, clock: ManualClock, youtube: YouTube, monkeypatch: pytest.MonkeyPatch) -> None:
    channel_id = _rival(youtube, clock, hidden=True)
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        by_id = service.add(ctx, network="youtube", handle=channel_id)
        missing = service.add(ctx, network="youtube", handle="@nobody-here")
        no_key = service.snapshot(ctx, by_id)  # neither a key nor a connected channel
        assert no_key.snapshot is None and "SOCIALDESK_LISTENING_YOUTUBE_API_KEY" in no_key.error
    monkeypatch.setenv("SOCIALDESK_LISTENING_YOUTUBE_API_KEY", KEY)
    reset_settings_cache()
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        hidden = service.snapshot(ctx, s.merge(by_id))
        assert hidden.error == "" and hidden.snapshot is not None and hidden.snapshot.followers is None
        described = service.as_dict(ctx, s.merge(by_id))
        assert "hiddenSubscriberCount" in described["followers_note"]
        rows = {a["name"]: a for a in service.benchmark(ctx, days=30)["accounts"]}
        assert any("hiddenSubscriberCount" in n for n in rows[channel_id]["notes"])
        assert rows[channel_id]["followers"]["end"] is None
        unknown = service.snapshot(ctx, s.merge(missing))
        assert "no channel @nobody-here" in unknown.error
    monkeypatch.setenv("SOCIALDESK_LISTENING_YOUTUBE_API_KEY", "AIza-wrong")
    reset_settings_cache()
    with database.unit_of_work() as s:
        wrong = service.snapshot(world.ctx(s), s.merge(by_id))
        assert "API key not valid" in wrong.error
        assert len(list(service.latest_snapshot(world.ctx(s), s.merge(by_id)).posts)) == 6  # kept


def test_the_connected_channels_token_reads_when_there_is_no_key(database: Database, clock: ManualClock,
                                                                 youtube: YouTube) -> None:
    _rival(youtube, clock)
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        s.add(Channel(workspace_id=ctx.workspace_id, network="youtube", name="Our channel", handle="@brand",
                      external_id=youtube.state.channel_id, credentials_encrypted=encrypt_json(
                          {"access_token": "ya29.valid"}),
                      settings={"channel_id": youtube.state.channel_id, "quota_project": "client-123"}))
        s.flush()
        competitor = service.add(ctx, network="youtube", handle="@RivalCoffee")
        result = service.snapshot(ctx, competitor)
    assert result.error == "" and result.snapshot is not None and result.snapshot.followers == 48_100
    assert youtube.state.calls == []  # no key went out: the token did
    assert _used("client-123") == 3


def test_the_ledger_refuses_before_sending_when_the_day_is_spent(youtube: YouTube, database: Database,
                                                                 clock: ManualClock,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _rival(youtube, clock)
    monkeypatch.setenv("SOCIALDESK_YOUTUBE_DAILY_QUOTA", "30")
    reset_settings_cache()
    LEDGER.charge(key_project(KEY), UNITS, 25, 30, what="earlier reads today")
    api = keyed(KEY)
    try:
        with pytest.raises(QuotaExhausted, match="resets"):
            # Background reads stop at 90 % (27 of 30 units): two calls fit, the third is not sent.
            youtube_channels.channel_profile(api, "@rivalcoffee")
    finally:
        api.close()
    assert youtube.state.units_left == 10_000 - 2 and _used(key_project(KEY)) == 27


def test_the_contract_server_refuses_what_the_docs_refuse(youtube: YouTube, clock: ManualClock) -> None:
    channel_id = _rival(youtube, clock)
    base = f"{youtube.base_url}/youtube/v3"

    def get(path: str, **params: str) -> httpx.Response:
        return httpx.get(f"{base}/{path}", params=params)

    two_filters = get("channels", part="snippet", id=channel_id, forHandle="@rivalcoffee", key=KEY)
    assert two_filters.status_code == 400 and two_filters.json()["error"]["errors"][0]["reason"] == \
        "incompatibleParameters"
    assert get("channels", part="snippet", key=KEY).json()["error"]["errors"][0]["reason"] == \
        "missingRequiredParameter"
    assert get("channels", part="snippets", id=channel_id, key=KEY).json()["error"]["errors"][0]["reason"] == \
        "unknownPart"
    assert get("channels", part="snippet", mine="true", key=KEY).status_code == 401
    assert get("channels", part="snippet", id=channel_id, key="AIza-nope").status_code == 400
    assert get("channels", part="snippet", id=channel_id).status_code == 401  # neither key nor token
    assert "items" not in get("channels", part="snippet", forHandle="@nobody", key=KEY).json()
    uploads = "UU" + channel_id[2:]
    assert get("playlistItems", part="contentDetails", playlistId=uploads, maxResults="51", key=KEY).status_code == 400
    assert get("playlistItems", part="contentDetails", playlistId="UUnothing", key=KEY).status_code == 404
    listed = get("playlistItems", part="contentDetails", playlistId=uploads, maxResults="3", key=KEY).json()
    assert len(listed["items"]) == 3
    many = ",".join(f"v{i}" for i in range(51))
    assert get("videos", part="statistics", id=many, key=KEY).status_code == 400
    assert get("videos", id="v1", key=KEY).json()["error"]["errors"][0]["reason"] == "required"
    hidden_likes = youtube.state.add_public_video("No likes shown", channel_id=channel_id, likes=None, comments=None)
    stats = get("videos", part="statistics", id=hidden_likes, key=KEY).json()["items"][0]["statistics"]
    assert "likeCount" not in stats and "commentCount" not in stats
