"""What the audience does with a post: a deterministic timeline of views and reactions.

`simulate_post` is a pure function of the population, the post (sequence number, time, text,
media) and who followed the account when it went out. It returns every event with its timestamp;
"metrics at time t" are the events up to t, so numbers only grow, and a deleted post stops at its
deletion time. `AccountSimulation` runs the posts of one account in publication order (each post's
follows and unfollows change who sees the next one) and caches the timelines, which are pure.

The model, per member and per clock hour after publishing (numbers: the constants below and the
tables in docs/sandbox.md, which must be kept in step with them):

    seeing rate  = K x level x visibility(age) x activity(local hour, weekday)
    visibility   = a sum of decaying exponentials (VISIBILITY): most views in the first hour or two
    K            = K_FEED for followers; for non-followers K_DISCOVERY x hashtag reach x topic match,
                   and K_REPOST from the hour after someone they know reposted it

A member sees the post at most once as "reach" (then sometimes again: extra impressions), and on
seeing it reacts with probabilities that grow with topic match, media, attention (how active the
member is at that hour) and freshness (how new the post still is), and shrink with very long texts.
Reposts expose more members, up to REPOST_GENERATIONS deep.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from socialdesk.networks.sandbox import campaigns, chatter
from socialdesk.networks.sandbox.audience import AccountParams, Population, activity_at, local_table, population
from socialdesk.networks.sandbox.seeding import rng_for
from socialdesk.networks.sandbox.text_features import PostFeatures, post_features
from socialdesk.networks.sandbox.timegrid import DAY, HOUR

WINDOW_HOURS = 168  # nothing happens to a post more than a week after it went out
VISIBILITY = ((0.975, 0.5), (0.02, 4.0), (0.005, 24.0))  # (weight, time constant in hours)
K_FEED = 0.14
K_DISCOVERY = 0.04
K_REPOST = 0.5
REPOST_FANOUT = 5.0  # members a repost exposes, times the reposter's activity level
REPOST_GENERATIONS = 3
THREAD_REPLY_SHARE = 0.18  # comments answering an earlier comment rather than the post
QUOTE_SHARE = 0.25  # reposts that add a comment of their own
BOT_COMMENT = 0.03  # a spam bot's chance to comment on what it sees
BOT_LIKE = 0.1
FRESHNESS_HOURS = 2.0  # reactions to a post fall with its age when seen...
FRESHNESS_FLOOR = 0.4  # ...to this share of a fresh post's


def visibility_between(start_hours: np.ndarray, end_hours: np.ndarray) -> np.ndarray:
    """The visibility curve integrated between two ages (hours after publication)."""
    total = np.zeros(np.broadcast(start_hours, end_hours).shape)
    for weight, tau in VISIBILITY:
        total += weight * tau * (np.exp(-start_hours / tau) - np.exp(-end_hours / tau))
    return total.astype(np.float32)


# Visibility of whole hours of age, for exposures that start on the hour (through a repost).
VIS = visibility_between(np.arange(WINDOW_HOURS, dtype=np.float64), np.arange(1, WINDOW_HOURS + 1, dtype=np.float64))


@dataclass(frozen=True)
class PostInput:
    """A published post as the simulation sees it (times are epoch seconds)."""

    seq: int
    published_at: float
    text: str
    media: tuple[str, ...] = ()  # kinds: "image", "gif", "video"
    reply_to: int | None = None
    deleted_at: float | None = None

    def identity(self) -> tuple[object, ...]:
        """What the post's own timeline depends on (its deletion only cuts the timeline off)."""
        return (self.seq, self.published_at, self.text, self.media, self.reply_to)


@dataclass(frozen=True)
class Comment:
    time: float
    member: int
    kind: str  # phrases.COMMENT_KINDS
    language: str
    text: str
    parent: int | None  # index of the comment it answers, in the same timeline


