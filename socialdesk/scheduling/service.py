"""The calendar, the queue's weekly slots ("next free slot"), and recurring posts."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from dateutil.rrule import rrulestr
from sqlalchemy import Integer, String, bindparam, delete, func, literal, or_, select
from sqlalchemy import text as sql_text

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, PostMedia, Publication, PublicationStatus
from socialdesk.core import clock
from socialdesk.core.db import UTCDateTime
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.publishing.dispatching import request_dispatch
from socialdesk.scheduling.models import QueueSlot
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

S = PublicationStatus
QUEUE_SEARCH_DAYS = 56
RECURRENCE_HORIZON = timedelta(days=35)
RECURRENCE_MAX_AHEAD = 20
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# Publications that occupy a queue slot.
_OCCUPYING = (S.DRAFT, S.PENDING_APPROVAL, S.SCHEDULED, S.PUBLISHING, S.PUBLISHED, S.UNCONFIRMED)


# Queue slots ------------------------------------------------------------------------------------


def list_slots(ctx: WorkspaceContext) -> list[QueueSlot]:
    return list(ctx.session.scalars(ctx.select(QueueSlot).order_by(QueueSlot.weekday, QueueSlot.local_time)))


def set_slots(ctx: WorkspaceContext, slots: list[tuple[int, str]], channel_id: str | None = None) -> list[QueueSlot]:
    """Replace the weekly slots (for one channel, or the workspace-wide ones)."""
    ctx.require(Permission.WORKSPACE_ADMIN)
    if channel_id:
        ctx.get(Channel, channel_id, what="channel")
    clean: set[tuple[int, str]] = set()
    for weekday, local_time in slots:
        if not 0 <= int(weekday) <= 6:
            raise ValidationFailed(f"Weekday must be 0 (Monday) to 6 (Sunday), not {weekday}.")
        if not _TIME_RE.match(local_time.strip()):
            raise ValidationFailed(f"Slot time {local_time!r} must look like 09:30 (24-hour clock).")
        clean.add((int(weekday), local_time.strip()))
    scope = QueueSlot.channel_id == channel_id if channel_id else QueueSlot.channel_id.is_(None)
    ctx.session.execute(delete(QueueSlot).where(QueueSlot.workspace_id == ctx.workspace_id, scope))
    created = [QueueSlot(workspace_id=ctx.workspace_id, channel_id=channel_id, weekday=w, local_time=t)
               for w, t in sorted(clean)]
    ctx.session.add_all(created)
    audit.record(ctx, "queue.update", "channel" if channel_id else "workspace", channel_id or ctx.workspace_id,
                 f"Set {len(created)} queue slot(s)")
    return created


def next_free_slot(ctx: WorkspaceContext, channel_ids: list[str], *, after: datetime | None = None,
                   exclude_post_id: str | None = None, weekly: list[tuple[int, str]] | None = None) -> datetime:
    """The first slot after `after` (default: now) where none of the channels has something planned.

    `weekly` replaces the queue's slots with other (weekday, "HH:MM") times, e.g. the best times to post.
    """
    after = after or clock.now()
    slots = [QueueSlot(weekday=d, local_time=t) for d, t in weekly] if weekly is not None else list(
        ctx.session.scalars(ctx.select(QueueSlot).where(
            or_(QueueSlot.channel_id.is_(None), QueueSlot.channel_id.in_(channel_ids)))))
    if not slots:
        raise ValidationFailed("This workspace has no queue slots yet. Add weekly times on the Queue page, "
                               "or pick a date and time.")
    tz = zone(ctx.workspace.timezone)
    horizon = after + timedelta(days=QUEUE_SEARCH_DAYS)
    taken_query = (select(Publication.scheduled_at).where(
        Publication.workspace_id == ctx.workspace_id, Publication.channel_id.in_(channel_ids),
        Publication.status.in_(_OCCUPYING), Publication.scheduled_at >= after, Publication.scheduled_at < horizon))
    if exclude_post_id:
        taken_query = taken_query.where(Publication.post_id != exclude_post_id)
    taken = {t.replace(second=0, microsecond=0) for t in ctx.session.scalars(taken_query) if t}
    by_weekday: dict[int, list[str]] = defaultdict(list)
    for slot in slots:
        by_weekday[slot.weekday].append(slot.local_time)
    day = after.astimezone(tz).date()
    while True:
        for local_time in sorted(set(by_weekday.get(day.weekday(), []))):
            hour, minute = map(int, local_time.split(":"))
            candidate = datetime.combine(day, time(hour, minute), tzinfo=tz)
            instant = candidate.astimezone(UTC)
            if instant.astimezone(tz).replace(tzinfo=None) != candidate.replace(tzinfo=None):
                continue  # the slot falls in a DST gap today
            if instant > after and instant not in taken:
                return instant
        day += timedelta(days=1)
        if datetime.combine(day, time(0), tzinfo=tz) > horizon:
            raise ValidationFailed(f"Every queue slot of the next {QUEUE_SEARCH_DAYS} days is taken on these "
                                   "channels. Add slots or pick a date and time.")


# Calendar ---------------------------------------------------------------------------------------


@dataclass
class CalendarEntry:
    post_id: str
    at: datetime  # in the workspace's time zone
    status: str
    text: str
    channels: list[CalendarChannel] = field(default_factory=list)
    media_ids: list[str] = field(default_factory=list)  # the post's own media, in order


class CalendarChannel(NamedTuple):
    name: str
    network: str
    status: str
    channel_id: str


def calendar(ctx: WorkspaceContext, start: date, end: date) -> dict[date, list[CalendarEntry]]:
    """Posts by local day in [start, end), in the workspace's time zone."""
    return calendar_cells(ctx, start, end)[0]


