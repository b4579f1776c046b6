"""A dashboard for a workspace or one channel over a period, compared with the period before.

KPI rates over many posts are a ratio of sums (Σ engagements ÷ Σ reach): a post seen by many
weighs more, as it does for the brand. Comparisons between groups of posts (breakdowns) use each
post's own rate, since the post is what is being compared. Both are explained in docs/analytics.md.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

import numpy as np
from sqlalchemy import select

from socialdesk.analytics import cache, followers
from socialdesk.analytics import statistics as st
from socialdesk.analytics.definitions import METRICS, Metric, Unit
from socialdesk.analytics.periods import Period
from socialdesk.analytics.post_values import (
    AGE_LABELS,
    Age,
    FollowerHistory,
    PostRecord,
    Sample,
    length_group,
    post_records_of_spans,
)
from socialdesk.channels.models import Channel
from socialdesk.core import clock
from socialdesk.core.timezones import zone
from socialdesk.inbox.models import InboxItem
from socialdesk.workspaces.context import WorkspaceContext

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Rates shown as KPI cards, in this order, after the counts.
KPI_RATES = ("engagement_rate_reach", "engagement_rate_followers", "amplification", "virality", "applause",
             "conversation", "saves_rate", "ctr")
COUNT_SUMS = ("impressions", "reach", "engagements")
AD_METRICS = ("cpc", "cpm", "roas")
DEFAULT_RANK_BY = "engagement_rate_followers"
TOP_POSTS = 5
TOP_HASHTAGS = 10
GroupsOf = Callable[[PostRecord], list[str]]


@dataclass
class Kpi:
    key: str
    label: str
    formula: str
    unit: str
    note: str
    value: float | None
    previous: float | None
    low: float | None = None  # interval of the value (rates over posts)
    high: float | None = None
    change: st.Estimate | None = None  # value − previous, with an interval where it is a sample
    verdict: st.Verdict | None = None
    n: int = 0  # posts (or messages) behind the value
    n_previous: int = 0
    exact: bool = False  # a count, not an estimate from a sample: no interval applies
    missing: str = ""  # why there is no value: not available on these networks, not enough data, …
    higher_is_better: bool = True


@dataclass
class PostRow:
    record: PostRecord
    channel_name: str
    rate: float | None  # by the ranking metric


@dataclass
class Group:
    label: str
    estimate: st.Estimate
    difference: st.Estimate  # against every other post
    verdict: st.Verdict


@dataclass
class Breakdown:
    key: str
    label: str
    groups: list[Group]
    conclusion: str  # one sentence, never naming a winner the data does not support
    best: str | None = None


@dataclass
class Dashboard:
    period: Period
    previous: Period
    age: Age
    age_label: str
    rank_by: Metric
    channels: list[Channel]
    kpis: list[Kpi]
    followers: dict[str, list[tuple[date, int]]]  # channel id -> (local day, followers at its end)
    engagement: list[tuple[date, int, float | None, float | None]]  # day, posts, engagements, rate
    top: list[PostRow]
    bottom: list[PostRow]
    breakdowns: list[Breakdown]
    posts: list[PostRecord] = field(default_factory=list)  # one per publication (post × channel)
    measured: int = 0
    unmeasured: int = 0
    newest_snapshot_at: datetime | None = None  # the newest snapshot behind these numbers (None: unknown)
    breakdowns_pending: bool = False  # left out: the page loads them separately

    @property
    def post_count(self) -> int:
        """Posts behind `posts`: a post that went to three channels counts once."""
        return posts_in(self.posts)


def build(ctx: WorkspaceContext, period: Period, *, channel_id: str | None = None, age: Age = Age.D7,
          rank_by: str = DEFAULT_RANK_BY, with_breakdowns: bool = True) -> Dashboard:
    """The dashboard; its numbers are kept (analytics/cache.py) until a snapshot or a publication of the
    workspace changes. `with_breakdowns=False` leaves the six breakdowns out (the page loads them after
    the KPIs, from `breakdowns_of`)."""
    channels = list(ctx.session.scalars(ctx.select(Channel).order_by(Channel.name)))
    if channel_id is not None:
        channels = [c for c in channels if c.id == channel_id]
    ids = [c.id for c in channels]
    previous = period.previous()
    core, freshness = _core(ctx, channels, period, age, rank_by)
    kpis = core.kpis[:core.response_at] + _response_kpis(ctx, ids, period, previous) + core.kpis[core.response_at:]
    if channel_id is None:  # ads belong to campaigns, not to channels: the workspace dashboard shows them
        fresh = _ad_kpis(ctx, period, previous)
        kpis = [fresh.get(k.key, k) for k in kpis]
    return Dashboard(
        period=period, previous=previous, age=age, age_label=AGE_LABELS[age], rank_by=METRICS[rank_by],
        channels=channels, kpis=kpis, followers=core.followers, engagement=core.engagement, top=core.top,
        bottom=core.bottom, breakdowns=core.breakdowns() if with_breakdowns else [], posts=core.posts,
        measured=core.measured, unmeasured=core.unmeasured, newest_snapshot_at=freshness.newest_at,
        breakdowns_pending=not with_breakdowns)


def breakdowns_of(ctx: WorkspaceContext, period: Period, *, channel_id: str | None = None, age: Age = Age.D7,
                  rank_by: str = DEFAULT_RANK_BY) -> list[Breakdown]:
    """The six breakdowns of `build`'s dashboard (kept with its other numbers)."""
    channels = list(ctx.session.scalars(ctx.select(Channel).order_by(Channel.name)))
    if channel_id is not None:
        channels = [c for c in channels if c.id == channel_id]
    core, _ = _core(ctx, channels, period, age, rank_by)
    return core.breakdowns()


