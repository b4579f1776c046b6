"""What about a post moves the audience: its topics, hashtags, link, media and length."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from socialdesk.networks.sandbox.vocabulary import TOPIC_NAMES, analyse
from socialdesk.text.entities import urls

# How much each kind of media lifts reactions (the best one attached counts).
MEDIA_FACTORS = {"image": 1.3, "gif": 1.2, "video": 1.5}
CAROUSEL_FACTOR = 1.45  # two or more images
LONG_TEXT = 400  # characters; beyond this every 1,500 more cost the post all its appeal...
LONGEST_PENALTY = 0.35  # ...but never more than this floor


@dataclass(frozen=True)
class PostFeatures:
    topic_weights: np.ndarray  # float32 (topics,), sums to 1, or all zero
    main_topic: str | None
    hashtags: tuple[str, ...]
    has_link: bool
    giveaway: bool
    price_talk: bool
    asks: bool  # the post asks its audience something
    video: bool
    media_factor: float
    save_factor: float
    length_factor: float
    comment_factor: float
    hashtag_reach: float  # how far hashtags carry the post to non-followers

    @property
    def has_topics(self) -> bool:
        return bool(self.topic_weights.any())

    def off_topic(self, account_topics: tuple[str, ...]) -> bool:
        """About something, and hardly about anything the account stands for."""
        if not self.has_topics or not account_topics:
            return False
        own = sum(float(self.topic_weights[TOPIC_NAMES.index(t)]) for t in account_topics)
        return own < 0.25


def post_features(text: str, media: tuple[str, ...], account_topics: tuple[str, ...] = ()) -> PostFeatures:
    found = analyse(text)
    weights = np.array([found.weights.get(name, 0.0) for name in TOPIC_NAMES], dtype=np.float32)
    main = max(found.weights, key=found.weights.__getitem__) if found.weights else None
    images = sum(1 for kind in media if kind == "image")
    media_factor = max([1.0] + [MEDIA_FACTORS.get(kind, 1.0) for kind in media])
    if images >= 2:
        media_factor = max(media_factor, CAROUSEL_FACTOR)
    length = len(text)
    length_factor = 1.0 if length <= LONG_TEXT else max(LONGEST_PENALTY, 1.0 - (length - LONG_TEXT) / 1500)
    asks = any(mark in text for mark in ("?", "¿", "？"))
    tags = len(found.hashtags)
    # A few hashtags help strangers find a post; a wall of them reads as spam.
    hashtag_reach = (0.3 + 0.35 * min(tags, 4)) * (0.6 if tags > 10 else 1.0)
    comment_factor = (1.8 if asks else 1.0) * (6.0 if found.giveaway else 1.0) * (1.4 if found.price_talk else 1.0)
    return PostFeatures(
        topic_weights=weights, main_topic=main, hashtags=found.hashtags, has_link=bool(urls(text)),
        giveaway=found.giveaway, price_talk=found.price_talk, asks=asks, video="video" in media,
        media_factor=media_factor, save_factor=1.5 if media else 1.0, length_factor=length_factor,
        comment_factor=comment_factor, hashtag_reach=hashtag_reach,
    )