def calendar_cells(ctx: WorkspaceContext, start: date, end: date, per_day: int | None = None
                   ) -> tuple[dict[date, list[CalendarEntry]], dict[date, int]]:
    """Posts by local day in [start, end), in the workspace's time zone, and how many more each day has than
    it shows: with `per_day`, only each day's first `per_day` posts are read (the database numbers each day's
    posts with a window function and counts them; a month of 2,000 posts reads ~250), else all of them.

    A post's moment is its first publication's in the span (published, else scheduled); its day is the local
    day of that moment."""
    from socialdesk.content.service import post_status

    tz = zone(ctx.workspace.timezone)
    lo = datetime.combine(start, time(0), tzinfo=tz)
    hi = datetime.combine(end, time(0), tzinfo=tz)
    when = func.coalesce(Publication.published_at, Publication.scheduled_at)
    in_span = (Publication.workspace_id == ctx.workspace_id, when >= lo, when < hi)
    shown = select(Publication.post_id, when, Publication.status, func.substr(Post.text, 1, 140), Channel.name,
                   Channel.network, Channel.id)
    if per_day is None:
        query = shown.add_columns(literal(0))
    else:
        ranked = _ranked_by_day(ctx, start, end)
        query = (shown.add_columns(ranked.c.n).join(ranked, ranked.c.post_id == Publication.post_id)
                 .where(ranked.c.rank <= per_day))
    rows = ctx.session.execute(
        query.join(Post, Post.id == Publication.post_id).join(Channel, Channel.id == Publication.channel_id)
        .where(*in_span).order_by(when, Publication.post_id)).all()
    entries: dict[str, CalendarEntry] = {}
    on_day: dict[str, int] = {}  # post -> how many posts its day has
    for post_id, at, status, text, channel_name, network, channel_id, posts_that_day in rows:
        at = clock.utc(at).astimezone(tz)
        entry = entries.get(post_id)
        if entry is None:
            entry = entries[post_id] = CalendarEntry(post_id, at, status, text or "")
            on_day[post_id] = int(posts_that_day)
        entry.at = min(entry.at, at)
        entry.channels.append(CalendarChannel(channel_name, network, status, channel_id))
    if entries:
        # The post's media; a post whose every channel has media of its own shows those.
        of_posts = (PostMedia.post_id.in_(list(entries)) if per_day is not None
                    else PostMedia.post_id.in_(select(Publication.post_id).where(*in_span)))
        media = ctx.session.execute(select(PostMedia.post_id, PostMedia.publication_id, PostMedia.media_id)
                                    .where(of_posts).order_by(PostMedia.position))
        own: dict[str, list[str]] = defaultdict(list)
        for post_id, publication_id, media_id in media:
            if post_id not in entries:
                continue
            if publication_id is None:
                entries[post_id].media_ids.append(media_id)
            elif media_id not in own[post_id]:
                own[post_id].append(media_id)
        for post_id, media_ids in own.items():
            entries[post_id].media_ids = entries[post_id].media_ids or media_ids
    by_day: dict[date, list[CalendarEntry]] = defaultdict(list)
    more: dict[date, int] = {}
    for entry in entries.values():
        entry.status = post_status([c[2] for c in entry.channels])
        by_day[entry.at.date()].append(entry)
        if per_day is not None and on_day[entry.post_id] > per_day:
            more[entry.at.date()] = on_day[entry.post_id] - per_day
    for day_entries in by_day.values():
        day_entries.sort(key=lambda e: e.at)
    return by_day, more


