"""The benchmark's math: intervals that hold the value, "not enough data" under five posts, growth needing
two snapshots, formats, hashtags, best hours only for hours with enough posts, and 'higher' only when the
interval excludes zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from socialdesk.competitors.benchmark import Account, BenchPost, compare, growth, posts_per_week, summarise

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Zagreb")


def _posts(engagements: list[int], *, hour_step: int = 24, fmt: str = "text", followers: int | None = 1000,
           tags: tuple[str, ...] = ()) -> list[BenchPost]:
    return [BenchPost(T0 + timedelta(hours=i * hour_step), likes=e, reposts=0, replies=0, format=fmt,
                      hashtags=tags, url=f"https://x/{i}", followers=followers) for i, e in enumerate(engagements)]


def test_under_five_posts_is_not_enough_data_but_shows_the_number() -> None:
    result = summarise(Account("a", "bluesky", _posts([3, 5, 7, 9])), 30, ZONE)
    per_post = result["engagement_per_post"]
    assert per_post["value"] == 6 and per_post["n"] == 4 and per_post["low"] is None
    assert not per_post["enough"] and per_post["note"] == "not enough data"
    assert result["posts_per_week"]["note"] == "not enough data"
    assert result["best_hours"]["hours"] == [] and "not enough data" in result["best_hours"]["note"]


def test_intervals_hold_the_value_and_narrow_with_more_posts() -> None:
    few = summarise(Account("a", "bluesky", _posts([1, 9, 4, 12, 6, 3, 8, 2])), 30, ZONE)["engagement_per_post"]
    many = summarise(Account("a", "bluesky", _posts([1, 9, 4, 12, 6, 3, 8, 2] * 8)), 30, ZONE)["engagement_per_post"]
    for e in (few, many):
        assert e["enough"] and e["low"] < e["value"] < e["high"]
    assert many["high"] - many["low"] < few["high"] - few["low"]
    per_follower = summarise(Account("a", "bluesky", _posts([10] * 6, followers=1000)), 30,
                             ZONE)["engagement_per_follower_percent"]
    assert per_follower["value"] == 1.0 and per_follower["n"] == 6


def test_posts_per_week_has_a_poisson_interval() -> None:
    rate = posts_per_week(12, 28)
    assert rate.value == 3 and rate.low is not None and rate.high is not None
    assert 1.0 < rate.low < 3 < rate.high < 6
    assert posts_per_week(0, 28).value == 0 and not posts_per_week(0, 28).enough


def test_growth_needs_two_snapshots() -> None:
    assert growth(1000, 1100) == {"start": 1000, "end": 1100, "change": 100, "percent": 10.0, "note": ""}
    one = growth(None, 1100)
    assert one["change"] is None and "two snapshots" in one["note"]


def test_formats_hashtags_top_posts_and_best_hours() -> None:
    posts = (_posts([5] * 5, fmt="image", tags=("kava",)) + _posts([50, 1, 1, 1, 1], fmt="video")
             + [BenchPost(T0 + timedelta(days=1, hours=5 + i), 2, 0, 0) for i in range(3)])
    result = summarise(Account("a", "mastodon", posts), 30, ZONE)
    assert result["formats"]["image"] == {"posts": 5, "share": 38.5}
    assert result["formats"]["video"]["posts"] == 5 and result["formats"]["link"]["posts"] == 0
    assert result["top_posts"][0]["engagement"] == 50 and result["top_posts"][0]["format"] == "video"
    assert result["top_hashtags"] == [{"tag": "kava", "posts": 5, "mean_engagement": 5.0}]
    hours = result["best_hours"]["hours"]
    assert [h["hour"] for h in hours] == [10]  # 09:00 UTC is 10:00 in Zagreb; the 3-post hours are left out
    assert hours[0]["n"] == 10


def test_higher_only_when_the_interval_excludes_zero() -> None:
    strong = Account("them", "bluesky", _posts([40, 45, 50, 42, 48, 44, 47]))
    weak = Account("you", "all", _posts([5, 6, 4, 7, 5, 6, 5]), is_own=True)
    noisy = Account("them", "bluesky", _posts([0, 30, 2, 1, 25, 3, 0]))
    assert compare(strong, weak)["verdict"] == "higher"
    assert compare(weak, strong)["verdict"] == "lower"
    assert compare(noisy, Account("you", "all", _posts([9, 8, 10, 7, 9, 8, 11])))["verdict"] == "no clear difference"
    assert compare(Account("t", "bluesky", _posts([1, 2])), weak)["verdict"] == "not enough data"