@dataclass(frozen=True, eq=False)
class PostTimeline:
    seq: int
    published_at: float
    impressions: np.ndarray  # sorted event times
    reach: np.ndarray
    plays: np.ndarray  # video plays (empty for other posts)
    likes: np.ndarray
    reposts: np.ndarray
    quotes: np.ndarray
    saves: np.ndarray
    clicks: np.ndarray
    comments: tuple[Comment, ...]  # in time order
    comment_times: np.ndarray
    gain_members: np.ndarray  # members who followed because of this post
    gain_times: np.ndarray
    loss_members: np.ndarray  # followers who left because of it
    loss_times: np.ndarray
    video: bool

    def counts(self, at: float, cutoff: float | None = None) -> dict[str, int]:
        """Totals of each kind of event up to `at` (and not after `cutoff`, a deletion)."""
        limit = at if cutoff is None else min(at, cutoff)

        def upto(times: np.ndarray) -> int:
            return int(np.searchsorted(times, limit, side="right"))

        return {
            "impressions": upto(self.impressions), "reach": upto(self.reach),
            "views": upto(self.plays) if self.video else upto(self.impressions),
            "likes": upto(self.likes), "reposts": upto(self.reposts), "quotes": upto(self.quotes),
            "saves": upto(self.saves), "clicks": upto(self.clicks), "comments": upto(self.comment_times),
        }


@dataclass
class _Viewers:
    members: np.ndarray
    times: np.ndarray
    activity: np.ndarray  # the member's activity in the hour they saw it


def _no_viewers() -> _Viewers:
    return _Viewers(np.empty(0, dtype=np.intp), np.empty(0), np.empty(0, dtype=np.float32))


class _Exposure:
    """Turns seeing rates into first-view times for a piecewise-constant hazard per hour.

    A member sees the post when the accumulated hazard passes an exponential draw. Whether that
    happens at all within the window depends only on the total hazard, which for the feed is a dot
    product of the member's daily curve with hour-of-day weights of their zone; only those who do see
    it need the hour-by-hour accumulation, and within the hour the crossing point is interpolated
    (exact for a constant hazard).
    """

    def __init__(self, pop: Population, t0: float) -> None:
        self.pop = pop
        self.t0 = t0
        # Hour bins follow the clock (every zone here is a whole number of hours from UTC), so a
        # member's activity is constant within each: the first bin is what is left of the hour of
        # publication, then whole hours.
        first = np.ceil(t0 / HOUR) * HOUR
        edges = np.concatenate(([t0], first + HOUR * np.arange(WINDOW_HOURS)))
        if edges[1] == edges[0]:
            edges = t0 + HOUR * np.arange(WINDOW_HOURS + 1)
        self.starts, self.widths = edges[:-1], np.diff(edges)
        ages = (edges - t0) / HOUR
        self.visibility = visibility_between(ages[:-1], ages[1:])
        self.table = local_table(pop, self.starts + self.widths / 2)
        # weights[zone, local hour] = visibility spent in that local hour, times the weekday factor.
        self.weights = np.zeros((len(pop.zones), 24), dtype=np.float64)
        for zi, (hours, weekdays) in enumerate(self.table):
            self.weights[zi] = np.bincount(hours, weights=self.visibility * pop.weekday_factor[weekdays],
                                           minlength=24)

    def feed(self, rng: np.random.Generator, rate: np.ndarray) -> _Viewers:
        """Every member, each at their own rate, from the moment of publication."""
        pop = self.pop
        per_member = (pop.curves * self.weights[pop.zone_index].astype(np.float32)).sum(axis=1)
        return self._draw(rng, np.arange(pop.size), rate * per_member, None, rate)

    def from_bins(self, rng: np.random.Generator, members: np.ndarray, rate: np.ndarray,
                  start_bins: np.ndarray) -> _Viewers:
        """Members exposed from a later hour on (through a repost), visibility counted from there."""
        visibility = self._visibility(start_bins)
        activity = activity_at(self.pop, self.starts, members, self.table)
        totals = rate * (visibility * activity).sum(axis=1)
        return self._draw(rng, members, totals, start_bins, rate)

    def _visibility(self, start_bins: np.ndarray | None) -> np.ndarray:
        if start_bins is None:
            return self.visibility[None, :]
        age = np.arange(WINDOW_HOURS)[None, :] - start_bins[:, None]
        return np.where(age >= 0, VIS[np.clip(age, 0, WINDOW_HOURS - 1)], np.float32(0))

    def _draw(self, rng: np.random.Generator, members: np.ndarray, totals: np.ndarray,
              start_bins: np.ndarray | None, rate: np.ndarray) -> _Viewers:
        if members.size == 0:
            return _no_viewers()
        u = rng.random(members.size)
        sees = u < -np.expm1(-totals)
        rows = np.flatnonzero(sees)
        if rows.size == 0:
            return _no_viewers()
        # The exponential draw behind u, known to fall below the member's total hazard.
        threshold = -np.log1p(-u[rows])
        who = members[rows]
        activity = activity_at(self.pop, self.starts, who, self.table)
        visibility = self._visibility(None if start_bins is None else start_bins[rows])
        hazard = np.cumsum(rate[rows, None] * visibility * activity, axis=1, dtype=np.float64)
        bins = np.minimum((hazard < threshold[:, None]).sum(axis=1), WINDOW_HOURS - 1)
        index = np.arange(rows.size)
        before = np.where(bins > 0, hazard[index, np.maximum(bins - 1, 0)], 0.0)
        step = hazard[index, bins] - before
        fraction = np.clip((threshold - before) / np.where(step > 0, step, 1.0), 0.0, 1.0)
        return _Viewers(who, self.starts[bins] + fraction * self.widths[bins], activity[index, bins])


