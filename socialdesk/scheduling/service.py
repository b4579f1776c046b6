"""The calendar, the queue's weekly slots ("next free slot"), and recurring posts."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from dateutil.rrule import rrulestr
from sqlalchemy import delete, func, or_, select

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, PostMedia, Publication, PublicationStatus
from socialdesk.core import clock
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
    from socialdesk.content.service import post_status

    tz = zone(ctx.workspace.timezone)
    lo = datetime.combine(start, time(0), tzinfo=tz)
    hi = datetime.combine(end, time(0), tzinfo=tz)
    when = func.coalesce(Publication.published_at, Publication.scheduled_at)
    in_span = (Publication.workspace_id == ctx.workspace_id, when >= lo, when < hi)
    rows = ctx.session.execute(
        select(Publication.post_id, when, Publication.status, func.substr(Post.text, 1, 140), Channel.name,
               Channel.network, Channel.id)
        .join(Post, Post.id == Publication.post_id).join(Channel, Channel.id == Publication.channel_id)
        .where(*in_span).order_by(when, Publication.post_id)).all()
    entries: dict[str, CalendarEntry] = {}
    for post_id, at, status, text, channel_name, network, channel_id in rows:
        at = clock.utc(at).astimezone(tz)
        entry = entries.get(post_id)
        if entry is None:
            entry = entries[post_id] = CalendarEntry(post_id, at, status, text or "")
        entry.at = min(entry.at, at)
        entry.channels.append(CalendarChannel(channel_name, network, status, channel_id))
    if entries:
        # The post's media; a post whose every channel has media of its own shows those.
        media = ctx.session.execute(select(PostMedia.post_id, PostMedia.publication_id, PostMedia.media_id)
                                    .where(PostMedia.post_id.in_(select(Publication.post_id).where(*in_span)))
                                    .order_by(PostMedia.position))
        own: dict[str, list[str]] = defaultdict(list)
        for post_id, publication_id, media_id in media:
            if publication_id is None:
                entries[post_id].media_ids.append(media_id)
            elif media_id not in own[post_id]:
                own[post_id].append(media_id)
        for post_id, media_ids in own.items():
            entries[post_id].media_ids = entries[post_id].media_ids or media_ids
    by_day: dict[date, list[CalendarEntry]] = defaultdict(list)
    for entry in entries.values():
        entry.status = post_status([c[2] for c in entry.channels])
        by_day[entry.at.date()].append(entry)
    for day_entries in by_day.values():
        day_entries.sort(key=lambda e: e.at)
    return by_day


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
