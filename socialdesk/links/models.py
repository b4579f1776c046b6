"""Tables of links that measure (short links, clicks, UTM settings, the link-in-bio page) and of bulk work
(iCal feeds, RSS/Atom feeds and the entries already turned into posts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core.db import Base, IdMixin, TimestampMixin


class LinkSettings(IdMixin, TimestampMixin, Base):
    """A workspace's link rules (channel_id NULL) or one channel's overrides of them."""

    __tablename__ = "link_settings"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    # None on a channel row: as the workspace says.
    shorten: Mapped[bool | None]
    utm_enabled: Mapped[bool | None]
    # {"utm_source": "{network}", "utm_medium": "social", "utm_campaign": "...", "utm_content": ..., "utm_term": ...}
    utm: Mapped[dict[str, Any] | None]


class ShortLink(IdMixin, TimestampMixin, Base):
    """One link of one publication (or of the link-in-bio page), served at <short url>/<code>."""

    __tablename__ = "short_links"
    __table_args__ = (Index("ix_short_links_publication", "publication_id", "original_url"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    publication_id: Mapped[str | None] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="post")  # post | bio
    original_url: Mapped[str] = mapped_column(Text)  # as the author wrote it
    destination_url: Mapped[str] = mapped_column(Text)  # with the UTM parameters: where the redirect goes
    # False: the workspace only tags links (UTM); the post carries destination_url itself, not served here.
    shortened: Mapped[bool] = mapped_column(default=True)


class LinkClickDay(Base):
    """Clicks on one short link in one UTC day: people, and bots / link-preview fetchers apart."""

    __tablename__ = "link_click_days"

    link_id: Mapped[str] = mapped_column(ForeignKey("short_links.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    clicks: Mapped[int] = mapped_column(default=0)
    bot_clicks: Mapped[int] = mapped_column(default=0)
    unique_visitors: Mapped[int] = mapped_column(default=0)


class LinkVisitor(Base):
    """A visitor of one day as a salted hash (the salt is the day's, and deleted after it): counts unique
    visitors without keeping an address."""

    __tablename__ = "link_visitors"

    link_id: Mapped[str] = mapped_column(ForeignKey("short_links.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    visitor_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class LinkSalt(Base):
    """The random salt of one UTC day; older ones are deleted when a new day's is made."""

    __tablename__ = "link_salts"

    day: Mapped[date] = mapped_column(primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class BioPage(TimestampMixin, Base):
    """A workspace's public link-in-bio page at /bio/<slug>."""

    __tablename__ = "bio_pages"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(200), default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    posts_shown: Mapped[int] = mapped_column(default=6)
    # [{"label": ..., "url": ..., "link_id": <ShortLink id>}], in the order shown
    links: Mapped[list[Any]] = mapped_column(default=list)


class CalendarFeed(IdMixin, TimestampMixin, Base):
    """A secret iCal address of a workspace's scheduled posts; only the secret's hash is kept."""

    __tablename__ = "calendar_feeds"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class NewsFeed(IdMixin, TimestampMixin, Base):
    """An RSS/Atom feed whose new entries become drafts or queued posts."""

    __tablename__ = "news_feeds"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(300), default="")
    channel_ids: Mapped[list[Any]] = mapped_column(default=list)
    template: Mapped[str] = mapped_column(Text, default="{title} {link}")
    target: Mapped[str] = mapped_column(String(16), default="draft")  # draft | queue
    active: Mapped[bool] = mapped_column(default=True)
    interval_minutes: Mapped[int] = mapped_column(default=60)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_polled_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class NewsFeedEntry(IdMixin, Base):
    """An entry already seen (by its id, else its link): never turned into a post twice."""

    __tablename__ = "news_feed_entries"
    __table_args__ = (UniqueConstraint("feed_id", "entry_key"),)

    feed_id: Mapped[str] = mapped_column(ForeignKey("news_feeds.id", ondelete="CASCADE"), index=True)
    entry_key: Mapped[str] = mapped_column(String(64))
    post_id: Mapped[str | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    seen_at: Mapped[datetime]
