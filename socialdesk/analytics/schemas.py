"""What analytics look like through the API (and the pages' chart data)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from socialdesk.analytics.best_time import BestTime
from socialdesk.analytics.dashboard import Breakdown, Dashboard, Kpi, PostRow
from socialdesk.analytics.definitions import Metric
from socialdesk.analytics.statistics import Estimate


class DefinitionOut(BaseModel):
    key: str
    label: str
    formula: str
    unit: str
    note: str
    per_post: bool

    @classmethod
    def of(cls, m: Metric) -> DefinitionOut:
        return cls(key=m.key, label=m.label, formula=m.formula, unit=m.unit.value, note=m.note, per_post=m.per_post)


class EstimateOut(BaseModel):
    value: float | None
    low: float | None
    high: float | None
    n: int

    @classmethod
    def of(cls, e: Estimate | None) -> EstimateOut | None:
        return None if e is None else cls(value=e.value, low=e.low, high=e.high, n=e.n)


class KpiOut(BaseModel):
    key: str
    label: str
    formula: str
    unit: str
    value: float | None
    low: float | None
    high: float | None
    previous: float | None
    change: EstimateOut | None
    verdict: str | None
    n: int
    n_previous: int
    exact: bool
    missing: str

    @classmethod
    def of(cls, k: Kpi) -> KpiOut:
        return cls(key=k.key, label=k.label, formula=k.formula, unit=k.unit, value=k.value, low=k.low, high=k.high,
                   previous=k.previous, change=EstimateOut.of(k.change), verdict=k.verdict.value if k.verdict else None,
                   n=k.n, n_previous=k.n_previous, exact=k.exact, missing=k.missing)


class PostOut(BaseModel):
    publication_id: str
    post_id: str
    channel_id: str
    channel_name: str
    published_at: datetime
    content_type: str
    text: str
    rate: float | None
    values: dict[str, int | None]

    @classmethod
    def of(cls, row: PostRow) -> PostOut:
        r = row.record
        return cls(publication_id=r.publication_id, post_id=r.post_id, channel_id=r.channel_id,
                   channel_name=row.channel_name, published_at=r.published_at, content_type=r.content_type,
                   text=r.text, rate=row.rate, values=r.values or {})


class GroupOut(BaseModel):
    label: str
    estimate: EstimateOut
    difference: EstimateOut
    verdict: str


class BreakdownOut(BaseModel):
    key: str
    label: str
    conclusion: str
    best: str | None
    groups: list[GroupOut]

    @classmethod
    def of(cls, b: Breakdown) -> BreakdownOut:
        return cls(key=b.key, label=b.label, conclusion=b.conclusion, best=b.best,
                   groups=[GroupOut(label=g.label, estimate=EstimateOut.of(g.estimate),  # type: ignore[arg-type]
                                    difference=EstimateOut.of(g.difference),  # type: ignore[arg-type]
                                    verdict=g.verdict.value) for g in b.groups])


class FollowerPointOut(BaseModel):
    day: date
    followers: int


class DayOut(BaseModel):
    day: date
    posts: int
    engagements: float | None
    rate: float | None


class DashboardOut(BaseModel):
    period: str
    period_label: str
    previous: str
    start: datetime
    end: datetime
    age: str
    rank_by: DefinitionOut
    channel_ids: list[str]
    posts: int
    measured: int
    unmeasured: int
    kpis: list[KpiOut]
    followers: dict[str, list[FollowerPointOut]]
    engagement: list[DayOut]
    top: list[PostOut]
    bottom: list[PostOut]
    breakdowns: list[BreakdownOut]

    @classmethod
    def of(cls, d: Dashboard) -> DashboardOut:
        return cls(
            period=d.period.key, period_label=d.period.label, previous=d.previous.key, start=d.period.start,
            end=d.period.end, age=d.age.value, rank_by=DefinitionOut.of(d.rank_by),
            channel_ids=[c.id for c in d.channels], posts=len(d.posts), measured=d.measured, unmeasured=d.unmeasured,
            kpis=[KpiOut.of(k) for k in d.kpis],
            followers={cid: [FollowerPointOut(day=day, followers=n) for day, n in points]
                       for cid, points in d.followers.items()},
            engagement=[DayOut(day=day, posts=p, engagements=e, rate=r) for day, p, e, r in d.engagement],
            top=[PostOut.of(p) for p in d.top], bottom=[PostOut.of(p) for p in d.bottom],
            breakdowns=[BreakdownOut.of(b) for b in d.breakdowns])


class SlotOut(BaseModel):
    hour: int
    weekdays: list[int]
    label: str
    value: float | None
    low: float | None
    high: float | None
    p_best: float
    posts: int = Field(description="posts published at this very hour: what the recommendation rests on")
    pooled: int = Field(description="posts at this hour and the hours either side")
    messages: int = Field(description="when recommended from the audience's activity: its messages at this hour")
    basis: str = Field(description="what the recommendation rests on, in words")


class HourOut(BaseModel):
    hour: int
    n: int
    posts: int
    value: float | None
    low: float | None
    high: float | None
    p_best: float


class BestTimeOut(BaseModel):
    channel_id: str
    timezone: str
    source: str
    message: str
    posts_used: int
    slots: list[SlotOut]
    hours: list[HourOut]
    weekdays: list[EstimateOut]
    weekday_conclusion: str
    heatmap: list[list[float | None]]
    counts: list[list[int]]
    activity: list[float]
    activity_items: int

    @classmethod
    def of(cls, b: BestTime) -> BestTimeOut:
        return cls(
            channel_id=b.channel_id, timezone=b.timezone, source=b.source, message=b.message, posts_used=b.posts_used,
            slots=[SlotOut(hour=s.hour, weekdays=list(s.weekdays), label=s.label, value=s.value, low=s.low,
                           high=s.high, p_best=s.p_best, posts=s.posts, pooled=s.pooled, messages=s.messages,
                           basis=s.basis) for s in b.slots],
            hours=[HourOut(**h.__dict__) for h in b.hours],
            weekdays=[EstimateOut.of(e) for e in b.weekdays],  # type: ignore[misc]
            weekday_conclusion=b.weekday_conclusion, heatmap=b.heatmap, counts=b.counts, activity=b.activity,
            activity_items=b.activity_items)