@dataclass
class _Core:
    """What a dashboard computes from snapshots and publications (the inbox's KPIs are read each time)."""

    kpis: list[Kpi]
    response_at: int  # where the inbox KPIs go in `kpis`
    followers: dict[str, list[tuple[date, int]]]
    engagement: list[tuple[date, int, float | None, float | None]]
    top: list[PostRow]
    bottom: list[PostRow]
    posts: list[PostRecord]
    measured: int
    unmeasured: int
    sample: Sample
    ranking: Metric
    timezone: str
    pillars: dict[str, str] = field(default_factory=dict)  # post id -> content pillar (strategy)
    _breakdowns: list[Breakdown] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def breakdowns(self) -> list[Breakdown]:
        with self._lock:
            if self._breakdowns is None:
                self._breakdowns = breakdowns(self.sample, self.ranking, self.timezone, self.pillars)
            return self._breakdowns


def _core(ctx: WorkspaceContext, channels: list[Channel], period: Period, age: Age,
          rank_by: str) -> tuple[_Core, cache.Version]:
    ids = [c.id for c in channels]
    previous = period.previous()
    window = (previous.start - timedelta(days=7), min(period.end, clock.now()) + timedelta(seconds=1))
    freshness = cache.version(ctx)
    pillars = _pillars(ctx)
    token = (freshness.version, cache.publications_fingerprint(ctx, previous.start, period.end),
             tuple((c.id, c.name, c.network, c.updated_at) for c in channels), hash(frozenset(pillars.items())))
    key = ("dashboard", ctx.workspace_id, tuple(ids), period, age, rank_by)
    core = cache.kept(key, token, window[1], freshness.newest_at,
                      lambda: _compute(ctx, channels, period, age, rank_by, window, pillars))
    return core, freshness


def _pillars(ctx: WorkspaceContext) -> dict[str, str]:
    """post id -> content pillar name (strategy/), for the pillar breakdown; empty without pillars."""
    from socialdesk.strategy.models import ContentPillar, PostPillar

    return {post_id: name for post_id, name in ctx.session.execute(
        select(PostPillar.post_id, ContentPillar.name).join(ContentPillar, ContentPillar.id == PostPillar.pillar_id)
        .where(PostPillar.workspace_id == ctx.workspace_id))}


