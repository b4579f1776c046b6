"""RSS/Atom feeds into drafts or the queue: each new entry becomes a post from a text template.

Feeds are fetched through the outbound policy (networks/web_fetch.py) and parsed with feedparser. An
entry is recognised by its id (else its link, else its title) and never turned into a post twice. The
first poll of a feed takes only its newest FIRST_POLL_ENTRIES entries (the rest are marked as seen), so
adding a feed with years of history does not fill the calendar. A periodic job polls each active feed
when its interval has passed."""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import feedparser
from sqlalchemy import select

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.core.errors import DomainError, ValidationFailed
from socialdesk.links.models import NewsFeed, NewsFeedEntry
from socialdesk.networks.web_fetch import FetchFailed, fetch
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

log = logging.getLogger("socialdesk.feeds")
PLACEHOLDERS = ("title", "link", "summary", "author")
MAX_FEED_BYTES = 5 * 1024 * 1024
FIRST_POLL_ENTRIES = 3
MAX_NEW_PER_POLL = 20
TARGETS = ("draft", "queue")
_TAGS = re.compile(r"<[^>]+>")


def check_template(template: str) -> str:
    template = (template or "").strip()
    if not template:
        raise ValidationFailed("Template: write what the post says, e.g. {title} {link}.")
    rest = template
    for name in PLACEHOLDERS:
        rest = rest.replace("{" + name + "}", "")
    if "{" in rest or "}" in rest:
        raise ValidationFailed("Template: unknown placeholder; use " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                               + ".")
    return template[:5000]


def add(ctx: WorkspaceContext, url: str, channel_ids: Sequence[str], *, template: str = "{title} {link}",
        target: str = "draft", interval_minutes: int = 60) -> NewsFeed:
    ctx.require(Permission.POSTS_WRITE)
    url = url.strip()
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE) or len(url) > 2000:
        raise ValidationFailed("Feed address: an http(s) address of an RSS or Atom feed.")
    if target not in TARGETS:
        raise ValidationFailed(f"Where new entries go: one of {', '.join(TARGETS)}.")
    if target == "queue":
        ctx.require(Permission.POSTS_PUBLISH)
    if not 15 <= interval_minutes <= 7 * 24 * 60:
        raise ValidationFailed("Check every: between 15 minutes and 7 days.")
    chosen = [ctx.get(Channel, cid, what="channel").id for cid in dict.fromkeys(channel_ids)]
    if not chosen:
        raise ValidationFailed("Choose at least one channel for the posts.")
    feed = NewsFeed(workspace_id=ctx.workspace_id, url=url, channel_ids=chosen, template=check_template(template),
                    target=target, interval_minutes=interval_minutes, created_by_id=ctx.actor.user_id)
    ctx.session.add(feed)
    ctx.session.flush()
    audit.record(ctx, "feed.add", "news_feed", feed.id, f"Added the feed {url}")
    return feed


def feeds(ctx: WorkspaceContext) -> list[NewsFeed]:
    ctx.require(Permission.POSTS_READ)
    return list(ctx.session.scalars(ctx.select(NewsFeed).order_by(NewsFeed.created_at)))


def remove(ctx: WorkspaceContext, feed_id: str) -> None:
    ctx.require(Permission.POSTS_WRITE)
    feed = ctx.get(NewsFeed, feed_id, what="feed")
    audit.record(ctx, "feed.remove", "news_feed", feed.id, f"Removed the feed {feed.url}")
    ctx.session.delete(feed)


def set_active(ctx: WorkspaceContext, feed_id: str, active: bool) -> NewsFeed:
    ctx.require(Permission.POSTS_WRITE)
    feed = ctx.get(NewsFeed, feed_id, what="feed")
    feed.active = active
    return feed


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    link: str
    summary: str
    author: str