def _ranked_by_day(ctx: WorkspaceContext, start: date, end: date) -> Any:
    """Each post of the span with its local day's number for it (1 = the day's first, by moment then id) and
    how many posts that day has. The local days' ends are computed here (time zones and summer time are
    Python's) and given to the database, which finds each post's day by halving the span (a nested CASE: five
    or six comparisons a post; a join to a table of the days compared every post with every day, ~3 times the
    cost at 2,000 posts), so both databases group by the same days. Written as text: building the bounds
    through SQLAlchemy's expression layer cost more than running them."""
    tz = zone(ctx.workspace.timezone)
    ends = []
    day = start
    while day < end:
        day += timedelta(days=1)
        ends.append(datetime.combine(day, time(0), tzinfo=tz))
    params: dict[str, Any] = {"workspace_id": ctx.workspace_id, "span_lo": datetime.combine(start, time(0), tzinfo=tz),
                              "span_hi": ends[-1]}
    binds = [bindparam("span_lo", type_=UTCDateTime()), bindparam("span_hi", type_=UTCDateTime())]
    for i, hi in enumerate(ends[:-1]):  # the last day ends with the span
        params[f"hi{i}"] = hi
        binds.append(bindparam(f"hi{i}", type_=UTCDateTime()))

    def day_of(first: int, last: int) -> str:
        """The day (its index) of `firsts.at`, known to fall in days first..last."""
        if first == last:
            return str(first)
        middle = (first + last) // 2
        return (f"CASE WHEN firsts.at < :hi{middle} THEN {day_of(first, middle)} "
                f"ELSE {day_of(middle + 1, last)} END")

    statement = sql_text(f"""
        WITH firsts AS (SELECT post_id, min(coalesce(published_at, scheduled_at)) AS at FROM publications
                        WHERE workspace_id = :workspace_id AND coalesce(published_at, scheduled_at) >= :span_lo
                          AND coalesce(published_at, scheduled_at) < :span_hi
                        GROUP BY post_id),
        dated AS (SELECT post_id, at, {day_of(0, len(ends) - 1)} AS d FROM firsts)
        SELECT post_id, row_number() OVER (PARTITION BY d ORDER BY at, post_id) AS rank,
               count(*) OVER (PARTITION BY d) AS n
        FROM dated""")
    return (statement.bindparams(*binds).bindparams(**params)
            .columns(post_id=String(), rank=Integer(), n=Integer()).subquery("ranked"))


# Recurring posts --------------------------------------------------------------------------------


def extend_recurrence(ctx: WorkspaceContext, root: Post) -> int:
    """Create the occurrences of a recurring post that fall within the horizon; returns how many."""
    if not root.recurrence or root.scheduled_at is None:
        return 0
    tz = zone(root.timezone)
    start_local = root.scheduled_at.astimezone(tz).replace(tzinfo=None)
    rule = rrulestr(root.recurrence, dtstart=start_local)
    now = clock.now()
    limit = now + RECURRENCE_HORIZON
    existing = set(ctx.session.scalars(select(Post.scheduled_at).where(Post.recurrence_parent_id == root.id)))
    root_pubs = list(ctx.session.scalars(select(Publication).where(Publication.post_id == root.id)))
    root_media = list(ctx.session.scalars(select(PostMedia).where(PostMedia.post_id == root.id)))
    created = 0
    for local in rule:
        at = local.replace(tzinfo=tz).astimezone(root.scheduled_at.tzinfo)
        if at > limit or created >= RECURRENCE_MAX_AHEAD:
            break
        if at <= root.scheduled_at or at in existing or at < now:
            continue
        copy = Post(workspace_id=root.workspace_id, author_id=root.author_id, text=root.text, scheduled_at=at,
                    timezone=root.timezone, recurrence_parent_id=root.id)
        ctx.session.add(copy)
        ctx.session.flush()
        publication_ids: dict[str, str] = {}
        copies: list[tuple[Publication, Publication]] = []
        for pub in root_pubs:
            if pub.status == S.CANCELLED:
                continue
            new = Publication(workspace_id=pub.workspace_id, post_id=copy.id, channel_id=pub.channel_id,
                              variant_text=pub.variant_text, own_media=pub.own_media, scheduled_at=at,
                              status=S.SCHEDULED, title=pub.title, blog_options=pub.blog_options)
            ctx.session.add(new)
            ctx.session.flush()
            publication_ids[pub.id] = new.id
            copies.append((pub, new))
        for pub, new in copies:
            # Each occurrence's social posts wait for that occurrence's own blog post.
            new.link_from_id = publication_ids.get(pub.link_from_id) if pub.link_from_id else None
        for row in root_media:
            if row.publication_id is None or row.publication_id in publication_ids:
                ctx.session.add(PostMedia(post_id=copy.id, media_id=row.media_id, position=row.position,
                                          publication_id=publication_ids.get(row.publication_id or "")))
        created += 1
        request_dispatch(ctx.session, at)
    return created


def extend_all_recurrences(ctx: WorkspaceContext) -> int:
    live = select(Publication.post_id).where(Publication.status.in_([S.SCHEDULED, S.PUBLISHING, S.PUBLISHED]))
    roots = ctx.session.scalars(ctx.select(Post).where(
        Post.recurrence.is_not(None), Post.recurrence_parent_id.is_(None), Post.id.in_(live)))
    return sum(extend_recurrence(ctx, root) for root in roots)
