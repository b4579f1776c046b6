"""Follower numbers for dashboards without reading every hourly snapshot.

Channels are snapshotted hourly, so a quarter and the quarter before are ~4,500 snapshots per channel.
The dashboard needs only: the count at a period's start and end, the drops in between (churn), the
count at the end of each local day (the curve) and the count when each post went out. Start, end, the
day ends and the post-time counts are single index look-ups on (channel, collected_at); the drops come
from one row per channel and UTC day (`ChannelFollowerDay`: first and last count, the drops between
them), plus the raw snapshots of the partial days at both ends. The numbers are exactly those the
hourly snapshots give (tests/analytics/test_follower_days.py compares both).

The day rows are kept in step by an ORM listener (analytics/models.py): every flush that writes or
deletes a ChannelMetricSnapshot — the collector's, a test's — recomputes those days and bumps the
workspace's `AnalyticsVersion`, which invalidates cached dashboards (analytics/cache.py). Bulk loads
that bypass the ORM call `rebuild_days`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from socialdesk.analytics.models import AnalyticsVersion, ChannelFollowerDay, ChannelMetricSnapshot
from socialdesk.analytics.periods import Period
from socialdesk.channels.models import Channel
from socialdesk.core import clock
from socialdesk.core.db import UTCDateTime
from socialdesk.core.timezones import zone
from socialdesk.workspaces.context import WorkspaceContext

S = ChannelMetricSnapshot
D = ChannelFollowerDay


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


# Writing ---------------------------------------------------------------------------------------------


def refresh_days(conn: Connection, days: Iterable[tuple[str, str, date]]) -> None:
    """Recompute the day rows (workspace id, channel id, UTC day) from that day's snapshots."""
    for workspace_id, channel_id, day in sorted(set(days)):
        start = _day_start(day)
        rows = conn.execute(select(S.collected_at, S.followers).where(
            S.channel_id == channel_id, S.collected_at >= start, S.collected_at < start + timedelta(days=1),
            S.followers.is_not(None)).order_by(S.collected_at)).all()
        conn.execute(delete(D).where(D.channel_id == channel_id, D.day == day))
        if not rows:
            continue
        counts = [n for _, n in rows]
        drops = sum(max(a - b, 0) for a, b in pairwise(counts))
        conn.execute(insert(D).values(channel_id=channel_id, day=day, workspace_id=workspace_id,
                                      first_at=rows[0][0], first_followers=counts[0], last_at=rows[-1][0],
                                      last_followers=counts[-1], drops=drops, snapshots=len(rows)))


def bump_version(conn: Connection, workspace_id: str, newest_at: datetime | None) -> None:
    """A metric snapshot of the workspace was written (or removed): cached numbers are out of date."""
    dialect = conn.dialect.name
    table = AnalyticsVersion.__table__
    if dialect in ("sqlite", "postgresql"):
        make = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = make(table).values(workspace_id=workspace_id, version=1, newest_at=newest_at)
        newer = stmt.excluded.newest_at
        conn.execute(stmt.on_conflict_do_update(index_elements=["workspace_id"], set_={
            "version": table.c.version + 1,
            "newest_at": func.coalesce(func.max(table.c.newest_at, newer) if dialect == "sqlite"
                                       else func.greatest(table.c.newest_at, newer), newer, table.c.newest_at)}))
        return
    if not conn.execute(update(table).where(table.c.workspace_id == workspace_id)  # pragma: no cover
                        .values(version=table.c.version + 1)).rowcount:
        conn.execute(insert(table).values(workspace_id=workspace_id, version=1, newest_at=newest_at))