def _plain(text: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", text or "")).split())


def parse(data: bytes) -> tuple[str, list[Entry]]:
    """The feed's title and its entries, oldest first."""
    parsed = feedparser.parse(data)
    if not parsed.entries and parsed.get("bozo"):
        reason = parsed.get("bozo_exception")
        raise ValidationFailed(f"This is not an RSS or Atom feed ({reason}).")
    entries = []
    for item in parsed.entries:
        ident = str(item.get("id") or item.get("link") or item.get("title") or "")
        if not ident:
            continue
        entries.append((item.get("published_parsed") or item.get("updated_parsed"), Entry(
            key=hashlib.sha256(ident.encode()).hexdigest(), title=_plain(item.get("title", "")),
            link=str(item.get("link") or ""), summary=_plain(item.get("summary", ""))[:1000],
            author=_plain(item.get("author", "")))))
    if any(when is not None for when, _ in entries):
        entries.sort(key=lambda pair: tuple(pair[0]) if pair[0] else ())
    else:
        entries.reverse()  # feeds list the newest first
    return _plain(parsed.feed.get("title", "")), [entry for _, entry in entries]


def text_for(template: str, entry: Entry) -> str:
    values: dict[str, Any] = {"title": entry.title, "link": entry.link, "summary": entry.summary,
                              "author": entry.author}
    text = template
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text.strip()


def poll(ctx: WorkspaceContext, feed_id: str) -> list[str]:
    """Fetch a feed and turn its new entries into posts; returns the new post ids."""
    feed = ctx.get(NewsFeed, feed_id, what="feed")
    feed.last_polled_at = clock.now()
    try:
        fetched = fetch(feed.url, max_bytes=MAX_FEED_BYTES,
                        accept="application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5")
        title, entries = parse(fetched.content)
    except (FetchFailed, DomainError) as error:
        feed.last_error = error.message
        return []
    feed.title = title[:300] or feed.title
    seen = set(ctx.session.scalars(select(NewsFeedEntry.entry_key).where(NewsFeedEntry.feed_id == feed.id)))
    new = [e for e in entries if e.key not in seen]
    first_poll = not seen
    take = new[-FIRST_POLL_ENTRIES:] if first_poll else new[-MAX_NEW_PER_POLL:]
    skip = [e for e in new if e not in take]
    made: list[str] = []
    errors: list[str] = []
    for entry in skip:
        ctx.session.add(NewsFeedEntry(feed_id=feed.id, entry_key=entry.key, seen_at=clock.now()))
    channel_ids = [c for c in feed.channel_ids if ctx.session.get(Channel, c) is not None]
    for entry in take:
        data = PostIn(text=text_for(feed.template, entry), channel_ids=channel_ids,
                      intent=Intent.SCHEDULE if feed.target == "queue" else Intent.DRAFT,
                      use_queue=feed.target == "queue")
        try:
            with ctx.session.begin_nested():
                post = content.compose(ctx, data).post
                ctx.session.add(NewsFeedEntry(feed_id=feed.id, entry_key=entry.key, post_id=post.id,
                                              seen_at=clock.now()))
            made.append(post.id)
        except DomainError as error:
            errors.append(f"{entry.title or entry.link}: {error.message}")
    feed.last_error = "; ".join(errors)[:2000] or None
    return made


def due_feed_ids(db: Database) -> list[tuple[str, str]]:
    now = clock.now()
    with db.unit_of_work(read_only=True) as session:
        return [(f.workspace_id, f.id) for f in session.scalars(select(NewsFeed).where(NewsFeed.active.is_(True)))
                if f.last_polled_at is None
                or clock.utc(f.last_polled_at) + timedelta(minutes=f.interval_minutes) <= now + timedelta(seconds=30)]


def poll_in_background(db: Database, workspace_id: str, feed_id: str) -> list[str]:
    """A job's poll: acts as socialdesk (the audit log says so)."""
    with db.unit_of_work() as session:
        ctx = workspaces.system_context(session, workspace_id, "feed")
        if session.get(NewsFeed, feed_id) is None:
            return []
        return poll(ctx, feed_id)