@dataclass
class _Reactions:
    likes: list[np.ndarray]
    saves: list[np.ndarray]
    clicks: list[np.ndarray]
    reposts: list[np.ndarray]
    quotes: list[np.ndarray]
    impressions: list[np.ndarray]
    plays: list[np.ndarray]
    comment_members: list[np.ndarray]
    comment_times: list[np.ndarray]
    comment_kinds: list[np.ndarray]
    gain_members: list[np.ndarray]
    gain_times: list[np.ndarray]
    loss_members: list[np.ndarray]
    loss_times: list[np.ndarray]

    @classmethod
    def empty(cls) -> _Reactions:
        return cls(*([] for _ in range(14)))


_KIND_CODES = ("positive", "neutral", "question", "angry", "spam", "entry")


class _PostRun:
    """One post's simulation; holds what every generation of viewers shares."""

    def __init__(self, pop: Population, post: PostInput, following: np.ndarray, recent_posts: int) -> None:
        self.pop = pop
        self.post = post
        self.following = following
        self.rng = rng_for(pop.params.seed, "post", pop.params.handle, post.seq)
        self.features: PostFeatures = post_features(post.text, post.media, pop.params.topics)
        self.campaign = campaigns.read(post.text, self.features.giveaway, self.features.hashtags)
        self.t0 = post.published_at
        self.end = self.t0 + WINDOW_HOURS * HOUR
        self.exposure = _Exposure(pop, self.t0)
        f = self.features
        affinity = pop.interests @ f.topic_weights if f.has_topics else np.zeros(pop.size, dtype=np.float32)
        self.affinity = affinity
        self.topic_factor = (0.35 + 1.65 * affinity) if f.has_topics else np.full(pop.size, 0.75, np.float32)
        extra = max(0.0, recent_posts - pop.params.comfortable_posts_per_day)
        self.frequency_factor = 1.0 + 0.75 * extra  # posting too often annoys followers
        self.out = _Reactions.empty()

    def run(self) -> PostTimeline:
        pop, f = self.pop, self.features
        thread_factor = 0.5 if self.post.reply_to is not None else 1.0
        discovery = K_DISCOVERY * f.hashtag_reach * (0.2 + 2.0 * self.affinity)
        rate = np.where(self.following, K_FEED, discovery) * pop.level * thread_factor
        viewers = self.exposure.feed(self.rng, rate)
        seen = np.zeros(pop.size, dtype=bool)
        seen[viewers.members] = True
        reach = [viewers.times]
        reposters = self._react(viewers)
        for _ in range(REPOST_GENERATIONS):
            if reposters[0].size == 0:
                break
            viewers = self._spread(reposters, seen)
            seen[viewers.members] = True
            reach.append(viewers.times)
            reposters = self._react(viewers)
        return self._timeline(np.concatenate(reach))

    def _spread(self, reposters: tuple[np.ndarray, np.ndarray], seen: np.ndarray) -> _Viewers:
        """Members who have not seen the post yet, reached through the reposts' own followers."""
        members, times = reposters
        fanout = self.rng.poisson(REPOST_FANOUT * self.pop.level[members])
        candidates = np.flatnonzero(~seen)
        total = min(int(fanout.sum()), candidates.size)
        if total == 0:
            return _no_viewers()
        exposed = self.rng.choice(candidates, size=total, replace=False)
        start_times = np.repeat(times, fanout)[:total]
        # The repost reaches its audience from the next hour bin on.
        start_bins = np.searchsorted(self.exposure.starts, start_times, side="left")
        keep = start_bins < WINDOW_HOURS
        exposed, start_bins = exposed[keep], start_bins[keep]
        rate = K_REPOST * self.pop.level[exposed]
        return self.exposure.from_bins(self.rng, exposed, rate, start_bins)

    def _react(self, v: _Viewers) -> tuple[np.ndarray, np.ndarray]:
        """Record what the viewers do; return the reposts (members, times) for the next generation."""
        pop, f, rng, out = self.pop, self.features, self.rng, self.out
        m, t, n = v.members, v.times, v.members.size
        human = ~pop.bot[m]
        # Attention: a member in their busiest hour reacts more readily than one idly scrolling at an
        # odd hour. Freshness: a post seen hours after it went out is old news and draws fewer reactions.
        attention = 0.2 + 0.8 * np.minimum(1.0, v.activity / pop.curve_max[m])
        freshness = FRESHNESS_FLOOR + (1.0 - FRESHNESS_FLOOR) * np.exp(-(t - self.t0) / (FRESHNESS_HOURS * HOUR))
        attention = attention * freshness
        tf = self.topic_factor[m]
        appeal = tf * f.media_factor * f.length_factor * attention
        like = pop.like[m]
        p_like = np.where(human, np.clip(0.5 * like * appeal, 0, 0.9), BOT_LIKE)
        p_save = np.where(human, np.clip(0.06 * like * tf * f.save_factor * f.length_factor, 0, 0.5), 0.0)
        p_repost = np.where(human, np.clip(0.5 * pop.share[m] * appeal, 0, 0.5), 0.0)
        p_click = np.where(human & f.has_link, np.clip(0.03 * np.sqrt(like / 0.2) * tf * attention, 0, 0.6), 0.0)
        comment_factor = f.comment_factor * self.campaign.comment_boost  # 1 but for attractive giveaways and quizzes
        p_comment = np.where(human, np.clip(0.3 * pop.comment[m] * tf * attention * comment_factor, 0, 0.8),
                             BOT_COMMENT)
        p_comment = np.where(pop.troll[m], 0.8, p_comment)  # a troll comments on whatever they see
        follows = self.following[m]
        p_follow = np.where(~follows, np.clip(0.08 * tf * np.sqrt(f.media_factor)
                                              * (1.0 + pop.account_affinity[m]), 0, 0.5), 0.0)
        off_topic = 5.0 if f.off_topic(pop.params.topics) else 1.0
        p_leave = np.where(follows & human, np.clip(0.0015 * off_topic * self.frequency_factor
                                                    * (1.0 + 4.0 * pop.anger[m]), 0, 0.3), 0.0)
        u = rng.random((8, n))
        # Every delay is drawn for every viewer, used or not, so one reaction's odds never shift
        # another's random stream.
        delays = rng.exponential(1.0, size=(7, n)) * np.array([[90.0], [120.0], [30.0], [300.0], [240.0],
                                                              [600.0], [1200.0]])
        did_like, did_save, did_click = u[0] < p_like, u[1] < p_save, u[2] < p_click
        did_repost, did_comment = u[3] < p_repost, u[4] < p_comment
        did_follow, did_leave = u[5] < p_follow, u[6] < p_leave
        quoted = did_repost & (u[7] < QUOTE_SHARE)
        out.likes.append(t[did_like] + delays[0][did_like])
        out.saves.append(t[did_save] + delays[1][did_save])
        out.clicks.append(t[did_click] + delays[2][did_click])
        repost_times = t + delays[3]
        out.reposts.append(repost_times[did_repost & ~quoted])
        out.quotes.append(repost_times[quoted])
        out.gain_members.append(m[did_follow])
        out.gain_times.append(t[did_follow] + delays[5][did_follow])
        out.loss_members.append(m[did_leave])
        out.loss_times.append(t[did_leave] + delays[6][did_leave])
        self._comments(m[did_comment], t[did_comment] + 20.0 + delays[4][did_comment])
        self._impressions(m, t)
        return m[did_repost], repost_times[did_repost]

    def _impressions(self, members: np.ndarray, first: np.ndarray) -> None:
        """The first view, and a few repeat views for the more active, later on."""
        rng, out = self.rng, self.out
        repeats = rng.poisson(0.3 * np.sqrt(self.pop.level[members]))
        later = np.repeat(first, repeats) + rng.exponential(8 * HOUR, size=int(repeats.sum()))
        later = later[later < self.end]
        out.impressions += [first, later]
        if self.features.video:
            # Autoplay counts as a view on most networks once a few seconds have played.
            out.plays += [first[rng.random(first.size) < 0.75], later[rng.random(later.size) < 0.5]]

    def _comments(self, members: np.ndarray, times: np.ndarray) -> None:
        pop, f, rng = self.pop, self.features, self.rng
        u = rng.random((3, members.size))
        angry = np.clip(pop.anger[members] * (2.5 if f.off_topic(pop.params.topics) else 1.0)
                        * self.frequency_factor, 0, 0.9)
        asking = np.clip(pop.question[members] * (1.6 if f.price_talk or f.asks else 1.0), 0, 0.9)
        kinds = np.where(u[0] < angry, 3, np.where(u[0] < angry + asking, 2,
                                                    np.where(u[1] < 0.7 * np.minimum(1.0, self.topic_factor[members]),
                                                             0, 1)))
        if f.giveaway:
            kinds = np.where(u[2] < 0.8, 5, kinds)
        kinds = np.where(pop.bot[members], 4, kinds)
        self.out.comment_members.append(members)
        self.out.comment_times.append(times)
        self.out.comment_kinds.append(kinds)

    def _timeline(self, reach: np.ndarray) -> PostTimeline:
        out, end = self.out, self.end

        def sorted_times(parts: list[np.ndarray]) -> np.ndarray:
            joined = np.concatenate(parts) if parts else np.empty(0)
            return np.sort(joined[joined < end])

        def joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
            return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)

        gains_t, losses_t = joined(out.gain_times, np.float64), joined(out.loss_times, np.float64)
        return PostTimeline(
            seq=self.post.seq, published_at=self.t0,
            impressions=sorted_times(out.impressions), reach=sorted_times([reach]),
            plays=sorted_times(out.plays), likes=sorted_times(out.likes), reposts=sorted_times(out.reposts),
            quotes=sorted_times(out.quotes), saves=sorted_times(out.saves), clicks=sorted_times(out.clicks),
            comments=(comments := self._write_comments()),
            comment_times=np.array([c.time for c in comments], dtype=np.float64),
            gain_members=joined(out.gain_members, np.intp)[gains_t < end], gain_times=gains_t[gains_t < end],
            loss_members=joined(out.loss_members, np.intp)[losses_t < end], loss_times=losses_t[losses_t < end],
            video=self.features.video,
        )

    def _write_comments(self) -> tuple[Comment, ...]:
        out, rng, pop = self.out, self.rng, self.pop
        members = np.concatenate(out.comment_members) if out.comment_members else np.empty(0, np.intp)
        times = np.concatenate(out.comment_times) if out.comment_times else np.empty(0)
        kinds = np.concatenate(out.comment_kinds) if out.comment_kinds else np.empty(0, np.intp)
        keep = times < self.end
        order = np.argsort(times[keep], kind="stable")
        members, times, kinds = members[keep][order], times[keep][order], kinds[keep][order]
        f = self.features
        topic = f.main_topic
        hashtag = f.hashtags[0] if f.hashtags else None
        comments: list[Comment] = []
        for i in range(members.size):
            kind = _KIND_CODES[int(kinds[i])]
            parent = None
            if i > 0 and kind not in ("spam", "entry") and rng.random() < THREAD_REPLY_SHARE:
                parent = int(rng.integers(i))
                kind = "thread"
            who = chatter.member(pop, int(members[i]))
            friends = tuple(chatter.member(pop, int(x)).handle for x in rng.integers(pop.size, size=2)) \
                if kind == "entry" else ()
            context = chatter.Context(pop.params.handle, topic, hashtag, friends)
            text = chatter.write(rng, kind, who.language, context)
            comments.append(Comment(float(times[i]), who.index, kind, who.language, text, parent))
        if self.campaign.giveaway or self.campaign.options:
            # Giveaway entries, duplicates, bots and a cheat; quiz answers (campaigns.py, its own random stream).
            def write(g: np.random.Generator, kind: str, language: str, friends: tuple[str, ...]) -> str:
                return chatter.write(g, kind, language, chatter.Context(pop.params.handle, topic, hashtag, friends))

            comments = campaigns.take_part(comments, pop, self.post, self.t0, self.end, self.campaign, write)
        return tuple(comments)


