"""The best time to post on a channel, from how its past posts did and when its audience is active.

Each post published in the last LOOKBACK gets a score: its engagement rate by followers 7 days
after publishing, divided by the channel's average (1.0 = an average post). Reach is not the
normaliser: much of the effect of a good hour *is* reaching more people, so engagement per reached
person hides it. Scores are averaged per local hour of publishing, each hour pooled with its two
neighbours (one post every hour is rare; neighbouring hours share an audience). Resampling the posts
gives each hour an interval and a probability of being the best hour. With too few posts the answer
falls back to when the audience writes to the channel (comments, mentions, messages), and says so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
from sqlalchemy import func, select

from socialdesk.analytics import cache
from socialdesk.analytics import statistics as st
from socialdesk.analytics.definitions import METRICS
from socialdesk.analytics.post_values import Age, PostRecord, Sample, post_records
from socialdesk.channels.models import Channel
from socialdesk.content.models import Publication
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.inbox.models import InboxItem
from socialdesk.workspaces.context import WorkspaceContext

LOOKBACK = timedelta(weeks=8)
SCORE_METRIC = "engagement_rate_followers"
MIN_POSTS = 21  # about three weeks of one post a day
MIN_HOURS = 8  # posts at no fewer than this many different hours
MIN_POOLED = 3  # posts behind an hour (with its neighbours) before it can be recommended
# Posts at the very hour before it can be recommended: pooling lends an hour its neighbours' posts, but an
# hour nobody posted at has no data of its own, however good the hours either side of it.
MIN_AT_HOUR = 2
MIN_ACTIVITY_ITEMS = 30
TOP_SLOTS = 3
RESAMPLES = 1000
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class HourScore:
    hour: int
    n: int  # posts at this hour and its two neighbours
    posts: int  # posts at this very hour (any weekday)
    value: float | None  # mean score (1.0 = the channel's average post)
    low: float | None
    high: float | None
    p_best: float  # share of resamples in which this hour came out best


@dataclass(frozen=True)
class Slot:
    hour: int
    weekdays: tuple[int, ...]  # the days it is recommended on (all seven unless a day stands out)
    value: float | None
    low: float | None
    high: float | None
    p_best: float
    posts: int = 0  # posts published at this very hour: what the recommendation rests on
    pooled: int = 0  # with the hours either side
    messages: int = 0  # from the audience's activity instead: its messages at this hour

    @property
    def label(self) -> str:
        days = "every day" if len(self.weekdays) == 7 else ", ".join(WEEKDAYS[d] for d in self.weekdays)
        return f"{self.hour:02d}:00 ({days})"

    @property
    def basis(self) -> str:
        """What the slot rests on, in words."""
        if self.posts:
            return (f"from {self.posts} post{'' if self.posts == 1 else 's'} at {self.hour:02d}:00 "
                    f"({self.pooled} with the hours either side)")
        return f"from {self.messages} message{'' if self.messages == 1 else 's'} from the audience at this hour"


@dataclass
class BestTime:
    channel_id: str
    channel_name: str
    timezone: str
    source: str  # "posts", "activity" or "none"
    message: str
    posts_used: int
    hours: list[HourScore]
    weekdays: list[st.Estimate]  # mean score per weekday
    weekday_conclusion: str
    heatmap: list[list[float | None]]  # 7 × 24: expected score of a post at that weekday and hour
    counts: list[list[int]]  # 7 × 24: posts published there
    activity: list[float]  # share of the audience's messages by local hour (sums to 1, or all 0)
    activity_items: int
    slots: list[Slot] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        return self.source != "none"


def _local(records: list[PostRecord], timezone: str) -> tuple[np.ndarray, np.ndarray]:
    tz = zone(timezone)
    moments = [r.published_at.astimezone(tz) for r in records]
    return np.array([m.hour for m in moments], dtype=int), np.array([m.weekday() for m in moments], dtype=int)


def _pooled(sums: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each hour's mean together with its neighbours (the day wraps round); works on (…, 24) arrays."""
    s = sums + np.roll(sums, 1, axis=-1) + np.roll(sums, -1, axis=-1)
    c = counts + np.roll(counts, 1, axis=-1) + np.roll(counts, -1, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.maximum(c, 1), np.nan), c


