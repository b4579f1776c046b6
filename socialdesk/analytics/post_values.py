"""Each published post with its numbers at a fixed age (24 h, 7 days) or its newest, from the snapshots.

Posts are compared at the same age after publishing: a post from yesterday and one from last month
measured "today" are not comparable. The value "at 7 days" is the last snapshot taken no later than
7 days after publishing and no earlier than three quarters of that (5¼ days; 18 h for "at 24 h"); a
post without such a snapshot — too young, or not collected then — is *not measured* at that age and
is left out of rates and comparisons, and counted as such.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, DateTime, Float, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from socialdesk.analytics.definitions import Metric
from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, PostMedia, Publication, PublicationStatus
from socialdesk.media.models import MediaAsset
from socialdesk.networks.base import POST_METRICS
from socialdesk.text import entities
from socialdesk.workspaces.context import WorkspaceContext


class Age(StrEnum):
    H24 = "24h"
    D7 = "7d"
    LATEST = "latest"


AGE_LABELS = {Age.H24: "24 hours after publishing", Age.D7: "7 days after publishing", Age.LATEST: "newest numbers"}
AGES = {Age.H24: timedelta(hours=24), Age.D7: timedelta(days=7)}
# A snapshot up to a quarter of the age early still stands for it (collection runs hourly, then 6-hourly).
EARLIEST_SHARE = 0.75
CONTENT_TYPES = ("text", "image", "video", "carousel", "thread", "poll")
LENGTHS = (("short (< 80 characters)", 80), ("medium (80–199)", 200), ("long (200–499)", 500),
           ("very long (500+)", None))


class shifted(FunctionElement[datetime]):
    """`column + seconds` on both databases (SQLite stores datetimes as text)."""

    type = DateTime()
    inherit_cache = True


@compiles(shifted, "sqlite")
def _shifted_sqlite(element: shifted, compiler: Any, **kw: Any) -> str:
    column, seconds = list(element.clauses)
    # The same text format SQLAlchemy stores ('YYYY-MM-DD HH:MM:SS.ffffff'), so text comparison is time order.
    return (f"(strftime('%Y-%m-%d %H:%M:%f', {compiler.process(column, **kw)}, "
            f"({compiler.process(seconds, **kw)}) || ' seconds') || '000')")


@compiles(shifted, "postgresql")
def _shifted_postgresql(element: shifted, compiler: Any, **kw: Any) -> str:
    column, seconds = list(element.clauses)
    return f"({compiler.process(column, **kw)} + make_interval(secs => {compiler.process(seconds, **kw)}))"


class epoch(FunctionElement[float]):
    """Seconds since 1970 of a UTCDateTime column, computed by the database (no datetime objects to build)."""

    type = Float()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"((julianday({compiler.process(column, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"CAST(extract(epoch from {compiler.process(column, **kw)}) AS double precision)"  # not numeric


@dataclass
class PostRecord:
    publication_id: str
    post_id: str
    channel_id: str
    network: str  # the imitated or real network ("instagram"), for breakdowns
    published_at: datetime
    text: str
    content_type: str
    followers: int | None  # the channel's followers at the last snapshot before publishing
    values: dict[str, int | None] | None  # None: not measured at the requested age
    hashtags: list[str] = field(default_factory=list)

    @property
    def length(self) -> int:
        return len(self.text)

    def inputs(self) -> dict[str, float | None]:
        """What the definitions read: the post's counts and the followers when it went out."""
        assert self.values is not None
        return {**self.values, "followers": self.followers}


def length_group(length: int) -> str:
    for label, below in LENGTHS:
        if below is None or length < below:
            return label
    return LENGTHS[-1][0]


def content_type(media_kinds: list[str], post_extras: dict[str, Any] | None = None,
                 own_extras: dict[str, Any] | None = None) -> str:
    """poll or thread where the publication carried one (content/features.py), else text, image, video or
    carousel from what is attached."""
    if post_extras or own_extras:
        from socialdesk.content.features import effective

        wanted = effective(post_extras, own_extras)
        if wanted.poll:
            return "poll"
        if wanted.thread:
            return "thread"
    if not media_kinds:
        return "text"
    if len(media_kinds) > 1:
        return "carousel"
    return "video" if media_kinds[0] == "video" else "image"


_AT_AGE = PublicationMetricSnapshot.__table__.alias("s")


def _age_bounds(age: Age) -> list[ColumnElement[bool]]:
    """Conditions on a snapshot `s` of the publication for it to stand for the numbers at `age`."""
    if age == Age.LATEST:
        return []
    seconds = AGES[age].total_seconds()
    return [_AT_AGE.c.collected_at <= shifted(Publication.published_at, seconds),
            _AT_AGE.c.collected_at >= shifted(Publication.published_at, seconds * EARLIEST_SHARE)]


