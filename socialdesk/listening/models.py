"""A monitor (what to listen for, where), the mentions it found (stored once per workspace), and the
alerts raised on their volume and sentiment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core import clock
from socialdesk.core.db import Base, IdMixin, TimestampMixin


class Monitor(IdMixin, TimestampMixin, Base):
    __tablename__ = "listening_monitors"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    terms: Mapped[list[Any]] = mapped_column(default=list)  # ["kava", "#kava", "Brand Café"]
    variants: Mapped[list[Any]] = mapped_column(default=list)  # extra spellings matched like terms
    exclusions: Mapped[list[Any]] = mapped_column(default=list)  # a mention with one of these is dropped
    languages: Mapped[list[Any]] = mapped_column(default=list)  # empty: every language
    sources: Mapped[list[Any]] = mapped_column(default=list)  # ["sandbox", "rss:https://…", "bluesky:URL", …]
    false_alarm_rate: Mapped[float] = mapped_column(default=0.001)  # per monitored hour
    active: Mapped[bool] = mapped_column(default=True)
    # Per source: where the last fetch stopped (a time, a cursor, the newest id seen), and its last error.
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_run_at: Mapped[datetime | None]


class Mention(IdMixin, Base):
    """A public post that matched a monitor; one row per monitor however many sources carried it."""

    __tablename__ = "listening_mentions"
    __table_args__ = (UniqueConstraint("monitor_id", "dedupe_key"),
                      Index("ix_listening_mentions_monitor_time", "monitor_id", "posted_at"))

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    monitor_id: Mapped[str] = mapped_column(ForeignKey("listening_monitors.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(64))  # sha256 of the URL, else of author + normalised text
    text_key: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of author + normalised text
    source: Mapped[str] = mapped_column(String(300))  # "bluesky", "rss:https://…", "sandbox", …
    also_seen_on: Mapped[list[Any]] = mapped_column(default=list)  # other sources that carried it
    url: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    posted_at: Mapped[datetime]
    found_at: Mapped[datetime] = mapped_column(default=clock.now)
    matched_term: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(16), default="")
    sentiment: Mapped[str] = mapped_column(String(16), default="")
    sentiment_score: Mapped[float] = mapped_column(default=0.0)
    offensive: Mapped[bool] = mapped_column(default=False)
    spam: Mapped[bool] = mapped_column(default=False)
    intent: Mapped[str] = mapped_column(String(40), default="")
    # The network's own id (at:// URI, Mastodon status URI): what a reply from here answers.
    external_id: Mapped[str] = mapped_column(Text, default="")


class ListeningAlert(IdMixin, Base):
    """A burst, a sentiment shift or an emerging term, with the window it covers and the mentions behind it."""

    __tablename__ = "listening_alerts"
    __table_args__ = (Index("ix_listening_alerts_monitor", "monitor_id", "window_start"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    monitor_id: Mapped[str] = mapped_column(ForeignKey("listening_monitors.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # burst | sentiment_shift | emerging_term
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    volume: Mapped[int] = mapped_column(default=0)
    baseline: Mapped[float] = mapped_column(default=0.0)
    p_value: Mapped[float] = mapped_column(default=1.0)
    message: Mapped[str] = mapped_column(Text, default="")
    term: Mapped[str] = mapped_column(String(300), default="")
    mention_ids: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class MentionReply(IdMixin, Base):
    """A reply to a mention sent from socialdesk through one of the workspace's channels (mention_reply.py).

    The idempotency key is unique per workspace: a second request with the same key (a double click, a
    retried API call, a CLI run again) gets this row back instead of a second reply on the network."""

    __tablename__ = "listening_mention_replies"
    __table_args__ = (UniqueConstraint("workspace_id", "idempotency_key"),
                      Index("ix_listening_mention_replies_mention", "mention_id", "created_at"))

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    mention_id: Mapped[str] = mapped_column(ForeignKey("listening_mentions.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # "sending" while the network is called (in the same transaction), "sent" when committed; a refused
    # reply rolls back with the request, so the key may be used again.
    status: Mapped[str] = mapped_column(String(16), default="sent")
    external_id: Mapped[str] = mapped_column(Text, default="")  # the reply's id on the network
    url: Mapped[str] = mapped_column(Text, default="")  # where people see it
    replied_by: Mapped[str | None] = mapped_column(String(26))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class StreamCursor(Base):
    """Where the Bluesky repository stream of one relay or PDS was read up to (listening/stream.py): the
    `seq` of the last event whose posts were stored, so a restart resumes there."""

    __tablename__ = "listening_stream_cursors"

    service: Mapped[str] = mapped_column(String(500), primary_key=True)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_error: Mapped[str] = mapped_column(Text, default="")
