"""A contest's results: entrants over time, and whether reach and follower growth on its channels were
different while it ran than in the weeks before — with intervals, as the analytics give them (a difference
is "higher" or "lower" only when its whole interval is on one side of zero; "not enough data" below the
analytics' minimum sample)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from socialdesk.analytics import followers, statistics
from socialdesk.analytics.post_values import post_records
from socialdesk.content.models import Publication
from socialdesk.contests import service
from socialdesk.contests.models import ContestPost
from socialdesk.core import clock
from socialdesk.core.timezones import zone
from socialdesk.workspaces.context import WorkspaceContext

BEFORE = timedelta(weeks=4)  # the contest is compared with the four weeks before it opened


@dataclass(frozen=True)
class Comparison:
    what: str  # "Reach per post", "Followers gained per day"
    during: statistics.Estimate
    before: statistics.Estimate
    difference: statistics.Estimate
    verdict: str  # statistics.VERDICT_TEXT

    @property
    def enough(self) -> bool:
        return self.difference.enough


@dataclass(frozen=True)
class DayCount:
    day: date
    new: int
    total: int


@dataclass(frozen=True)
class Results:
    entrants_by_day: list[DayCount]
    entrants: int
    eligible: int
    comparisons: list[Comparison]
    during: tuple[datetime, datetime]
    before: tuple[datetime, datetime]


def _compare(what: str, during: list[float], before: list[float]) -> Comparison:
    difference = statistics.mean_difference(during, before)
    return Comparison(what, statistics.mean_ci(during), statistics.mean_ci(before), difference,
                      statistics.VERDICT_TEXT[statistics.verdict(difference)])


def _daily_spans(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    spans, at = [], start
    while at < end:
        spans.append((at, min(at + timedelta(days=1), end)))
        at += timedelta(days=1)
    return spans


def results(ctx: WorkspaceContext, contest_id: str) -> Results:
    current = service.view(ctx, contest_id)
    contest = current.contest
    opens, closes = clock.utc(contest.opens_at), clock.utc(contest.closes_at)
    until = min(closes, clock.now())
    tz = zone(ctx.workspace.timezone)
    people = current.eligible + current.excluded
    by_day = Counter(clock.utc(e.entered_at).astimezone(tz).date() for e in people)
    days, total = [], 0
    if until > opens:
        day, last = opens.astimezone(tz).date(), (until - timedelta(microseconds=1)).astimezone(tz).date()
        while day <= last:
            total += by_day.get(day, 0)
            days.append(DayCount(day, by_day.get(day, 0), total))
            day += timedelta(days=1)
    channel_ids = list(dict.fromkeys(ctx.session.scalars(
        select(Publication.channel_id).join(ContestPost, ContestPost.publication_id == Publication.id)
        .where(ContestPost.contest_id == contest.id))))
    start_before = opens - BEFORE
    comparisons = []
    if channel_ids and until > opens:
        records = post_records(ctx, start_before, until, channel_ids=channel_ids)
        reach_during = [float(r.values["reach"]) for r in records
                        if r.values and r.values.get("reach") is not None and r.published_at >= opens]
        reach_before = [float(r.values["reach"]) for r in records
                        if r.values and r.values.get("reach") is not None and r.published_at < opens]
        comparisons.append(_compare("Reach per post", reach_during, reach_before))
        spans_during, spans_before = _daily_spans(opens, until), _daily_spans(start_before, opens)
        numbers = followers.numbers_of_spans(ctx, channel_ids, spans_before + spans_during,
                                             start_before - timedelta(days=7), until)
        changes = [n["followers_change"] for n in numbers]
        gained_before = [float(c) for c in changes[:len(spans_before)] if c is not None]
        gained_during = [float(c) for c in changes[len(spans_before):] if c is not None]
        comparisons.append(_compare("Followers gained per day", gained_during, gained_before))
    return Results(days, len(people), len(current.eligible), comparisons, (opens, until), (start_before, opens))