def _snapshot_at(age: Age) -> ColumnElement[Any]:
    """The id of the snapshot that stands for the publication's numbers at `age`."""
    s = _AT_AGE
    return (select(s.c.id).where(s.c.publication_id == Publication.id, *_age_bounds(age))
            .order_by(s.c.collected_at.desc()).limit(1).correlate(Publication).scalar_subquery())


def _values_at(age: Age, dialect: str) -> tuple[Any, ColumnElement[bool], list[ColumnElement[Any]]]:
    """What to join for the numbers at `age`: (selectable, ON clause, its columns: POST_METRICS then the id).

    PostgreSQL reads the snapshot's row in the same index walk that finds it (LATERAL); SQLite, which has
    no LATERAL, finds its id in a correlated subquery and joins the row by primary key."""
    if dialect == "postgresql":
        s = _AT_AGE
        found = (select(*[s.c[m] for m in POST_METRICS], s.c.id)
                 .where(s.c.publication_id == Publication.id, *_age_bounds(age))
                 .order_by(s.c.collected_at.desc()).limit(1).lateral("at_age"))
        return found, true(), [found.c[m] for m in (*POST_METRICS, "id")]
    snap = PublicationMetricSnapshot.__table__
    return snap, snap.c.id == _snapshot_at(age), [snap.c[m] for m in (*POST_METRICS, "id")]


def post_records(ctx: WorkspaceContext, start: datetime, end: datetime, *, age: Age = Age.D7,
                 channel_ids: list[str] | None = None,
                 follower_window: tuple[datetime, datetime] | None = None) -> list[PostRecord]:
    """The workspace's posts published in [start, end), oldest first, with their numbers at `age`.

    Each post's followers are the channel's count at the last snapshot before it went out (the first
    after, if none is before), looked up in SQL among the snapshots in `follower_window` (default: from a
    week before `start` to `end`).
    """
    return post_records_of_spans(ctx, [start, end], age=age, channel_ids=channel_ids,
                                 follower_window=follower_window)[0]


def post_records_of_spans(ctx: WorkspaceContext, bounds: list[datetime], *, age: Age = Age.D7,
                          channel_ids: list[str] | None = None,
                          follower_window: tuple[datetime, datetime] | None = None) -> list[list[PostRecord]]:
    """`post_records` of consecutive spans [bounds[0], bounds[1]), [bounds[1], bounds[2]), … read by one
    statement (a dashboard's period and the period before): one list per span."""
    from socialdesk.analytics.followers import at_post_time

    start, end = bounds[0], bounds[-1]
    window_start, window_end = follower_window or (start - timedelta(days=7), end)
    where = [Publication.workspace_id == ctx.workspace_id, Publication.status == PublicationStatus.PUBLISHED,
             Publication.published_at >= start, Publication.published_at < end]
    if channel_ids is not None:
        where.append(Publication.channel_id.in_(channel_ids))
    numbers, on, columns = _values_at(age, ctx.session.get_bind().dialect.name)
    # Read by position through Core: ~5,000 rows for a quarter and the one before, where the ORM's
    # row handling and attribute look-ups by name cost more than the statement.
    rows = ctx.session.connection().execute(
        select(Publication.id, Publication.post_id, Publication.channel_id, Publication.published_at,
               Publication.variant_text, Publication.own_media, Post.text, Post.extras, Publication.extras,
               at_post_time(Publication.channel_id, Publication.published_at, window_start, window_end),
               *columns)
        .join(Post, Post.id == Publication.post_id)
        .outerjoin(numbers, on)
        .where(*where).order_by(Publication.published_at)).all()
    spans: list[list[PostRecord]] = [[] for _ in bounds[1:]]
    if not rows:
        return spans
    networks = {c.id: _network(c.network, c.settings) for c in ctx.session.scalars(
        ctx.select(Channel).where(Channel.id.in_({r[2] for r in rows})))}
    media = _media_kinds(ctx, where)
    # In UTC, as the rows' times: comparing datetimes of one time zone is cheap, of two is not.
    uppers = [b.astimezone(UTC) for b in bounds]
    span, upper = 0, uppers[1]
    for (publication_id, post_id, channel_id, published_at, variant_text, own_media, post_text, post_extras,
         own_extras, follower_count, *counts) in rows:
        while published_at >= upper:  # ordered by time: the next span starts
            span += 1
            upper = uppers[span + 1]
        text = variant_text if variant_text is not None else post_text
        kinds = media.get((post_id, publication_id if own_media else None), [])
        values = None if counts[-1] is None else dict(zip(POST_METRICS, counts[:-1], strict=True))
        spans[span].append(PostRecord(
            publication_id, post_id, channel_id, networks[channel_id], published_at, text,
            content_type(kinds, post_extras, own_extras), follower_count, values, _hashtags(text)))
    return spans


@lru_cache(maxsize=4096)
def _hashtags_of(text: str) -> tuple[str, ...]:
    return tuple(h.value.lower() for h in entities.hashtags(text))


