"""The dashboard's faster reading gives the very numbers of the computation it replaced.

A dashboard reads its period and the period before in one statement (a LATERAL join on PostgreSQL,
a correlated subquery on SQLite), the media kinds in one statement, and sums engagement per day
without a loop over the days. Each is compared here with the straightforward computation from every
snapshot, post by post and day by day, on a small data set with the awkward cases: snapshots just
inside and just outside an age's window, a post never measured, one published on the boundary
between the periods, media attached to a post and to one publication, a variant text, and follower
counts that are unknown at some hours.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from socialdesk.analytics import best_time, cache, dashboard
from socialdesk.analytics import statistics as st
from socialdesk.analytics.definitions import METRICS, Metric
from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.analytics.periods import Period
from socialdesk.analytics.post_values import (
    AGES,
    EARLIEST_SHARE,
    Age,
    FollowerHistory,
    PostRecord,
    Sample,
    content_type,
    post_records,
    post_records_of_spans,
)
from socialdesk.content.models import Post, PostMedia, Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.timezones import zone
from socialdesk.media.models import MediaAsset
from socialdesk.networks.base import POST_METRICS
from tests.helpers import World, make_world

TZ = "Europe/Zagreb"
# Two periods of 14 local days, the second ending on 8 November 2026 (after the end of summer time).
PERIOD = Period(date(2026, 10, 26), date(2026, 11, 8), TZ)
PREVIOUS = PERIOD.previous()


def _media(session: object, world: World, kind: str) -> str:
    asset = MediaAsset(workspace_id=world.workspace_id, filename=f"a.{kind}", content_type=f"{kind}/x", kind=kind,
                       size_bytes=1, sha256="0" * 64, storage_key=f"w/a.{kind}")
    session.add(asset)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return asset.id


def _data(database: Database) -> World:
    """Posts over both periods on two channels, snapshots at ages around 24 h and 7 days, hourly followers."""
    world = make_world(database, profiles=("x", "instagram"))
    ids = sorted(world.channels.values())
    rng = np.random.default_rng(19)
    start = PREVIOUS.start - timedelta(days=8)
    with database.unit_of_work() as session:
        for channel_id in ids:
            count = 4000
            for hour in range((PERIOD.end - start).days * 24 + 24 * 8):
                count += int(rng.integers(-20, 30))
                if rng.random() < 0.04:
                    continue  # not collected at this hour
                session.add(ChannelMetricSnapshot(
                    workspace_id=world.workspace_id, channel_id=channel_id,
                    collected_at=start + timedelta(hours=hour, minutes=int(rng.integers(0, 4))),
                    followers=None if rng.random() < 0.03 else count))
        image, video = _media(session, world, "image"), _media(session, world, "video")
        moments = [PREVIOUS.start + timedelta(hours=float(h)) for h in np.sort(rng.uniform(0, 28 * 24, 40))]
        moments += [PERIOD.start, PERIOD.start - timedelta(microseconds=1), PERIOD.end - timedelta(minutes=1)]
        for n, at in enumerate(moments):
            post = Post(workspace_id=world.workspace_id, text=f"Post {n} #coffee" if n % 3 else f"Post {n}",
                        scheduled_at=at, timezone=TZ)
            session.add(post)
            session.flush()
            publication = Publication(workspace_id=world.workspace_id, post_id=post.id, channel_id=ids[n % 2],
                                      scheduled_at=at, published_at=at, status=PublicationStatus.PUBLISHED,
                                      external_id=f"x{n}", variant_text="A variant #tea" if n % 7 == 3 else None,
                                      own_media=n % 5 == 2)
            session.add(publication)
            session.flush()
            if n % 5 == 1:
                session.add(PostMedia(post_id=post.id, media_id=image, position=0))
                session.add(PostMedia(post_id=post.id, media_id=video, position=1))
            elif n % 5 == 2:
                session.add(PostMedia(post_id=post.id, publication_id=publication.id, media_id=video))
            if n % 11 == 4:
                continue  # never measured
            # Ages in hours: some inside the 24 h and 7 day windows, some just outside them.
            for hours in (1, 17.9, 18.1, 23.5, 24.2, 100, 125.9, 126.5, 160, 168.2, 200):
                if rng.random() < 0.25:
                    continue
                size = int(rng.integers(1, 50))
                session.add(PublicationMetricSnapshot(
                    workspace_id=world.workspace_id, publication_id=publication.id,
                    collected_at=at + timedelta(hours=hours), impressions=size * 40,
                    reach=None if n % 2 else size * 25, likes=size * 2, reposts=size // 3, comments=size % 4,
                    saves=size % 3, clicks=size % 5, quotes=None, views=None))
    return world


def _reference(session: object, ctx: object, start: datetime, end: datetime, age: Age,
               window: tuple[datetime, datetime]) -> list[tuple[object, ...]]:
    """Each publication of [start, end) with its numbers at `age`, chosen in Python from all its snapshots."""
    publications = session.scalars(select(Publication).where(  # type: ignore[attr-defined]
        Publication.published_at >= start, Publication.published_at < end).order_by(Publication.published_at)).all()
    history = FollowerHistory.load(ctx, {p.channel_id for p in publications}, *window)  # type: ignore[arg-type]
    found = []
    for p in publications:
        snapshots = session.scalars(select(PublicationMetricSnapshot).where(  # type: ignore[attr-defined]
            PublicationMetricSnapshot.publication_id == p.id)).all()
        if age != Age.LATEST:
            limit = AGES[age]
            snapshots = [s for s in snapshots
                         if limit * EARLIEST_SHARE <= s.collected_at - p.published_at <= limit]
        chosen = max(snapshots, key=lambda s: s.collected_at, default=None)
        post = session.get(Post, p.post_id)  # type: ignore[attr-defined]
        media = session.execute(select(PostMedia.publication_id, MediaAsset.kind).join(  # type: ignore[attr-defined]
            MediaAsset, MediaAsset.id == PostMedia.media_id).where(PostMedia.post_id == p.post_id)
            .order_by(PostMedia.position)).all()
        kinds = [kind for publication_id, kind in media if publication_id == (p.id if p.own_media else None)]
        found.append((p.id, p.published_at, p.variant_text or post.text, content_type(kinds),
                      history.at(p.channel_id, p.published_at),
                      None if chosen is None else {m: getattr(chosen, m) for m in POST_METRICS}))
    return found


def _plain(records: list[PostRecord]) -> list[tuple[object, ...]]:
    return [(r.publication_id, r.published_at, r.text, r.content_type, r.followers, r.values) for r in records]


@pytest.mark.parametrize("age", list(Age))
def test_both_periods_in_one_statement_equal_each_post_chosen_from_all_its_snapshots(
        database: Database, clock: ManualClock, age: Age) -> None:
    world = _data(database)
    clock.set(PERIOD.end + timedelta(days=9))
    window = (PREVIOUS.start - timedelta(days=7), PERIOD.end)
    with database.read_sessions() as session:
        ctx = world.ctx(session)
        before, now = post_records_of_spans(ctx, [PREVIOUS.start, PERIOD.start, PERIOD.end], age=age,
                                            follower_window=window)
        assert _plain(before) == _reference(session, ctx, PREVIOUS.start, PERIOD.start, age, window)
        assert _plain(now) == _reference(session, ctx, PERIOD.start, PERIOD.end, age, window)
        assert now == post_records(ctx, PERIOD.start, PERIOD.end, age=age, follower_window=window)
        assert PERIOD.start in [r.published_at for r in now]  # the boundary belongs to the later period
        measured = [r for r in now + before if r.values is not None]
        assert 0 < len(measured) < len(now + before)
        assert {r.content_type for r in now + before} == {"text", "carousel", "video"}


def _engagement_by_day_one_day_at_a_time(sample: Sample, period: Period,
                                         ranking: Metric) -> list[tuple[date, int, float | None, float | None]]:
    """The loop over the days that `dashboard._engagement_by_day` replaced."""
    tz = zone(period.timezone)
    days = np.array([r.published_at.astimezone(tz).date().toordinal() for r in sample.records], dtype=int)
    engagements = sample.values(METRICS["engagements"])
    result = []
    for day in period.local_days():
        mask = days == day.toordinal()
        known = engagements[mask & ~np.isnan(engagements)]
        nums, dens = sample.rate_parts(ranking, mask)
        result.append((day, int(mask.sum()), float(known.sum()) if known.size else None,
                       float(nums.sum() / dens.sum() * ranking.scale) if dens.size and dens.sum() > 0 else None))
    return result


def _sample_one_row_at_a_time(records: list[PostRecord]) -> dict[str, np.ndarray]:
    names = (*POST_METRICS, "followers")
    table = np.full((len(records), len(names)), np.nan)
    for row, r in enumerate(records):
        if r.values is not None:
            inputs = r.inputs()
            table[row] = [np.nan if inputs[n] is None else inputs[n] for n in names]
    return {name: table[:, i] for i, name in enumerate(names)}


def test_the_dashboard_sums_and_samples_equal_the_loops_they_replaced(database: Database,
                                                                      clock: ManualClock) -> None:
    world = _data(database)
    clock.set(PERIOD.end + timedelta(days=9))
    cache.clear()
    with database.read_sessions() as session:
        ctx = world.ctx(session)
        for channel_id in (None, world.channels["x"]):
            for rank_by in ("engagement_rate_followers", "engagement_rate_reach"):
                board = dashboard.build(ctx, PERIOD, channel_id=channel_id, rank_by=rank_by)
                sample = Sample.of(board.posts)
                expected = _sample_one_row_at_a_time(board.posts)
                assert all(np.array_equal(sample.columns[n], expected[n], equal_nan=True) for n in expected)
                assert board.engagement == _engagement_by_day_one_day_at_a_time(sample, PERIOD, METRICS[rank_by])
                assert any(rate is not None for *_, rate in board.engagement)
        assert Sample.of([]).columns["likes"].shape == (0,)


def test_best_hours_from_weights_drawn_once_equal_weights_drawn_each_time() -> None:
    rng = np.random.default_rng(5)
    for n in (1, 7, 160):
        scores, hours = rng.gamma(2.0, 0.5, n), rng.integers(0, 24, n)
        kept = [None] * n  # from_posts reads only how many posts there are
        first = best_time.from_posts(kept, scores, hours)  # type: ignore[arg-type]
        assert best_time.from_posts(kept, scores, hours) == first  # type: ignore[arg-type]
        onehot = np.zeros((n, 24))
        onehot[np.arange(n), hours] = 1.0
        # The integer weights of each call before: the products, hence every score and interval, are the same.
        drawn = np.random.default_rng(st.SEED).multinomial(n, np.full(n, 1.0 / n), size=best_time.RESAMPLES)
        assert np.array_equal(drawn @ (onehot * scores[:, None]),
                              best_time._resample_weights(n) @ (onehot * scores[:, None]))
        assert np.array_equal(drawn @ onehot, best_time._resample_weights(n) @ onehot)


def _gathered_sums(x: np.ndarray, stream: int) -> np.ndarray:
    """Each resample gathered and added up: how the sums were computed before the draw counts."""
    return x[st._indices(x.size, stream)].sum(axis=1)


def test_resampled_sums_from_draw_counts_equal_each_resample_added_up() -> None:
    rng = np.random.default_rng(11)
    cache.clear()
    cases = [rng.integers(0, 50_000, 245).astype(float),  # engagements, reach: counts
             np.array([0.0, 3.0, 1e9, 7.0, 2.0, 5.0]),  # one huge count
             -rng.integers(0, 9, 30).astype(float),  # whole but negative
             rng.gamma(2.0, 0.5, 40),  # fractions: gathered, as before
             np.full(9, 2.0**52)]  # whole numbers whose sums would round: gathered, as before
    for x in cases:
        for stream in (0, 1):
            assert np.array_equal(st._resampled_sums(x, stream), _gathered_sums(x, stream))
    assert st._exact_in_any_order(cases[0]) and not st._exact_in_any_order(cases[3])
    assert not st._exact_in_any_order(cases[4]) and not st._exact_in_any_order(np.array([1.0, np.nan]))
    assert (st._draws(245, 1).sum(axis=1) == 245).all()
    num, den = cases[0][:120] / 10, cases[0][120:240]
    num = np.round(num)
    expected = num[st._indices(120)].sum(axis=1) / np.maximum(den[st._indices(120)].sum(axis=1), 1e-12) * 100
    low, high = st._bounds(expected, st.LEVEL)
    assert st.ratio_ci(num, den) == st.Estimate(float(num.sum() / den.sum() * 100), low, high, 120)
