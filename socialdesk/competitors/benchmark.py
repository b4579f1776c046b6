"""The benchmark's numbers for one account (a competitor or the workspace's own channels) over a period,
with intervals and sample sizes. Pure: it reads what it is given and knows nothing of the database.

Engagement of a post = likes + reposts + replies, read at the newest snapshot that saw it (YouTube has no
reposts: likes + comments; VK: likes + reposts + comments). Views per post where the network shows views
(YouTube, VK), over the posts that have them. Per post: the
mean with a bootstrap interval (analytics/statistics.mean_ci); per follower: Σ engagement ÷ Σ followers
when posted, in %, with a bootstrap interval over posts (ratio_ci). Below MIN_POSTS posts a number is
shown without an interval and flagged "not enough data"; posts per week gets an exact Poisson interval.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from socialdesk.analytics import statistics
from socialdesk.analytics.statistics import MIN_POSTS, Estimate

FORMATS = ("text", "image", "video", "link")  # others (YouTube's and VK's "short") follow when present
NOT_ENOUGH = "not enough data"


@dataclass(frozen=True)
class BenchPost:
    posted_at: datetime
    likes: int
    reposts: int
    replies: int
    format: str = "text"
    hashtags: tuple[str, ...] = ()
    url: str = ""
    text: str = ""
    followers: int | None = None  # the account's followers when it was posted (nearest snapshot)
    key: str = ""  # the same post on several channels shares a key (own posts: the post's id)
    views: int | None = None  # where the network shows them

    @property
    def engagement(self) -> int:
        return self.likes + self.reposts + self.replies


@dataclass
class Account:
    name: str
    network: str
    posts: list[BenchPost]
    followers_start: int | None = None
    followers_end: int | None = None
    is_own: bool = False
    notes: list[str] = field(default_factory=list)


def estimate_dict(e: Estimate, digits: int = 2) -> dict[str, Any]:
    def r(v: float | None) -> float | None:
        return None if v is None else round(v, digits)
    return {"value": r(e.value), "low": r(e.low), "high": r(e.high), "n": e.n,
            "enough": e.enough, "note": "" if e.enough else NOT_ENOUGH}


def posts_per_week(n: int, days: float, level: float = statistics.LEVEL) -> Estimate:
    """n posts in `days` days as a weekly rate, with the exact (Garwood) Poisson interval."""
    if days <= 0:
        return Estimate.none(n)
    from scipy import stats

    weeks = days / 7
    tail = (1 - level) / 2
    low = 0.0 if n == 0 else stats.chi2.ppf(tail, 2 * n) / 2
    high = stats.chi2.ppf(1 - tail, 2 * n + 2) / 2
    if n < MIN_POSTS:
        return Estimate(n / weeks, None, None, n)
    return Estimate(n / weeks, float(low / weeks), float(high / weeks), n)


def growth(start: int | None, end: int | None) -> dict[str, Any]:
    if start is None or end is None:
        return {"start": start, "end": end, "change": None, "percent": None,
                "note": "one follower count only: growth needs two snapshots in the period"}
    percent = None if start == 0 else round((end - start) / start * 100, 2)
    return {"start": start, "end": end, "change": end - start, "percent": percent, "note": ""}


def best_hours(posts: list[BenchPost], zone: ZoneInfo, top: int = 3) -> dict[str, Any]:
    """Hours of the day (in the workspace's time zone) with the highest mean engagement, among hours with
    at least MIN_POSTS posts; intervals at a Bonferroni-adjusted level since the best of k is picked."""
    by_hour: dict[int, list[int]] = defaultdict(list)
    for post in posts:
        by_hour[post.posted_at.astimezone(zone).hour].append(post.engagement)
    eligible = {h: v for h, v in by_hour.items() if len(v) >= MIN_POSTS}
    if not eligible:
        return {"hours": [], "note": f"{NOT_ENOUGH}: no hour of the day has {MIN_POSTS} posts yet"}
    level = statistics.adjusted_level(len(eligible))
    ranked = sorted(((h, statistics.mean_ci(v, level)) for h, v in eligible.items()),
                    key=lambda item: item[1].value or 0, reverse=True)[:top]
    return {"hours": [{"hour": h, **estimate_dict(e)} for h, e in ranked], "level": round(level, 4),
            "note": "hours overlap in their intervals: treat the order as a hint" if len(ranked) > 1 and
            (ranked[0][1].low or 0) < (ranked[1][1].high or 0) else ""}


def top_posts(posts: list[BenchPost], top: int = 3) -> list[dict[str, Any]]:
    """The posts with the most engagement; a post published on several channels is one entry, with the
    engagement of all its channels added up and the number of channels."""
    merged: dict[str, dict[str, Any]] = {}
    for index, p in enumerate(posts):
        key = p.key or f"#{index}"  # without a key, every post is its own
        entry = merged.get(key)
        if entry is None:
            merged[key] = {"url": p.url, "text": p.text[:140], "engagement": p.engagement,
                           "posted_at": p.posted_at.isoformat(), "format": p.format, "channels": 1,
                           "views": p.views}
        else:
            entry["engagement"] += p.engagement
            entry["channels"] += 1
            entry["posted_at"] = min(entry["posted_at"], p.posted_at.isoformat())
            entry["url"] = entry["url"] or p.url
            if p.views is not None:
                entry["views"] = (entry["views"] or 0) + p.views
    return sorted(merged.values(), key=lambda e: (-e["engagement"], e["posted_at"]))[:top]


def summarise(account: Account, days: float, zone: ZoneInfo, top: int = 3) -> dict[str, Any]:
    posts = account.posts
    engagement = [p.engagement for p in posts]
    with_followers = [p for p in posts if p.followers]
    formats = Counter(p.format for p in posts)
    tags: dict[str, list[int]] = defaultdict(list)
    for post in posts:
        for tag in post.hashtags:
            tags[tag].append(post.engagement)
    top_tags = sorted(tags.items(), key=lambda kv: (-len(kv[1]), -sum(kv[1]), kv[0]))[:5]
    return {
        "name": account.name, "network": account.network, "own": account.is_own,
        "posts": len(posts),
        "followers": growth(account.followers_start, account.followers_end),
        "posts_per_week": estimate_dict(posts_per_week(len(posts), days)),
        "engagement_per_post": estimate_dict(statistics.mean_ci(engagement)),
        "views_per_post": estimate_dict(statistics.mean_ci([p.views for p in posts if p.views is not None])),
        "engagement_per_follower_percent": estimate_dict(statistics.ratio_ci(
            [p.engagement for p in with_followers], [float(p.followers or 0) for p in with_followers]), 3),
        "formats": {f: {"posts": formats.get(f, 0),
                        "share": round(formats.get(f, 0) / len(posts) * 100, 1) if posts else None}
                    for f in (*FORMATS, *sorted(set(formats) - set(FORMATS)))},
        "top_posts": top_posts(posts, top),
        "top_hashtags": [{"tag": t, "posts": len(v), "mean_engagement": round(sum(v) / len(v), 2)}
                         for t, v in top_tags],
        "best_hours": best_hours(posts, zone),
        "notes": account.notes,
    }


def compare(competitor: Account, own: Account) -> dict[str, Any]:
    """Competitor's engagement per post minus ours: 'higher'/'lower' only when the interval excludes 0."""
    difference = statistics.mean_difference([p.engagement for p in competitor.posts],
                                            [p.engagement for p in own.posts])
    verdict = statistics.verdict(difference)
    return {"engagement_per_post_difference": estimate_dict(difference),
            "verdict": statistics.VERDICT_TEXT[verdict]}