def _hashtags(text: str) -> list[str]:
    return list(_hashtags_of(text)) if "#" in text or "＃" in text else []


def _network(network: str, settings: dict[str, Any] | None) -> str:
    """A sandbox channel is grouped with the network it imitates."""
    return str((settings or {}).get("profile") or network) if network == "sandbox" else network


def _media_kinds(ctx: WorkspaceContext, where: list[ColumnElement[bool]]) -> dict[tuple[str, str | None], list[str]]:
    """Media kinds per (post, own publication or None), in attachment order, of the posts of the publications
    matching `where`: one statement (lists of thousands of post ids cost more to send than to run)."""
    found: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for post_id, publication_id, kind in ctx.session.connection().execute(
            select(PostMedia.post_id, PostMedia.publication_id, MediaAsset.kind)
            .join(MediaAsset, MediaAsset.id == PostMedia.media_id)
            .where(MediaAsset.workspace_id == ctx.workspace_id,
                   PostMedia.post_id.in_(select(Publication.post_id).where(*where)))
            .order_by(PostMedia.post_id, PostMedia.position)):
        found[(post_id, publication_id)].append(kind)
    return found


@dataclass
class FollowerHistory:
    """Each channel's follower snapshots as arrays, to read "followers at moment t" quickly."""

    times: dict[str, np.ndarray]  # epoch seconds, ascending
    counts: dict[str, np.ndarray]

    @classmethod
    def load(cls, ctx: WorkspaceContext, channel_ids: set[str], start: datetime, end: datetime) -> FollowerHistory:
        c = ChannelMetricSnapshot
        times: dict[str, list[float]] = defaultdict(list)
        counts: dict[str, list[int]] = defaultdict(list)
        if channel_ids:
            # Hourly snapshots make tens of thousands of rows for a quarter: plain numbers, not datetimes,
            # read through Core (the ORM's row handling would cost more than the query).
            for channel_id, at, n in ctx.session.connection().execute(
                    select(c.channel_id, epoch(c.collected_at), c.followers)
                    .where(c.workspace_id == ctx.workspace_id, c.channel_id.in_(channel_ids),
                           c.collected_at >= start, c.collected_at < end, c.followers.is_not(None))
                    .order_by(c.channel_id, c.collected_at)).all():
                times[channel_id].append(at)
                counts[channel_id].append(n)
        return cls({k: np.array(v, dtype=float) for k, v in times.items()},
                   {k: np.array(v) for k, v in counts.items()})

    def at(self, channel_id: str, moment: datetime) -> int | None:
        """The count at the last snapshot at or before `moment` (the first one after, if none is before)."""
        return self.at_many([channel_id], np.array([moment.timestamp()]))[0]

    def at_many(self, channel_ids: list[str], epochs: np.ndarray) -> list[int | None]:
        """`at` for many (channel, moment) pairs, one search per channel."""
        found: list[int | None] = [None] * len(channel_ids)
        by_channel: dict[str, list[int]] = defaultdict(list)
        for index, channel_id in enumerate(channel_ids):
            by_channel[channel_id].append(index)
        for channel_id, indexes in by_channel.items():
            times = self.times.get(channel_id)
            if times is None or times.size == 0:
                continue
            positions = np.maximum(np.searchsorted(times, epochs[indexes], side="right") - 1, 0)
            for index, count in zip(indexes, self.counts[channel_id][positions].tolist(), strict=True):
                found[index] = int(count)
        return found


@dataclass
class Sample:
    """Posts with their inputs as arrays (NaN: not offered, or not measured), for metrics over many posts."""

    records: list[PostRecord]
    columns: dict[str, np.ndarray]

    @classmethod
    def of(cls, records: list[PostRecord]) -> Sample:
        names = (*POST_METRICS, "followers")
        unmeasured, counts = (None,) * len(names), itemgetter(*POST_METRICS)
        # One conversion of all rows (None becomes NaN), not a row at a time.
        table = np.array([unmeasured if r.values is None else (*counts(r.values), r.followers) for r in records],
                         dtype=float).reshape(len(records), len(names))
        return cls(records, {name: table[:, i] for i, name in enumerate(names)})

    @property
    def measured(self) -> np.ndarray:
        return np.array([r.values is not None for r in self.records], dtype=bool)

    def values(self, metric: Metric) -> np.ndarray:
        """The metric for each post; NaN where it cannot be computed."""
        return metric.compute_array(self.columns, len(self.records))

    def rate_parts(self, metric: Metric, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Numerators and denominators of the posts (within `mask`) where both are known and the denominator > 0."""
        top, bottom = metric.arrays(self.columns, len(self.records))
        keep = ~np.isnan(top) & ~np.isnan(bottom) & (np.nan_to_num(bottom) > 0)
        if mask is not None:
            keep &= mask
        return top[keep], bottom[keep]


def unmeasured(records: list[PostRecord]) -> int:
    return sum(1 for r in records if r.values is None)