def _pick_hours(values: np.ndarray, eligible: np.ndarray, count: int = TOP_SLOTS) -> list[int]:
    """The best eligible hours (those with data of their own), at least three hours apart (the shoulders
    of a chosen hour belong to its peak)."""
    chosen: list[int] = []
    for hour in np.argsort(-np.nan_to_num(values, nan=-np.inf)):
        hour = int(hour)
        if np.isnan(values[hour]) or not eligible[hour]:
            continue
        if all(min(abs(hour - h), 24 - abs(hour - h)) > 2 for h in chosen):
            chosen.append(hour)
        if len(chosen) == count:
            break
    return chosen


def score_posts(records: list[PostRecord]) -> tuple[list[PostRecord], np.ndarray]:
    """The posts that can be scored, and their scores relative to their average."""
    rates = Sample.of(records).values(METRICS[SCORE_METRIC])
    kept = [r for r, v in zip(records, rates, strict=True) if not np.isnan(v)]
    if not kept:
        return [], np.zeros(0)
    values = rates[~np.isnan(rates)]
    mean = values.mean()
    return kept, values / mean if mean > 0 else values


@lru_cache(maxsize=16)
def _resample_weights(n: int) -> np.ndarray:
    """How often each of n posts is drawn in each of RESAMPLES resamples, as floats for the matrix products.
    The same for every channel with n posts (a fixed seed), so drawn once per n: drawing them cost more
    than the rest of the hourly scores."""
    weights = np.random.default_rng(st.SEED).multinomial(n, np.full(n, 1.0 / n), size=RESAMPLES).astype(float)
    weights.flags.writeable = False
    return weights


def from_posts(kept: list[PostRecord], scores: np.ndarray, hours: np.ndarray) -> list[HourScore]:
    """Hourly scores (each hour pooled with its neighbours) with intervals and P(best)."""
    n = len(kept)
    if n == 0:
        return [HourScore(h, 0, 0, None, None, None, 0.0) for h in range(24)]
    onehot = np.zeros((n, 24))
    onehot[np.arange(n), hours] = 1.0
    own = onehot.sum(axis=0)
    values, pooled = _pooled(scores @ onehot, own)
    weights = _resample_weights(n)
    boot, _ = _pooled(weights @ (onehot * scores[:, None]), weights @ onehot)
    eligible = recommendable(pooled, own)
    masked = np.where(eligible & ~np.isnan(boot), boot, -np.inf)
    winners = np.bincount(masked.argmax(axis=1), minlength=24) / RESAMPLES
    tail = (1 - st.LEVEL) / 2 * 100
    with warnings.catch_warnings():  # hours without posts are all-NaN columns: they get no interval
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanpercentile(boot, [tail, 100 - tail], axis=0)
    result = [HourScore(h, int(pooled[h]), int(own[h]), None if np.isnan(values[h]) else float(values[h]),
                        None if pooled[h] < MIN_POOLED or np.isnan(low[h]) else float(low[h]),
                        None if pooled[h] < MIN_POOLED or np.isnan(high[h]) else float(high[h]),
                        float(winners[h]) if eligible[h] else 0.0) for h in range(24)]
    return result


