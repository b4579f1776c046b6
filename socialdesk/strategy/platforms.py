"""Which network works best for this workspace: results per post and per hour of work, growth, and a
recommendation that says why and how sure it is (docs/strategy.md, "Platform comparison").

- **Posts**: publications published in the window; a post on two networks counts once on each.
- **Reach / engagements per post**: the newest snapshot's numbers, mean per post with a bootstrap interval
  (analytics/statistics.mean_ci); engagements = likes + comments + shares + quotes + saves.
- **Posting effort**: the seconds someone actively worked on the post in the composer (the page counts a
  second when the tab is visible and there was a key press, click or scroll in the last 60 s; saved with the
  post), plus time entered by hand. A post's effort is split equally over the networks it went to. Posts
  with no effort recorded are left out of the per-hour numbers (their count is shown).
- **Per hour of work**: Σ engagements ÷ Σ hours over the posts with effort, with a bootstrap interval over
  posts (statistics.ratio_ci).
- **Growth**: followers per week: the mean daily change of the network's channels' follower counts
  (last snapshot of each day) × 7, with a bootstrap interval over days; n = days with a change measured.
- **Recommendation**: networks are ranked by engagements per hour of work where at least two networks have
  MIN_POSTS posts with effort, else by engagements per post. The leader is "clearly better" when the
  interval of its difference to the runner-up excludes zero (statistics.verdict), "leaning" when it only
  leads on the estimate, and "not enough data" when fewer than two networks have MIN_POSTS posts.
- **Audience overlap** (strategy/overlap.py): with target personas, each network's audience is compared
  with each persona (a share with its interval and n per field, and overall); the recommendation ends
  with what it adds (with_overlap) — the ranking by results stays, the overlap is said beside it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
from sqlalchemy import func, select

from socialdesk.analytics import statistics as st
from socialdesk.analytics.definitions import METRICS
from socialdesk.analytics.models import ChannelMetricSnapshot
from socialdesk.analytics.post_values import Age, PostRecord, Sample, post_records
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.strategy import overlap
from socialdesk.strategy.models import PostEffort
from socialdesk.strategy.service import network_name, network_of, persona_list
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

MAX_SECONDS = 4 * 3600  # one save of the composer counts at most this much work
ACTIVE_WINDOW_S = 60


def _est(e: st.Estimate, digits: int = 2) -> dict[str, Any]:
    def r(v: float | None) -> float | None:
        return None if v is None else round(float(v), digits)
    return {"value": r(e.value), "low": r(e.low), "high": r(e.high), "n": e.n, "enough": e.enough,
            "note": "" if e.enough else "not enough data"}


# --- effort ----------------------------------------------------------------------------------------------

def record_effort(ctx: WorkspaceContext, post_id: str, seconds: int | float | str | None, *,
                  source: str = "composer") -> int:
    """Add time worked on a post (the composer's active seconds, or minutes entered by hand × 60)."""
    ctx.require(Permission.POSTS_WRITE)
    try:
        value = int(float(seconds or 0))
    except (TypeError, ValueError):
        raise ValidationFailed(f"Time worked is a number of seconds, not {seconds!r}.") from None
    if value < 0:
        raise ValidationFailed("Time worked cannot be negative.")
    if value == 0:
        return 0
    value = min(value, MAX_SECONDS)
    post = ctx.get(Post, post_id, what="post")
    ctx.session.add(PostEffort(workspace_id=ctx.workspace_id, post_id=post.id, user_id=ctx.actor.user_id,
                               seconds=value, source=source))
    ctx.session.flush()
    return value


def effort_of(ctx: WorkspaceContext, post_ids: list[str] | None = None) -> dict[str, int]:
    """Seconds worked per post."""
    query = select(PostEffort.post_id, func.sum(PostEffort.seconds)).where(
        PostEffort.workspace_id == ctx.workspace_id).group_by(PostEffort.post_id)
    if post_ids is not None:
        query = query.where(PostEffort.post_id.in_(post_ids))
    return {post_id: int(total or 0) for post_id, total in ctx.session.execute(query)}


# --- comparison ------------------------------------------------------------------------------------------

@dataclass
class NetworkResult:
    network: str
    name: str
    channels: int
    posts: int
    measured: int
    reach_per_post: st.Estimate
    engagements_per_post: st.Estimate
    engagement_rate_reach: st.Estimate
    posts_with_effort: int
    hours: float
    engagements_per_hour: st.Estimate
    reach_per_hour: st.Estimate
    followers_start: int | None
    followers_end: int | None
    growth_per_week: st.Estimate
    values: np.ndarray = field(repr=False, default_factory=lambda: np.array([]))
    effort_pairs: tuple[np.ndarray, np.ndarray] = field(repr=False, default_factory=lambda: (np.array([]),
                                                                                              np.array([])))

    def as_dict(self) -> dict[str, Any]:
        return {"network": self.network, "name": self.name, "channels": self.channels, "posts": self.posts,
                "measured": self.measured, "reach_per_post": _est(self.reach_per_post),
                "engagements_per_post": _est(self.engagements_per_post),
                "engagement_rate_reach_percent": _est(self.engagement_rate_reach),
                "posts_with_effort": self.posts_with_effort, "hours_of_work": round(self.hours, 2),
                "engagements_per_hour": _est(self.engagements_per_hour), "reach_per_hour": _est(self.reach_per_hour),
                "followers": {"start": self.followers_start, "end": self.followers_end},
                "growth_per_week": _est(self.growth_per_week)}


@dataclass
class Recommendation:
    network: str | None
    name: str | None
    confidence: str  # clear | leaning | not enough data
    basis: str  # engagements per hour of work | engagements per post | —
    text: str
    difference: st.Estimate | None = None
    overlap: list[str] = field(default_factory=list)  # what the audience overlap adds, per persona

    def as_dict(self) -> dict[str, Any]:
        return {"network": self.network, "name": self.name, "confidence": self.confidence, "basis": self.basis,
                "text": self.text, "difference": _est(self.difference) if self.difference else None,
                "audience_overlap": self.overlap}


@dataclass
class Comparison:
    days: int
    networks: list[NetworkResult]
    recommendation: Recommendation
    overlap: list[overlap.Fit] = field(default_factory=list)  # each persona against each network

    def as_dict(self) -> dict[str, Any]:
        return {"days": self.days, "networks": [n.as_dict() for n in self.networks],
                "recommendation": self.recommendation.as_dict(),
                "audience_overlap": [f.as_dict() for f in self.overlap],
                "method": "docs/strategy.md#platform-comparison"}

    def overlap_of(self, network: str) -> list[overlap.Fit]:
        return [f for f in self.overlap if f.network == network]


def _growth(ctx: WorkspaceContext, channel_ids: list[str], start: datetime,
            end: datetime) -> tuple[int | None, int | None, st.Estimate]:
    rows = ctx.session.execute(select(ChannelMetricSnapshot.channel_id, ChannelMetricSnapshot.collected_at,
                                      ChannelMetricSnapshot.followers).where(
        ChannelMetricSnapshot.workspace_id == ctx.workspace_id, ChannelMetricSnapshot.channel_id.in_(channel_ids),
        ChannelMetricSnapshot.followers.is_not(None), ChannelMetricSnapshot.collected_at >= start,
        ChannelMetricSnapshot.collected_at < end).order_by(ChannelMetricSnapshot.collected_at)).all()
    daily: dict[str, dict[Any, int]] = defaultdict(dict)
    for channel_id, at, followers in rows:
        daily[channel_id][clock.utc(at).date()] = int(followers)  # the day's last snapshot
    changes: list[float] = []
    first = last = 0
    for days in daily.values():
        ordered = sorted(days.items())
        first += ordered[0][1]
        last += ordered[-1][1]
        for (day_a, a), (day_b, b) in pairwise(ordered):
            gap = (day_b - day_a).days or 1
            changes += [(b - a) / gap] * gap
    if not daily:
        return None, None, st.Estimate.none()
    estimate = st.mean_ci(changes)
    scaled = st.Estimate(*(None if v is None else v * 7 for v in (estimate.value, estimate.low, estimate.high)),
                         estimate.n)
    return first, last, scaled


def _result(ctx: WorkspaceContext, network: str, channel_ids: list[str], records: list[PostRecord],
            effort: dict[str, int], networks_of_post: dict[str, set[str]], start: datetime,
            end: datetime) -> NetworkResult:
    measured = [r for r in records if r.values is not None]
    sample = Sample.of(measured)
    engagements = sample.values(METRICS["engagements"]) if measured else np.array([])
    reach = sample.columns["reach"] if measured else np.array([])
    known_e = engagements[~np.isnan(engagements)]
    known_r = reach[~np.isnan(reach)]
    top, bottom = sample.rate_parts(METRICS["engagement_rate_reach"]) if measured else (np.array([]), np.array([]))
    hours_e, value_e, value_r, hours_r = [], [], [], []
    total_hours = 0.0
    with_effort = 0
    for index, record in enumerate(measured):
        seconds = effort.get(record.post_id)
        if not seconds:
            continue
        share = seconds / 3600 / max(1, len(networks_of_post.get(record.post_id, {network})))
        with_effort += 1
        total_hours += share
        if not np.isnan(engagements[index]):
            value_e.append(float(engagements[index]))
            hours_e.append(share)
        if not np.isnan(reach[index]):
            value_r.append(float(reach[index]))
            hours_r.append(share)
    first, last, growth = _growth(ctx, channel_ids, start, end)
    return NetworkResult(network, network_name(network), len(channel_ids), len(records), len(measured),
                         st.mean_ci(known_r), st.mean_ci(known_e), st.ratio_ci(top, bottom), with_effort, total_hours,
                         st.ratio_ci(value_e, hours_e, scale=1.0), st.ratio_ci(value_r, hours_r, scale=1.0),
                         first, last, growth, known_e, (np.asarray(value_e), np.asarray(hours_e)))


def compare(ctx: WorkspaceContext, *, days: int = 90, now: datetime | None = None) -> Comparison:
    ctx.require(Permission.ANALYTICS_READ)
    if not 7 <= days <= 366:
        raise ValidationFailed("The comparison window is 7 to 366 days.")
    end = clock.utc(now or clock.now())
    start = end - timedelta(days=days)
    channels = list(ctx.session.scalars(ctx.select(Channel)))
    by_network: dict[str, list[str]] = defaultdict(list)
    for channel in channels:
        by_network[network_of(channel)].append(channel.id)
    network_of_channel = {c: n for n, ids in by_network.items() for c in ids}
    records = post_records(ctx, start, end, age=Age.LATEST)
    networks_of_post: dict[str, set[str]] = defaultdict(set)
    for record in records:
        networks_of_post[record.post_id].add(network_of_channel.get(record.channel_id, record.network))
    effort = effort_of(ctx, list(networks_of_post))
    results = []
    for network, ids in sorted(by_network.items(), key=lambda kv: network_name(kv[0])):
        mine = [r for r in records if r.channel_id in ids]
        results.append(_result(ctx, network, ids, mine, effort, networks_of_post, start, end))
    targets = persona_list(ctx)
    fits: list[overlap.Fit] = []
    if targets:
        channels_of = {n: [c for c in channels if c.id in ids] for n, ids in by_network.items()}
        audiences = overlap.network_audiences(ctx, dict(sorted(channels_of.items(),
                                                               key=lambda kv: network_name(kv[0]))),
                                              start, end, records)
        fits = overlap.fits(targets, audiences)
    return Comparison(days, results, with_overlap(recommend(results), fits), fits)


def with_overlap(recommendation: Recommendation, fits: list[overlap.Fit]) -> Recommendation:
    """Say what the audience overlap with the personas adds: for each persona, the network whose audience
    matches it best, and whether that is the recommended one. An overlap is "clearly" better only when its
    interval lies wholly above the other network's."""
    if not fits:
        recommendation.text += (" Audience overlap with the target personas: none compared — add personas with "
                                "languages, countries, ages or interests to weigh it.")
        return recommendation
    sentences = []
    for persona in dict.fromkeys(f.persona for f in fits):
        known = sorted((f for f in fits if f.persona == persona and f.status == overlap.OK),
                       key=lambda f: f.share or 0.0, reverse=True)
        if not known:
            sentences.append(f"for {persona} not enough data on any network")
            continue
        best = known[0]
        shown = f"{best.share:.0%} ({best.low:.0%}–{best.high:.0%})"
        if recommendation.network is None or best.network == recommendation.network:
            clear = len(known) > 1 and (best.low or 0) > (known[1].high or 0)
            sentences.append(f"for {persona} {best.name}'s audience matches best, {shown}"
                             + (" — clearly" if clear else (" — not clearly" if len(known) > 1 else "")))
            continue
        chosen = next((f for f in known if f.network == recommendation.network), None)
        if chosen is None:
            sentences.append(f"for {persona} {best.name}'s audience matches best, {shown}; the overlap on "
                             f"{recommendation.name} is not known")
        elif (best.low or 0) > (chosen.high or 0):
            sentences.append(f"but for {persona} {best.name}'s audience matches clearly better, {shown} against "
                             f"{chosen.share:.0%} ({chosen.low:.0%}–{chosen.high:.0%}) on {chosen.name} — weigh "
                             "that before moving effort")
        else:
            sentences.append(f"for {persona} {best.name} matches {shown} and {chosen.name} "
                             f"{chosen.share:.0%} ({chosen.low:.0%}–{chosen.high:.0%}), not clearly different")
    recommendation.text += " Audience overlap with the target personas: " + "; ".join(sentences) + "."
    recommendation.overlap = sentences
    return recommendation


def recommend(results: list[NetworkResult]) -> Recommendation:
    per_hour = [r for r in results if r.engagements_per_hour.enough]
    per_post = [r for r in results if r.engagements_per_post.enough]
    if len(per_hour) >= 2:
        ranked = sorted(per_hour, key=lambda r: r.engagements_per_hour.value or 0.0, reverse=True)
        best, second = ranked[0], ranked[1]
        difference = st.ratio_difference(best.effort_pairs, second.effort_pairs, scale=1.0,
                                         level=st.adjusted_level(len(ranked) - 1))
        basis, unit = "engagements per hour of work", "engagements per hour of work"
        a, b = best.engagements_per_hour, second.engagements_per_hour
    elif len(per_post) >= 2:
        ranked = sorted(per_post, key=lambda r: r.engagements_per_post.value or 0.0, reverse=True)
        best, second = ranked[0], ranked[1]
        difference = st.mean_difference(best.values, second.values, level=st.adjusted_level(len(ranked) - 1))
        basis, unit = "engagements per post", "engagements per post"
        a, b = best.engagements_per_post, second.engagements_per_post
    else:
        have = ", ".join(f"{r.name} {r.measured}" for r in results) or "no networks"
        return Recommendation(None, None, "not enough data", "—",
                              f"Not enough data to recommend a network: at least two networks need {st.MIN_POSTS} "
                              f"measured posts in the window (measured posts: {have}).")
    verdict = st.verdict(difference)
    numbers = (f"{best.name} {a.value:.1f} {unit} (interval {a.low:.1f}–{a.high:.1f}, n = {a.n} posts) against "
               f"{second.name} {b.value:.1f} ({b.low:.1f}–{b.high:.1f}, n = {b.n})")
    if basis == "engagements per post":
        numbers += ("; posting effort is recorded for too few posts to compare per hour of work "
                    f"(it needs {st.MIN_POSTS} per network)")
    if verdict == st.Verdict.HIGHER:
        text = (f"Put more of the work into {best.name}: {numbers}. The interval of the difference "
                f"({difference.low:+.1f} to {difference.high:+.1f}) excludes zero, so the lead is clear.")
        confidence = "clear"
    else:
        text = (f"{best.name} leads, but not clearly: {numbers}. The interval of the difference "
                f"({_signed(difference.low)} to {_signed(difference.high)}) includes zero — keep both and measure "
                "longer before moving effort.")
        confidence = "leaning"
    return Recommendation(best.network, best.name, confidence, basis, text, difference)


def _signed(value: float | None) -> str:
    return "?" if value is None else f"{value:+.1f}"