def rebuild_days(conn: Connection, workspace_id: str | None = None) -> None:
    """Recompute every day row (of one workspace, or all) from the snapshots, in SQL; bumps the versions."""
    dialect = conn.dialect.name
    day = ("substr(collected_at, 1, 10)" if dialect == "sqlite"
           else "CAST(collected_at AT TIME ZONE 'UTC' AS date)")
    where = "followers IS NOT NULL" + (" AND workspace_id = :workspace_id" if workspace_id else "")
    params = {"workspace_id": workspace_id} if workspace_id else {}
    conn.execute(delete(D).where(D.workspace_id == workspace_id) if workspace_id else delete(D))
    conn.execute(text(f"""
        INSERT INTO channel_follower_days (channel_id, day, workspace_id, first_at, first_followers, last_at,
                                           last_followers, drops, snapshots)
        SELECT channel_id, day, min(workspace_id), min(collected_at), max(CASE WHEN first_rank = 1 THEN followers END),
               max(collected_at), max(CASE WHEN last_rank = 1 THEN followers END), sum(fall), count(*)
        FROM (SELECT channel_id, workspace_id, collected_at, followers, {day} AS day,
                     CASE WHEN lag(followers) OVER w > followers THEN lag(followers) OVER w - followers ELSE 0 END
                         AS fall,
                     row_number() OVER w AS first_rank,
                     row_number() OVER (PARTITION BY channel_id, {day} ORDER BY collected_at DESC) AS last_rank
              FROM channel_metric_snapshots WHERE {where}
              WINDOW w AS (PARTITION BY channel_id, {day} ORDER BY collected_at)) AS snapshots
        GROUP BY channel_id, day"""), params)
    for found, newest in conn.execute(select(S.workspace_id, func.max(S.collected_at)).where(
            *([S.workspace_id == workspace_id] if workspace_id else [])).group_by(S.workspace_id)).all():
        bump_version(conn, found, newest)


def snapshots_flushed(conn: Connection, written: list[Any]) -> None:
    """The ORM listener's work: day rows of the channel snapshots in `written`, and the versions."""
    days = set()
    newest: dict[str, datetime | None] = {}
    for snapshot in written:
        at = clock.utc(snapshot.collected_at) if snapshot.collected_at is not None else None
        known = newest.get(snapshot.workspace_id)
        newest[snapshot.workspace_id] = at if known is None or (at is not None and at > known) else known
        if isinstance(snapshot, ChannelMetricSnapshot) and at is not None:
            days.add((snapshot.workspace_id, snapshot.channel_id, at.date()))
    refresh_days(conn, days)
    for workspace_id, at in newest.items():
        bump_version(conn, workspace_id, at)


# Reading ---------------------------------------------------------------------------------------------


