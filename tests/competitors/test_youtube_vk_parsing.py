"""Parsing for YouTube and VK competitors (no network): what a person may paste as a channel or wall, ISO
8601 durations and the short/video split, a video's and a wall post's numbers, and the benchmark's views per
post, "short" format and top posts with views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from socialdesk.competitors.benchmark import Account, BenchPost, summarise, top_posts
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.public.vk_walls import parse_post, post_format, wall_key
from socialdesk.networks.public.youtube_channels import channel_key, parse_video, seconds, video_format

CHANNEL = "UC" + "a1B2_c3-" * 2 + "x" * 6


@pytest.mark.parametrize(("pasted", "key"), [
    ("@RivalCoffee", "@rivalcoffee"), ("rivalcoffee", "@rivalcoffee"), ("@kava.i-čaj", "@kava.i-čaj"),
    (CHANNEL, CHANNEL), ("https://www.youtube.com/@RivalCoffee/videos", "@rivalcoffee"),
    ("youtube.com/@rival_coffee", "@rival_coffee"), (f"https://m.youtube.com/channel/{CHANNEL}", CHANNEL),
])
def test_youtube_channels_are_read_from_handles_ids_and_addresses(pasted: str, key: str) -> None:
    assert channel_key(pasted) == key


@pytest.mark.parametrize(("pasted", "said"), [
    ("https://www.youtube.com/c/Rival", "/c/ and /user/"), ("https://www.youtube.com/user/rival", "/c/ and /user/"),
    ("https://vimeo.com/@rival", "not a YouTube channel address"), ("@ab", "3 to 30"), ("two words", "@handle"),
    ("", "@handle"), ("https://www.youtube.com/watch?v=abc", "/c/ and /user/"),
])
def test_what_youtube_cannot_look_up_is_refused_with_what_to_give(pasted: str, said: str) -> None:
    with pytest.raises(ValidationFailed, match=said.replace("/", ".")):
        channel_key(pasted)


def test_durations_and_formats() -> None:
    assert seconds("PT45S") == 45 and seconds("PT1M5S") == 65 and seconds("PT2H") == 7200
    assert seconds("P1DT1S") == 86_401 and seconds("P0D") == 0 and seconds("") is None and seconds("5m") is None
    assert video_format("PT59S") == "short" and video_format("PT3M") == "short"
    assert video_format("PT3M1S") == "video" and video_format(None) == "video" and video_format("P0D") == "video"


def test_a_video_with_hidden_likes_and_an_upcoming_stream() -> None:
    video = {"id": "abc", "snippet": {"publishedAt": "2026-11-30T08:15:00Z", "title": "Kava #Jutro",
                                      "description": "Recept #espresso", "liveBroadcastContent": "none"},
             "statistics": {"viewCount": "1200", "commentCount": "7"}, "contentDetails": {"duration": "PT30S"}}
    post = parse_video(video)
    assert post is not None and (post.likes, post.replies, post.reposts, post.views) == (0, 7, 0, 1200)
    assert post.hashtags == ["espresso", "jutro"] and post.format == "short"
    assert post.posted_at == datetime(2026, 11, 30, 8, 15, tzinfo=UTC) and post.as_dict()["views"] == 1200
    assert parse_video({**video, "snippet": {**video["snippet"], "liveBroadcastContent": "upcoming"}}) is None
    assert parse_video({**video, "snippet": {**video["snippet"], "publishedAt": "soon"}}) is None


@pytest.mark.parametrize(("pasted", "key"), [
    ("https://vk.com/RivalCafe", "rivalcafe"), ("vk.com/club123", "club123"), ("public123", "club123"),
    ("-123", "club123"), ("id42", "id42"), ("@rival_cafe", "rival_cafe"), ("https://m.vk.com/rival.cafe", "rival.cafe"),
])
def test_vk_walls_are_read_from_addresses_and_ids(pasted: str, key: str) -> None:
    assert wall_key(pasted) == key


@pytest.mark.parametrize("pasted", ["https://ok.ru/rival", "12345", "two words", "", "vk.com/"])
def test_what_is_not_a_vk_wall_is_refused(pasted: str) -> None:
    with pytest.raises(ValidationFailed, match="club123"):
        wall_key(pasted)


def test_wall_posts_formats_and_reposts() -> None:
    assert post_format({"attachments": [{"type": "photo"}, {"type": "video", "video": {}}]}) == "video"
    assert post_format({"attachments": [{"type": "video", "video": {"type": "short_video"}}]}) == "short"
    assert post_format({"attachments": [{"type": "clip"}]}) == "short"
    assert post_format({"attachments": [{"type": "link"}]}) == "link" and post_format({}) == "text"
    raw = {"id": 7, "date": 1_764_489_600, "text": "Dobro jutro #kava", "likes": {"count": 12},
           "reposts": {"count": 3}, "comments": {"count": 4}, "views": {"count": 800},
           "attachments": [{"type": "album"}]}
    post = parse_post(raw, -55)
    assert post is not None and post.url == "https://vk.com/wall-55_7" and post.external_id == "-55_7"
    assert (post.likes, post.reposts, post.replies, post.views, post.format) == (12, 3, 4, 800, "image")
    assert parse_post({**raw, "copy_history": [{"id": 1}]}, -55) is None
    assert parse_post({**raw, "post_type": "suggest"}, -55) is None
    assert parse_post({k: v for k, v in raw.items() if k != "views"}, -55).views is None  # type: ignore[union-attr]


T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_views_per_post_counts_only_posts_with_views_and_shorts_are_a_format() -> None:
    posts = [BenchPost(T0 + timedelta(days=i), likes=10, reposts=0, replies=2, format="short" if i < 2 else "video",
                       views=1000 * (i + 1) if i < 5 else None, key=f"v{i}") for i in range(7)]
    result = summarise(Account("@rival", "youtube", posts), 30, ZoneInfo("UTC"))
    views = result["views_per_post"]
    assert views["n"] == 5 and views["value"] == 3000 and views["enough"] and views["low"] < 3000 < views["high"]
    assert result["formats"]["short"] == {"posts": 2, "share": 28.6}
    assert list(result["formats"])[:4] == ["text", "image", "video", "link"]  # the usual ones first, then short
    none = summarise(Account("a", "bluesky", posts[:0]), 30, ZoneInfo("UTC"))["views_per_post"]
    assert none["value"] is None and none["n"] == 0 and none["note"] == "not enough data"
    few = summarise(Account("a", "vk", posts[:3]), 30, ZoneInfo("UTC"))["views_per_post"]
    assert few["value"] == 2000 and few["low"] is None and few["note"] == "not enough data"


def test_top_posts_carry_views_and_add_them_across_channels() -> None:
    shared = [BenchPost(T0, 5, 0, 0, key="p", views=100), BenchPost(T0, 7, 0, 0, key="p", views=50),
              BenchPost(T0, 1, 0, 0, key="q")]
    top = top_posts(shared)
    assert top[0]["engagement"] == 12 and top[0]["views"] == 150 and top[0]["channels"] == 2
    assert top[1]["views"] is None
