"""The iCal feed of a workspace's scheduled posts and its strategy's key dates, for the calendar the team
already uses.

Its address carries a secret: whoever has it reads the feed, so it can be revoked at any time, and only
the secret's SHA-256 is kept (the address is shown once, when it is made)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core import clock
from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.links.models import CalendarFeed
from socialdesk.strategy.models import KeyDate
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Workspace
from socialdesk.workspaces.permissions import Permission

PAST = timedelta(days=30)
FUTURE = timedelta(days=365)
EVENT_LENGTH = timedelta(minutes=15)
SHOWN = (PublicationStatus.SCHEDULED, PublicationStatus.PENDING_APPROVAL, PublicationStatus.PUBLISHING,
         PublicationStatus.PUBLISHED, PublicationStatus.FAILED, PublicationStatus.UNCONFIRMED)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(ctx: WorkspaceContext, label: str) -> tuple[CalendarFeed, str]:
    ctx.require(Permission.POSTS_READ)
    label = " ".join(label.split())[:200]
    if len(feeds(ctx)) >= 20:
        raise ValidationFailed("This workspace has 20 calendar feeds; revoke one you no longer use first.")
    secret = secrets.token_urlsafe(24)
    feed = CalendarFeed(workspace_id=ctx.workspace_id, token_hash=digest(secret), label=label,
                        created_by_id=ctx.actor.user_id)
    ctx.session.add(feed)
    ctx.session.flush()
    audit.record(ctx, "calendar_feed.create", "calendar_feed", feed.id, f"Made a calendar feed {label!r}")
    return feed, secret


def feeds(ctx: WorkspaceContext) -> list[CalendarFeed]:
    ctx.require(Permission.POSTS_READ)
    return list(ctx.session.scalars(ctx.select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))
                                    .order_by(CalendarFeed.created_at)))


def revoke(ctx: WorkspaceContext, feed_id: str) -> CalendarFeed:
    ctx.require(Permission.POSTS_READ)
    feed = ctx.get(CalendarFeed, feed_id, what="calendar feed")
    if feed.created_by_id != ctx.actor.user_id:
        ctx.require(Permission.WORKSPACE_ADMIN)  # one's own feed, or an admin
    feed.revoked_at = feed.revoked_at or clock.now()
    audit.record(ctx, "calendar_feed.revoke", "calendar_feed", feed.id, f"Revoked the calendar feed {feed.label!r}")
    return feed


def open_feed(session: Session, secret: str) -> CalendarFeed:
    feed = session.scalars(select(CalendarFeed).where(CalendarFeed.token_hash == digest(secret or ""))).first()
    if feed is None or feed.revoked_at is not None:
        raise NotFound("No such calendar feed (it may have been revoked).")
    return feed


def render(session: Session, secret: str, page_url: str = "") -> bytes:
    """The feed as iCalendar (RFC 5545): one event per post with a time, its channels and state in it."""
    feed = open_feed(session, secret)
    workspace = session.get(Workspace, feed.workspace_id)
    assert workspace is not None
    now = clock.now()
    rows = session.execute(
        select(Post, Publication, Channel.name)
        .join(Publication, Publication.post_id == Post.id).join(Channel, Channel.id == Publication.channel_id)
        .where(Post.workspace_id == feed.workspace_id, Publication.scheduled_at.is_not(None),
               Publication.scheduled_at >= now - PAST, Publication.scheduled_at < now + FUTURE,
               Publication.status.in_([s.value for s in SHOWN]))
        .order_by(Publication.scheduled_at))
    by_post: dict[str, list[tuple[Post, Publication, str]]] = {}
    for post, pub, name in rows:
        by_post.setdefault(post.id, []).append((post, pub, name))
    calendar = Calendar()
    calendar.add("prodid", "-//socialdesk//scheduled posts//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{workspace.name} — scheduled posts")
    calendar.add("x-wr-timezone", workspace.timezone)
    for post_id, items in by_post.items():
        post = items[0][0]
        start = min(pub.scheduled_at for _, pub, _ in items if pub.scheduled_at)
        first_line = (post.text.strip().splitlines() or ["(no text)"])[0]
        event = Event()
        event.add("uid", f"{post_id}@socialdesk")
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("dtend", start + EVENT_LENGTH)
        event.add("summary", first_line[:80] + ("…" if len(first_line) > 80 else ""))
        channels_line = ", ".join(f"{name} ({pub.status.replace('_', ' ')})" for _, pub, name in items)
        event.add("description", f"{post.text}\n\nChannels: {channels_line}")
        if page_url:
            event.add("url", f"{page_url.rstrip('/')}/w/{workspace.id}/posts/{post_id}")
        calendar.add_component(event)
    _add_key_dates(session, calendar, workspace, now, page_url)
    feed.last_used_at = now
    return calendar.to_ical()


def _add_key_dates(session: Session, calendar: Calendar, workspace: Workspace, now: datetime,
                   page_url: str) -> None:
    """The strategy's key dates as all-day events (DTEND is the day after the last, as RFC 5545 has it for
    dates), in the same window as the posts, so the team's calendar shows what the posts prepare for."""
    first, last = (now - PAST).date(), (now + FUTURE).date()
    keys = session.scalars(select(KeyDate).where(KeyDate.workspace_id == workspace.id, KeyDate.ends_on >= first,
                                                 KeyDate.starts_on < last).order_by(KeyDate.starts_on))
    for key in keys:
        event = Event()
        event.add("uid", f"key-date-{key.id}@socialdesk")
        event.add("dtstamp", now)
        event.add("dtstart", key.starts_on)
        event.add("dtend", key.ends_on + timedelta(days=1))
        event.add("summary", f"Key date: {key.name} ({key.kind})")
        event.add("categories", ["key date", key.kind])
        event.add("transp", "TRANSPARENT")  # a marker, not a meeting: it does not make anyone busy
        details = [f"Network: {key.network}" if key.network else "", key.note]
        event.add("description", "\n".join(d for d in details if d) or key.name)
        if page_url:
            event.add("url", f"{page_url.rstrip('/')}/w/{workspace.id}/strategy#key-dates")
        calendar.add_component(event)