class _earlier(FunctionElement[datetime]):
    """The earlier of two instants: SQLite's two-argument min(), PostgreSQL's least()."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(_earlier, "sqlite")
def _earlier_sqlite(element: _earlier, compiler: Any, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(_earlier, "postgresql")
def _earlier_postgresql(element: _earlier, compiler: Any, **kw: Any) -> str:
    return f"least({compiler.process(element.clauses, **kw)})"


def at_post_time(channel_id: ColumnElement[str], published_at: ColumnElement[datetime], window_start: datetime,
                 window_end: datetime) -> ColumnElement[int]:
    """The channel's followers at the last snapshot at or before `published_at`, or the first one after if
    none is before; only snapshots in [window_start, window_end) count (as the dashboard's history did)."""
    s = S.__table__.alias("fs")
    # One upper bound (the earlier of the post's time and the window's end), so the database walks the
    # (channel, collected_at) index down from it and stops at the first row. "< window_end" is
    # "<= window_end − 1 µs": both databases store microseconds.
    last = _earlier(published_at, literal(window_end - timedelta(microseconds=1), UTCDateTime()))
    before = (select(s.c.followers).where(s.c.channel_id == channel_id, s.c.followers.is_not(None),
                                          s.c.collected_at >= window_start, s.c.collected_at <= last)
              .order_by(s.c.collected_at.desc()).limit(1).scalar_subquery())
    after = (select(s.c.followers).where(s.c.channel_id == channel_id, s.c.followers.is_not(None),
                                         s.c.collected_at >= window_start, s.c.collected_at < window_end)
             .order_by(s.c.collected_at).limit(1).scalar_subquery())
    return func.coalesce(before, after)


def _edge(newest: bool, lo: datetime, hi: datetime) -> ColumnElement[Any]:
    s = S.__table__.alias("es")
    return (select(s.c.collected_at).where(s.c.channel_id == Channel.id, s.c.followers.is_not(None),
                                           s.c.collected_at >= lo, s.c.collected_at < hi)
            .order_by(s.c.collected_at.desc() if newest else s.c.collected_at).limit(1).scalar_subquery())


def numbers(ctx: WorkspaceContext, ids: list[str], since: datetime, until: datetime, window_start: datetime,
            window_end: datetime) -> dict[str, float | None]:
    """Followers at `since` and at `until` (summed over channels), and the drops in between.

    "At since" is the last snapshot before `since` (from `window_start` on), else the first inside;
    only snapshots in [window_start, window_end) count.
    """
    return numbers_of_spans(ctx, ids, [(since, until)], window_start, window_end)[0]


def numbers_of_spans(ctx: WorkspaceContext, ids: list[str], spans: list[tuple[datetime, datetime]],
                     window_start: datetime, window_end: datetime) -> list[dict[str, float | None]]:
    """`numbers` for several (since, until) at once: three queries in all."""
    empty: dict[str, float | None] = {"followers_start": None, "followers_end": None, "followers_lost": None,
                                      "followers_change": None}
    spans = [(since, min(until, window_end)) for since, until in spans]
    asked = [k for k, (since, until) in enumerate(spans) if until > since]
    if not ids or not asked:
        return [dict(empty) for _ in spans]
    columns = []
    for k in asked:
        since, until = spans[k]
        columns += [_edge(True, window_start, since), _edge(False, since, until), _edge(True, since, until)]
    # (span, channel) -> first and last snapshot counted
    ends: dict[tuple[int, str], tuple[datetime, datetime]] = {}
    for row in ctx.session.execute(select(Channel.id, *columns).where(
            Channel.workspace_id == ctx.workspace_id, Channel.id.in_(ids))).all():
        for position, k in enumerate(asked):
            before, first, last = row[1 + 3 * position:4 + 3 * position]
            if last is not None:
                ends[(k, row[0])] = (clock.utc(before or first), clock.utc(last))
    if not ends:
        return [dict(empty) for _ in spans]
    # Raw snapshots of the partial UTC days at both ends; whole days in between from the day rows.
    ranges = []
    for (_, channel_id), (a, b) in ends.items():
        head_end = _day_start(a.date() + timedelta(days=1))
        if b < head_end:
            ranges.append(and_(S.channel_id == channel_id, S.collected_at >= a, S.collected_at <= b))
        else:
            ranges.append(and_(S.channel_id == channel_id, S.collected_at >= a, S.collected_at < head_end))
            ranges.append(and_(S.channel_id == channel_id, S.collected_at >= _day_start(b.date()),
                               S.collected_at <= b))
    raw: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for channel_id, at, n in ctx.session.execute(select(S.channel_id, S.collected_at, S.followers).where(
            S.followers.is_not(None), or_(*ranges)).order_by(S.channel_id, S.collected_at)).all():
        raw[channel_id].append((at, n))
    low = min(a.date() for a, _ in ends.values()) + timedelta(days=1)
    high = max(b.date() for _, b in ends.values()) - timedelta(days=1)
    days: dict[str, list[tuple[date, int, int, int]]] = defaultdict(list)
    if low <= high:
        for channel_id, day, first, last, drops in ctx.session.execute(
                select(D.channel_id, D.day, D.first_followers, D.last_followers, D.drops).where(
                    D.channel_id.in_({c for _, c in ends}), D.day >= low, D.day <= high)
                .order_by(D.channel_id, D.day)).all():
            days[channel_id].append((day, first, last, drops))
    results = []
    for k in range(len(spans)):
        chosen = [(channel_id, a, b) for (span, channel_id), (a, b) in ends.items() if span == k]
        if not chosen:
            results.append(dict(empty))
            continue
        start = end = lost = 0.0
        for channel_id, a, b in chosen:
            # (first count, last count, drops within) in time order: the raw snapshots of a's day, the
            # whole days in between, the raw snapshots of b's day.
            first_day, last_day = a.date(), b.date()
            inside = [(at, n) for at, n in raw[channel_id] if a <= at <= b]
            pieces = [(n, n, 0) for at, n in inside if at.date() == first_day]
            pieces += [(first, last, drops) for day, first, last, drops in days[channel_id]
                       if first_day < day < last_day]
            pieces += [(n, n, 0) for at, n in inside if at.date() == last_day != first_day]
            start += float(pieces[0][0])
            end += float(pieces[-1][1])
            lost += float(sum(p[2] for p in pieces))
            lost += float(sum(max(p[1] - q[0], 0) for p, q in pairwise(pieces)))
        results.append({"followers_start": start, "followers_end": end, "followers_lost": lost,
                        "followers_change": end - start})
    return results


def curve(ctx: WorkspaceContext, ids: list[str], period: Period, window_start: datetime,
          window_end: datetime) -> dict[str, list[tuple[date, int]]]:
    """Per channel, the follower count at the end of each local day of the period that has snapshots
    (an empty list for a channel with snapshots in [window_start, window_end) but none in the period)."""
    tz = zone(period.timezone)
    bounds = []
    for day in period.local_days():
        lo = datetime.combine(day, time(0), tzinfo=tz)
        hi = min(datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz), window_end)
        if lo < hi:
            bounds.append((day, lo, hi))
    if not ids:
        return {}
    curves: dict[str, list[tuple[date, int]]] = {
        channel_id: [] for channel_id, first in ctx.session.execute(
            select(Channel.id, _edge(False, window_start, window_end)).where(
                Channel.workspace_id == ctx.workspace_id, Channel.id.in_(ids))).all() if first is not None}
    if not curves or not bounds:
        return curves
    for channel_id, ordinal, n in _last_counts(ctx, list(curves), [(day.toordinal(), lo, hi)
                                                                      for day, lo, hi in bounds]):
        if n is not None:
            curves[channel_id].append((date.fromordinal(ordinal), n))
    return curves