def simulate_post(pop: Population, post: PostInput, following: np.ndarray, recent_posts: int) -> PostTimeline:
    """Everything the audience does with `post` in the week after it went out.

    `following` marks who followed the account at publication; `recent_posts` counts the account's
    posts in the 24 hours up to this one, itself included.
    """
    return _PostRun(pop, post, following, recent_posts).run()


# Followers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowState:
    follow_at: np.ndarray  # epoch seconds, inf = not yet
    unfollow_at: np.ndarray

    def following(self, at: float) -> np.ndarray:
        return (self.follow_at <= at) & (self.unfollow_at > at)


def follow_state(pop: Population, timelines: Sequence[tuple[PostTimeline, float | None]], at: float) -> FollowState:
    """Who follows, from the organic history plus the follows and unfollows posts caused up to `at`.

    A member follows once at most: a follow caused by a post only counts if it comes before their
    own organic follow, and a member who left does not come back.
    """
    follow_at = pop.base_follow_at.copy()
    for timeline, deleted_at in timelines:
        limit = at if deleted_at is None else min(at, deleted_at)
        ok = timeline.gain_times <= limit
        np.minimum.at(follow_at, timeline.gain_members[ok], timeline.gain_times[ok])
    unfollow_at = np.maximum(follow_at, pop.params.created_at) + pop.churn_delay
    for timeline, deleted_at in timelines:
        limit = at if deleted_at is None else min(at, deleted_at)
        ok = timeline.loss_times <= limit
        np.minimum.at(unfollow_at, timeline.loss_members[ok], timeline.loss_times[ok])
    return FollowState(follow_at, unfollow_at)


