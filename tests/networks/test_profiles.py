"""The per-network capability profiles."""

from __future__ import annotations

import json

import pytest

from socialdesk.core.errors import NotFound
from socialdesk.networks.base import (
    ACCOUNT_METRICS,
    POST_METRICS,
    IdempotencyMethod,
    MediaKind,
    TextCounting,
)
from socialdesk.networks.profiles import NETWORK_PROFILES, post_metrics, profile

NETWORKS = ["instagram", "x", "bluesky", "mastodon", "facebook", "threads", "linkedin", "telegram",
            "youtube", "tiktok", "pinterest", "vk", "generic"]


def test_every_network_has_a_profile() -> None:
    assert sorted(NETWORK_PROFILES) == sorted(NETWORKS)


@pytest.mark.parametrize("name", NETWORKS)
def test_profile_is_coherent(name: str) -> None:
    caps = profile(name)
    assert caps.label
    assert caps.text.limit > 0
    assert caps.post_metrics <= set(POST_METRICS)
    assert caps.account_metrics <= set(ACCOUNT_METRICS)
    if caps.media.kinds:
        assert caps.media.max_count >= 1
    if caps.media.required:
        assert caps.media.kinds
    if caps.text.caption_limit is not None:
        assert caps.text.caption_limit <= caps.text.limit
    if caps.rate_limit is not None:
        assert caps.rate_limit.posts > 0 and caps.rate_limit.per_seconds > 0
    if not caps.comments:
        assert not (caps.reply or caps.hide_comments or caps.delete_comments)
    json.dumps(caps.to_dict())  # the composer sends it to the browser as is


def test_unknown_network_names_the_known_ones() -> None:
    with pytest.raises(NotFound) as raised:
        profile("myspace")
    assert "'myspace'" in raised.value.message
    assert "bluesky, facebook, generic, instagram" in raised.value.message
    assert raised.value.details["known"] == sorted(NETWORKS)


def test_text_counting_rules() -> None:
    assert profile("x").text.counting is TextCounting.X_WEIGHTED
    assert (profile("x").text.limit, profile("x").text.url_length) == (280, 23)
    assert (profile("bluesky").text.limit, profile("bluesky").text.byte_limit) == (300, 3000)
    assert profile("bluesky").text.counting is TextCounting.GRAPHEMES
    # Mastodon counts grapheme clusters (StatusLengthValidator), links as 23.
    assert profile("mastodon").text.counting is TextCounting.GRAPHEMES
    assert (profile("mastodon").text.limit, profile("mastodon").text.url_length) == (500, 23)
    assert profile("threads").text.counting is TextCounting.UTF8_EMOJI
    assert (profile("telegram").text.limit, profile("telegram").text.caption_limit) == (4096, 1024)
    assert profile("instagram").text.limit == 2200


@pytest.mark.parametrize(("name", "required"), [
    ("instagram", True), ("tiktok", True), ("youtube", True), ("pinterest", True),
    ("x", False), ("bluesky", False), ("mastodon", False), ("telegram", False), ("linkedin", False),
])
def test_media_required_where_the_network_has_no_text_posts(name: str, required: bool) -> None:
    assert profile(name).media.required is required


def test_media_limits() -> None:
    x, bluesky = profile("x").media, profile("bluesky").media
    assert x.video_alone and bluesky.video_alone
    assert (x.max_count, x.max_image_bytes, x.max_video_seconds) == (4, 5 * 1024 * 1024, 140)
    assert (bluesky.max_image_bytes, bluesky.max_video_bytes) == (1_000_000, 100_000_000)
    assert profile("youtube").media.kinds == {MediaKind.VIDEO}
    assert MediaKind.GIF not in profile("instagram").media.kinds
    assert profile("instagram").media.max_count == 10


def test_metrics_offered() -> None:
    assert "impressions" not in profile("mastodon").post_metrics
    assert "impressions" not in profile("bluesky").post_metrics
    assert "views" not in profile("bluesky").post_metrics
    assert {"reach", "views", "saves"} <= profile("instagram").post_metrics
    assert "impressions" in profile("x").post_metrics
    assert profile("telegram").post_metrics == {"likes"}  # reactions only; no views in the Bot API
    assert "followers" in profile("youtube").account_metrics


def test_moderation_and_scheduling() -> None:
    assert profile("mastodon").native_scheduling and not profile("mastodon").hide_comments
    assert profile("instagram").hide_comments and not profile("instagram").native_scheduling
    assert profile("x").threads and profile("x").polls and profile("x").direct_messages
    assert not profile("threads").direct_messages
    assert not profile("tiktok").comments


def test_idempotency() -> None:
    keyed = {name for name, caps in NETWORK_PROFILES.items() if caps.idempotency is IdempotencyMethod.KEY}
    assert keyed == {"mastodon", "vk"}  # Idempotency-Key header; wall.post guid
    assert all(caps.idempotency is not IdempotencyMethod.NONE for caps in NETWORK_PROFILES.values())


def test_rate_limits() -> None:
    x, mastodon = profile("x").rate_limit, profile("mastodon").rate_limit
    assert x is not None and (x.posts, x.per_seconds) == (100, 15 * 60)  # POST /2/tweets per user
    assert mastodon is not None and (mastodon.posts, mastodon.per_seconds) == (300, 3 * 3600)
    assert profile("linkedin").rate_limit is None  # not published


def test_a_misspelt_metric_name_fails_loudly() -> None:
    with pytest.raises(ValueError, match="impresions"):
        post_metrics("likes impresions")