def _last_counts(ctx: WorkspaceContext, ids: list[str], bounds: list[tuple[int, datetime, datetime]]
                 ) -> list[tuple[str, int, int | None]]:
    """For each channel and each (key, lo, hi): the count of the channel's last snapshot in [lo, hi), or
    None; ordered by channel and key. One statement, an index look-up on (channel, collected_at) each."""
    if not ids or not bounds:
        return []
    # Written as text: building ~90 UNION ALL selects through SQLAlchemy's expression layer cost more than
    # running them.
    values = ", ".join(f"(:d{i}, :lo{i}, :hi{i})" for i in range(len(bounds)))
    params: dict[str, Any] = {"workspace_id": ctx.workspace_id, "ids": ids}
    binds = [bindparam("ids", expanding=True)]
    for i, (key, lo, hi) in enumerate(bounds):
        params.update({f"d{i}": key, f"lo{i}": lo, f"hi{i}": hi})
        binds += [bindparam(f"lo{i}", type_=UTCDateTime()), bindparam(f"hi{i}", type_=UTCDateTime())]
    statement = text(f"""
        WITH days (d, lo, hi) AS (VALUES {values})
        SELECT c.id, days.d, (SELECT s.followers FROM channel_metric_snapshots s
                              WHERE s.channel_id = c.id AND s.followers IS NOT NULL
                                AND s.collected_at >= days.lo AND s.collected_at < days.hi
                              ORDER BY s.collected_at DESC LIMIT 1)
        FROM channels c CROSS JOIN days
        WHERE c.workspace_id = :workspace_id AND c.id IN :ids
        ORDER BY c.id, days.d""").bindparams(*binds)
    return [(channel_id, int(key), None if n is None else int(n))
            for channel_id, key, n in ctx.session.execute(statement, params).all()]


def levels(ctx: WorkspaceContext, ids: list[str], spans: list[tuple[datetime, datetime]]) -> list[float | None]:
    """For each (since, until): the followers at the last snapshot in [since, until), summed over the channels
    that have one there; None where none has. What the goals read (the level at a moment, and at the end of
    each of the last days), by one index look-up per channel and span instead of every hourly snapshot."""
    found: list[float | None] = [None] * len(spans)
    for _, k, n in _last_counts(ctx, ids, [(k, since, until) for k, (since, until) in enumerate(spans)]):
        if n is not None:
            found[k] = (found[k] or 0.0) + float(n)
    return found