def _compute(ctx: WorkspaceContext, channels: list[Channel], period: Period, age: Age, rank_by: str,
             window: tuple[datetime, datetime], pillars: dict[str, str] | None = None) -> _Core:
    ids = [c.id for c in channels]
    previous = period.previous()
    previous_posts, current_posts = post_records_of_spans(ctx, [previous.start, period.start, period.end], age=age,
                                                          channel_ids=ids, follower_window=window)
    ranking = METRICS[rank_by]
    now_sample, before_sample = Sample.of(current_posts), Sample.of(previous_posts)
    head = (_follower_kpis(ctx, ids, period, previous, window) + _posts_kpis(current_posts, previous_posts)
            + [_sum_kpi(name, now_sample, before_sample) for name in COUNT_SUMS]
            + [_rate_kpi(METRICS[name], now_sample, before_sample) for name in KPI_RATES])
    tail = [_unavailable(METRICS[name], "no ad data") for name in AD_METRICS]
    names = {c.id: c.name for c in channels}
    rates = now_sample.values(ranking)
    ranked = sorted((PostRow(r, names.get(r.channel_id, "?"), float(v))
                     for r, v in zip(current_posts, rates, strict=True) if not np.isnan(v)),
                    key=lambda p: p.rate or 0.0, reverse=True)
    top_n = min(TOP_POSTS, len(ranked) // 2)
    measured = int(now_sample.measured.sum()) if current_posts else 0
    return _Core(kpis=head + tail, response_at=len(head),
                 followers=followers.curve(ctx, ids, period, *window),
                 engagement=_engagement_by_day(now_sample, period, ranking), top=ranked[:top_n],
                 bottom=ranked[::-1][:top_n] if top_n else [], posts=current_posts, measured=measured,
                 unmeasured=len(current_posts) - measured, sample=now_sample, ranking=ranking,
                 timezone=period.timezone, pillars=pillars or {})


# KPIs -----------------------------------------------------------------------------------------------


def follower_numbers(history: FollowerHistory, ids: list[str], since: datetime,
                     until: datetime) -> dict[str, float | None]:
    """Followers at `since` and at `until` (summed over channels), and the drops in between."""
    start = end = lost = 0.0
    seen = False
    for channel_id in ids:
        times, counts = history.times.get(channel_id), history.counts.get(channel_id)
        if times is None or counts is None:
            continue
        inside = (times >= since.timestamp()) & (times < until.timestamp())
        if not inside.any():
            continue
        before = np.flatnonzero(times < since.timestamp())
        first = before[-1] if before.size else np.flatnonzero(inside)[0]
        last = np.flatnonzero(inside)[-1]
        series = counts[first:last + 1]
        start += float(series[0])
        end += float(series[-1])
        lost += float(np.clip(-np.diff(series), 0, None).sum())
        seen = True
    if not seen:
        return {"followers_start": None, "followers_end": None, "followers_lost": None, "followers_change": None}
    return {"followers_start": start, "followers_end": end, "followers_lost": lost, "followers_change": end - start}


def _follower_kpis(ctx: WorkspaceContext, ids: list[str], period: Period, previous: Period,
                   window: tuple[datetime, datetime]) -> list[Kpi]:
    now, before = followers.numbers_of_spans(ctx, ids, [(period.start, period.end), (previous.start, previous.end)],
                                             *window)
    kpis = [_exact_kpi("followers", "Followers", "the channels' follower count at the end of the period", Unit.COUNT,
                       now["followers_end"], before["followers_end"],
                       note="Summed over the channels; collected with the channel's other numbers.")]
    for key in ("follower_growth", "follower_churn"):
        m = METRICS[key]
        kpis.append(_exact_kpi(key, m.label, m.formula, m.unit, m.compute(now), m.compute(before), note=m.note,
                               higher_is_better=m.higher_is_better))
    return kpis


def _exact_kpi(key: str, label: str, formula: str, unit: Unit, value: float | None, previous: float | None, *,
               note: str = "", n: int = 0, n_previous: int = 0, higher_is_better: bool = True) -> Kpi:
    change = None
    if value is not None and previous is not None:
        change = st.Estimate(value - previous, value - previous, value - previous, n)
    missing = "" if value is not None else "no snapshots in this period"
    return Kpi(key, label, formula, unit.value, note, value, previous, change=change, n=n, n_previous=n_previous,
               exact=True, missing=missing, higher_is_better=higher_is_better)


def posts_in(records: list[PostRecord]) -> int:
    """Posts behind these publications: one post sent to three channels is one post."""
    return len({r.post_id for r in records})


def _posts_kpis(current: list[PostRecord], previous: list[PostRecord]) -> list[Kpi]:
    posts, posts_before = posts_in(current), posts_in(previous)
    return [
        _exact_kpi("posts", "Posts published", "posts with at least one publication that went out in the period",
                   Unit.COUNT, float(posts), float(posts_before), n=posts, n_previous=posts_before,
                   note="One post sent to three channels counts once, as on the Posts page."),
        _exact_kpi("publications", "Publications", "posts × the channels each went out on, in the period",
                   Unit.COUNT, float(len(current)), float(len(previous)), n=len(current), n_previous=len(previous),
                   note="One post sent to three channels is three publications."),
    ]


def _sum_kpi(name: str, current: Sample, previous: Sample) -> Kpi:
    def summed(sample: Sample) -> tuple[float | None, int]:
        values = sample.values(METRICS[name]) if name in METRICS else sample.columns[name]
        known = values[~np.isnan(values)]
        return (float(known.sum()) if known.size else None), int(known.size)

    value, n = summed(current)
    before, n_before = summed(previous)
    label = METRICS[name].label if name in METRICS else name.capitalize()
    formula = METRICS[name].formula if name in METRICS else f"sum of the posts' {name}"
    kpi = _exact_kpi(name, label, formula, Unit.COUNT, value, before, n=n, n_previous=n_before,
                     note="Posts of the period, each counted at the chosen age.")
    if value is None:
        kpi.missing = "not available on these networks" if current.measured.any() else "no measured posts"
    return kpi


def _rate_kpi(m: Metric, current: Sample, previous: Sample) -> Kpi:
    now, before = current.rate_parts(m), previous.rate_parts(m)
    estimate = st.ratio_ci(*now, scale=m.scale)
    earlier = st.ratio_ci(*before, scale=m.scale)
    change = st.ratio_difference(now, before, scale=m.scale) if now[0].size and before[0].size else None
    kpi = Kpi(m.key, m.label, m.formula, m.unit.value, m.note, estimate.value, earlier.value, estimate.low,
              estimate.high, change, st.verdict(change) if change else None, estimate.n, earlier.n,
              higher_is_better=m.higher_is_better)
    if estimate.value is None:
        kpi.missing = "not available on these networks" if current.measured.any() else "no measured posts"
    elif not estimate.enough:
        kpi.missing = f"not enough data ({estimate.n} posts; {st.MIN_POSTS} needed for an interval)"
    return kpi


def response_numbers(ctx: WorkspaceContext, ids: list[str], since: datetime,
                     until: datetime) -> tuple[dict[str, float | None], list[float]]:
    """Messages from the audience that arrived in [since, until): received, answered, the waits in hours."""
    rows = ctx.session.execute(select(InboxItem.received_at, InboxItem.replied_at).where(
        InboxItem.workspace_id == ctx.workspace_id, InboxItem.channel_id.in_(ids),
        InboxItem.received_at >= since, InboxItem.received_at < until)).all()
    waits = [(clock.utc(replied) - clock.utc(received)).total_seconds() / 3600
             for received, replied in rows if replied is not None]
    return ({"items_received": float(len(rows)) if rows else None, "items_answered": float(len(waits)),
             "median_response_hours": median(waits) if waits else None}, waits)


def _response_kpis(ctx: WorkspaceContext, ids: list[str], period: Period, previous: Period) -> list[Kpi]:
    now, _ = response_numbers(ctx, ids, period.start, period.end)
    before, _ = response_numbers(ctx, ids, previous.start, previous.end)
    n, n_before = int(now["items_received"] or 0), int(before["items_received"] or 0)
    kpis = []
    for key in ("response_rate", "median_first_response"):
        m = METRICS[key]
        kpi = _exact_kpi(key, m.label, m.formula, m.unit, m.compute(now), m.compute(before), note=m.note, n=n,
                         n_previous=n_before, higher_is_better=m.higher_is_better)
        if kpi.value is None:
            kpi.missing = "no messages in this period" if n == 0 else "none answered yet"
        kpis.append(kpi)
    return kpis


def _ad_kpis(ctx: WorkspaceContext, period: Period, previous: Period) -> dict[str, Kpi]:
    """CPC, CPM and ROAS from the workspace's ad results (docs/ads.md), read afresh like the response
    KPIs (imports do not pass through the kept numbers); none when there are no ad results at all."""
    from socialdesk.campaigns import metrics as paid
    from socialdesk.campaigns.models import AdResult

    def rows(p: Period) -> list[AdResult]:
        return list(ctx.session.scalars(ctx.select(AdResult).where(AdResult.starts_on <= p.last,
                                                                   AdResult.ends_on >= p.first)))

    now, before = rows(period), rows(previous)
    if not now and not before:
        return {}
    out = {}
    for key in AD_METRICS:
        m = METRICS[key]
        if len({r.currency for r in now}) > 1 or len({r.currency for r in before}) > 1:
            out[key] = _unavailable(m, "ad results in several currencies: see each campaign")
            continue
        current = paid.estimate(m, [paid.row_inputs(r) for r in now]) if now else None
        earlier = paid.estimate(m, [paid.row_inputs(r) for r in before]) if before else None
        if current is None or current.value is None:
            out[key] = _unavailable(m, current.missing if current else "no ad results in this period")
            continue
        out[key] = Kpi(m.key, m.label, m.formula, m.unit.value, m.note, current.value,
                       earlier.value if earlier else None, low=current.low, high=current.high, n=current.n,
                       n_previous=earlier.n if earlier else 0, higher_is_better=m.higher_is_better)
    return out


def _unavailable(m: Metric, why: str) -> Kpi:
    return Kpi(m.key, m.label, m.formula, m.unit.value, m.note, None, None, missing=why,
               higher_is_better=m.higher_is_better)


# Curves ---------------------------------------------------------------------------------------------


def _engagement_by_day(sample: Sample, period: Period,
                       ranking: Metric) -> list[tuple[date, int, float | None, float | None]]:
    """Per local day of the period: posts, their engagements (None: none known), the ranking rate of the
    day's posts (Σ numerators ÷ Σ denominators; None without a denominator). Summed per day by bincount:
    the inputs are counts, so the sums are exact whatever their order."""
    tz = zone(period.timezone)
    days = period.local_days()
    first, size = days[0].toordinal(), len(days)
    index = np.array([r.published_at.astimezone(tz).date().toordinal() - first for r in sample.records],
                     dtype=int)
    inside = (index >= 0) & (index < size)

    def per_day(weights: np.ndarray | None, keep: np.ndarray) -> np.ndarray:
        chosen = inside & keep
        return np.bincount(index[chosen], None if weights is None else weights[chosen], minlength=size)

    everything = np.ones(len(index), dtype=bool)
    posts = per_day(None, everything)
    engagements = sample.values(METRICS["engagements"])
    known = ~np.isnan(engagements)
    engaged, engaged_n = per_day(engagements, known), per_day(None, known)
    top, bottom = ranking.arrays(sample.columns, len(index))
    rated = ~np.isnan(top) & ~np.isnan(bottom) & (np.nan_to_num(bottom) > 0)
    nums, dens = per_day(top, rated), per_day(bottom, rated)
    return [(day, int(posts[i]), float(engaged[i]) if engaged_n[i] else None,
             float(nums[i] / dens[i] * ranking.scale) if dens[i] > 0 else None)
            for i, day in enumerate(days)]


# Breakdowns -----------------------------------------------------------------------------------------


def breakdowns(sample: Sample, ranking: Metric, timezone: str,
               pillars: dict[str, str] | None = None) -> list[Breakdown]:
    """Posts grouped six ways (seven with content pillars: `pillars` maps post id -> pillar), each group's
    mean rate against all other posts."""
    tz = zone(timezone)
    values = sample.values(ranking)
    rated = [(r, float(v)) for r, v in zip(sample.records, values, strict=True) if not np.isnan(v)]
    local = {r.publication_id: r.published_at.astimezone(tz) for r, _ in rated}
    top_tags = {t for t, _ in Counter(tag for r, _ in rated for tag in set(r.hashtags)).most_common(TOP_HASHTAGS)}
    dimensions: tuple[tuple[str, str, GroupsOf], ...] = (
        ("network", "Network", lambda r: [r.network]),
        ("content_type", "Content type", lambda r: [r.content_type]),
        ("length", "Length", lambda r: [length_group(r.length)]),
        ("hashtag", "Hashtag", lambda r: [f"#{t}" for t in set(r.hashtags) if t in top_tags]),
        ("weekday", "Weekday", lambda r: [WEEKDAYS[local[r.publication_id].weekday()]]),
        ("hour", "Hour of publishing", lambda r: [f"{local[r.publication_id].hour:02d}:00"]),
    )
    if pillars:
        dimensions += (("pillar", "Content pillar", lambda r: [pillars.get(r.post_id, "No pillar")]),)
    return [_breakdown(key, label, rated, groups_of, ranking) for key, label, groups_of in dimensions]


def _order(key: str, labels: list[str]) -> list[str]:
    if key == "weekday":
        return [d for d in WEEKDAYS if d in labels]
    return sorted(labels)


def _breakdown(key: str, label: str, rated: list[tuple[PostRecord, float]], groups_of: GroupsOf,
               ranking: Metric) -> Breakdown:
    members: dict[str, list[int]] = defaultdict(list)
    for index, (record, _) in enumerate(rated):
        for group in groups_of(record):
            members[group].append(index)
    values = np.array([v for _, v in rated], dtype=float)
    sized = [g for g, idx in members.items() if len(idx) >= st.MIN_POSTS and len(rated) - len(idx) >= st.MIN_POSTS]
    level = st.adjusted_level(len(sized))
    groups = []
    for name in _order(key, list(members)):
        inside = np.zeros(len(rated), dtype=bool)
        inside[members[name]] = True
        difference = st.mean_difference(values[inside], values[~inside], level=level)
        groups.append(Group(name, st.mean_ci(values[inside]), difference, st.verdict(difference)))
    return Breakdown(key, label, groups, *_conclusion(label, groups, ranking, len(sized)))


def _conclusion(label: str, groups: list[Group], ranking: Metric, comparable: int) -> tuple[str, str | None]:
    if comparable < 2 and not any(g.verdict == st.Verdict.HIGHER for g in groups):
        return (f"Not enough data to compare by {label.lower()}: fewer than two groups have {st.MIN_POSTS} posts "
                "or more.", None)
    winners = [g for g in groups if g.verdict == st.Verdict.HIGHER]
    losers = [g for g in groups if g.verdict == st.Verdict.LOWER]
    if not winners and not losers:
        return (f"No clear difference by {label.lower()}: every interval for the difference in "
                f"{ranking.label.lower()} includes zero.", None)
    # The clearest group: the best one that beats the rest, else the one that does clearly worse.
    chosen = (max(winners, key=lambda g: g.difference.value or 0.0) if winners
              else min(losers, key=lambda g: g.difference.value or 0.0))
    diff = chosen.difference
    return (f"{chosen.label}: {diff.value:+.2f} points of {ranking.label.lower()} against the other posts "
            f"(interval {diff.low:+.2f} to {diff.high:+.2f}, adjusted for {comparable} groups; "
            f"n = {chosen.estimate.n}).", chosen.label if winners else None)