def recommendable(pooled: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Hours that may be recommended: enough posts with the neighbours, and posts at the hour itself."""
    return (pooled >= MIN_POOLED) & (own >= MIN_AT_HOUR)


def recommend(ctx: WorkspaceContext, channel_id: str, *, now: datetime | None = None) -> BestTime:
    """The channel's best hours to post, in the workspace's time zone, with how sure we are.

    Kept (analytics/cache.py) while nothing it rests on changes: no snapshot written, the same posts and
    the same audience messages in the last LOOKBACK (first, last and how many of each)."""
    channel = ctx.get(Channel, channel_id, what="channel")
    if now is not None:
        return _recommend(ctx, channel, now)
    now = clock.now()
    since = now - LOOKBACK
    freshness = cache.version(ctx)
    posts = ctx.session.execute(select(
        func.count(), func.min(Publication.published_at), func.max(Publication.published_at),
        func.max(Publication.updated_at)).where(
        Publication.workspace_id == ctx.workspace_id, Publication.channel_id == channel_id,
        Publication.published_at >= since, Publication.published_at < now)).one()
    messages = ctx.session.execute(select(
        func.count(), func.min(InboxItem.received_at), func.max(InboxItem.received_at)).where(
        InboxItem.workspace_id == ctx.workspace_id, InboxItem.channel_id == channel_id,
        InboxItem.received_at >= since, InboxItem.received_at < now)).one()
    token = (freshness.version, tuple(posts), tuple(messages), channel.name, ctx.workspace.timezone)
    return cache.kept(("best_time", ctx.workspace_id, channel_id), token, now, freshness.newest_at,
                      lambda: _recommend(ctx, channel, now))


def _recommend(ctx: WorkspaceContext, channel: Channel, now: datetime) -> BestTime:
    channel_id = channel.id
    timezone = ctx.workspace.timezone
    records = post_records(ctx, now - LOOKBACK, now, age=Age.D7, channel_ids=[channel_id])
    kept, scores = score_posts(records)
    n = len(kept)
    post_hours, post_days = _local(kept, timezone)
    hours = from_posts(kept, scores, post_hours)
    activity, items = _activity(ctx, channel_id, now, timezone)
    counts = np.zeros((7, 24), dtype=int)
    np.add.at(counts, (post_days, post_hours), 1)
    weekdays = [st.mean_ci(scores[post_days == d]) for d in range(7)]
    strong_days, weekday_conclusion = _weekday_effect(scores, post_days)
    values = np.array([h.value if h.value is not None else np.nan for h in hours])
    eligible = recommendable(np.array([h.n for h in hours]), np.array([h.posts for h in hours]))
    distinct_hours = len(set(post_hours.tolist()))
    best = BestTime(channel.id, channel.name, timezone, "none", "", n, hours, weekdays, weekday_conclusion,
                    _heatmap(values, weekdays, np.array([h.posts for h in hours])), counts.tolist(),
                    activity.tolist(), items)
    picked = _pick_hours(values, eligible)
    by_hour = np.rint(activity * items).astype(int)  # the audience's messages per local hour
    if n >= MIN_POSTS and distinct_hours >= MIN_HOURS and picked:
        best.source = "posts"
        best.slots = [Slot(h, strong_days, hours[h].value, hours[h].low, hours[h].high, hours[h].p_best,
                           posts=hours[h].posts, pooled=hours[h].n) for h in picked]
        best.message = (f"From {n} posts of the last {LOOKBACK.days // 7} weeks, measured 7 days after publishing "
                        f"(engagement rate by followers; 1.0 = the channel's average post). Only hours with "
                        f"{MIN_AT_HOUR} or more posts of their own are recommended.")
    elif items >= MIN_ACTIVITY_ITEMS:
        best.source = "activity"
        # An hour without a single message from the audience is no recommendation either.
        best.slots = [Slot(h, tuple(range(7)), None, None, None, 0.0, messages=int(by_hour[h]))
                      for h in _pick_hours(activity, by_hour > 0)]
        best.message = (f"Not enough posts yet to learn from their results ({n} measured posts, at {distinct_hours} "
                        f"different hours; {MIN_POSTS} posts at {MIN_HOURS} or more hours needed). Until then, "
                        f"these are the hours when the audience wrote to the channel ({items} messages).")
    else:
        best.message = (f"Not enough data: {n} measured posts at {distinct_hours} different hours (an hour is "
                        f"recommended once it has {MIN_AT_HOUR} posts of its own among {MIN_POSTS} or more) and "
                        f"{items} messages from the audience. Post at varied hours for three weeks or more.")
    return best


def _weekday_effect(scores: np.ndarray, days: np.ndarray) -> tuple[tuple[int, ...], str]:
    """Days that beat the others with an adjusted interval above zero; otherwise every day."""
    sized = [d for d in range(7) if (days == d).sum() >= st.MIN_POSTS and (days != d).sum() >= st.MIN_POSTS]
    if len(sized) < 2:
        return tuple(range(7)), "Not enough data to tell the days of the week apart."
    level = st.adjusted_level(len(sized))
    better = tuple(d for d in sized
                   if st.verdict(st.mean_difference(scores[days == d], scores[days != d], level=level))
                   == st.Verdict.HIGHER)
    if not better:
        return tuple(range(7)), "No day of the week stands out: the intervals of the differences include zero."
    return better, f"{', '.join(WEEKDAYS[d] for d in better)} beat the other days (adjusted interval above zero)."


def _heatmap(hour_values: np.ndarray, weekdays: list[st.Estimate], own: np.ndarray) -> list[list[float | None]]:
    """Expected score by weekday and hour: the hour's score times the weekday's, shrunk toward 1.

    With a few weeks of posts a cell holds zero or one post, so cells are not averaged alone: the
    hour carries the daily rhythm and the weekday scales it, the less the fewer posts it has. An hour
    without posts of its own stays blank: its neighbours' posts say nothing certain about it.
    """
    rows = []
    for estimate in weekdays:
        factor = 1.0
        if estimate.value is not None:
            weight = estimate.n / (estimate.n + 10)
            factor = 1 + (estimate.value - 1) * weight
        rows.append([None if np.isnan(v) or not n else round(float(v * factor), 3)
                     for v, n in zip(hour_values, own, strict=True)])
    return rows


def _activity(ctx: WorkspaceContext, channel_id: str, now: datetime, timezone: str) -> tuple[np.ndarray, int]:
    tz = zone(timezone)
    moments = ctx.session.scalars(select(InboxItem.received_at).where(
        InboxItem.workspace_id == ctx.workspace_id, InboxItem.channel_id == channel_id,
        InboxItem.received_at >= now - LOOKBACK, InboxItem.received_at < now)).all()
    counts = np.bincount([clock.utc(m).astimezone(tz).hour for m in moments], minlength=24).astype(float)
    return (counts / counts.sum() if counts.sum() else counts), len(moments)


def best_weekly_times(ctx: WorkspaceContext, channel_ids: list[str]) -> list[tuple[int, str]]:
    """Weekly (weekday, "HH:00") times good for all the channels together, for the queue.

    Channels with enough data vote with their hourly scores (each channel's own average is 1.0, so
    one big channel does not drown the others); days are kept only where every voting channel
    recommends them.
    """
    results = [recommend(ctx, channel_id) for channel_id in channel_ids]
    voting = [r for r in results if r.enough]
    if not voting:
        names = ", ".join(r.channel_name for r in results)
        raise ValidationFailed(f"Not enough history yet to recommend a time for {names}. Post at varied hours "
                               "for a few weeks, or use the queue's slots.")
    if len(voting) == 1:
        slots = voting[0].slots
        return sorted({(d, f"{s.hour:02d}:00") for s in slots for d in s.weekdays})
    curves, eligible = [], np.ones(24, dtype=bool)
    for r in voting:
        if r.source == "posts":
            curves.append(np.array([h.value if h.value is not None else np.nan for h in r.hours]))
            eligible &= recommendable(np.array([h.n for h in r.hours]), np.array([h.posts for h in r.hours]))
        else:
            curves.append(np.array(r.activity) * 24)
            eligible &= np.array(r.activity) > 0
    combined = np.nanmean(np.vstack(curves), axis=0)
    days = set(range(7))
    for r in voting:
        days &= {d for s in r.slots for d in s.weekdays}
    # Only hours every voting channel has data of its own for.
    hours = _pick_hours(combined, eligible)
    if not hours:
        names = ", ".join(r.channel_name for r in voting)
        raise ValidationFailed(f"Not enough data to recommend a time for {names} together: no hour has posts (or "
                               "messages from the audience) on every one of them. Pick a time, or use the "
                               "queue's slots.")
    return sorted({(d, f"{h:02d}:00") for h in hours for d in (days or set(range(7)))})


def next_best_slot(ctx: WorkspaceContext, channel_ids: list[str], *, after: datetime | None = None,
                   exclude_post_id: str | None = None) -> datetime:
    """The next recommended time that is free on all the channels (the queue's rule, best times as slots)."""
    from socialdesk.scheduling.service import next_free_slot

    return next_free_slot(ctx, channel_ids, after=after, exclude_post_id=exclude_post_id,
                          weekly=best_weekly_times(ctx, channel_ids))