# The per-account cache ---------------------------------------------------------------------------


class AccountSimulation:
    """The posts of one account, simulated in publication order and cached by their inputs."""

    def __init__(self, params: AccountParams) -> None:
        self.params = params
        self.population = population(params)
        self._lock = threading.Lock()
        self._timelines: dict[bytes, PostTimeline] = {}

    def timelines(self, posts: Sequence[PostInput]) -> list[tuple[PostInput, PostTimeline]]:
        """Each post with its timeline, oldest first; only posts whose inputs changed are recomputed.

        A post's timeline depends on its own inputs and on the follower state when it went out, that
        is on every earlier post and every deletion before it: the cache key chains them all.
        """
        ordered = sorted(posts, key=lambda p: (p.published_at, p.seq))
        deletions = sorted((p.deleted_at, p.seq) for p in ordered if p.deleted_at is not None)
        with self._lock:
            kept: dict[bytes, PostTimeline] = {}
            done: list[tuple[PostInput, PostTimeline]] = []
            chain = b""
            for index, post in enumerate(ordered):
                earlier_deletions = tuple(d for d in deletions if d[0] <= post.published_at)
                chain = hashlib.blake2b(repr((chain, post.identity(), earlier_deletions)).encode(),
                                        digest_size=16).digest()
                timeline = self._timelines.get(chain)
                if timeline is None:
                    timeline = self._simulate(post, ordered[:index], done)
                kept[chain] = timeline
                done.append((post, timeline))
            # Entries no longer used are kept for a while (two callers may briefly see different
            # posts, one before and one after a publish), but never let to pile up.
            if len(self._timelines) > 2 * len(kept) + 32:
                self._timelines = kept
            else:
                self._timelines.update(kept)
        return done

    def _simulate(self, post: PostInput, earlier: Sequence[PostInput],
                  done: Sequence[tuple[PostInput, PostTimeline]]) -> PostTimeline:
        t0 = post.published_at
        state = follow_state(self.population, [(tl, p.deleted_at) for p, tl in done], t0)
        recent = 1 + sum(1 for p in earlier if p.published_at > t0 - DAY
                         and (p.deleted_at is None or p.deleted_at > t0))
        return simulate_post(self.population, post, state.following(t0), recent)

    def follow_state(self, posts: Sequence[PostInput], at: float) -> FollowState:
        done = self.timelines(posts)
        return follow_state(self.population, [(tl, p.deleted_at) for p, tl in done], at)


_SIMULATIONS: OrderedDict[AccountParams, AccountSimulation] = OrderedDict()
_SIMULATIONS_LOCK = threading.Lock()
MAX_CACHED_ACCOUNTS = 32


def simulation_for(params: AccountParams) -> AccountSimulation:
    """The cached simulation of an account (least recently used ones are dropped)."""
    with _SIMULATIONS_LOCK:
        sim = _SIMULATIONS.get(params)
        if sim is None:
            sim = _SIMULATIONS[params] = AccountSimulation(params)
            while len(_SIMULATIONS) > MAX_CACHED_ACCOUNTS:
                _SIMULATIONS.popitem(last=False)
        else:
            _SIMULATIONS.move_to_end(params)
        return sim


def clear_caches() -> None:
    """Forget every cached population and timeline (they are recomputed identically on demand)."""
    with _SIMULATIONS_LOCK:
        _SIMULATIONS.clear()
    population.cache_clear()
