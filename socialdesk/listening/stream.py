"""Real-time Bluesky listening: one long-running reader of a relay's or PDS's repository stream
(networks/public/bluesky_stream.py) that matches every new post against the active monitors with a Bluesky
source and stores the matches as mentions (service.ingest: the same matching, triage and de-duplication
as polling), with the stream's cursor.

Exactly once across restarts: the mentions of a batch of events and the cursor after them are committed in
one transaction, so a restart resumes after the last stored batch (no gap) and never stores a batch twice
(and if it did read one again, the de-duplication would keep each post once). `socialdesk listen-stream`
runs it (docs/listening.md, "Real time: the Bluesky stream")."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.db import Database
from socialdesk.listening import service
from socialdesk.listening.models import Monitor, StreamCursor
from socialdesk.listening.sources import parse
from socialdesk.networks.base import NetworkError, PermanentNetworkError
from socialdesk.networks.outbound import OutboundRefused
from socialdesk.networks.public import FoundPost
from socialdesk.networks.public import bluesky_stream as network
from socialdesk.networks.public.bluesky_search import web_url

log = logging.getLogger("socialdesk.listening.stream")

SAVE_SECONDS = 1.0  # a batch is stored (mentions and cursor together) at least this often …
BATCH_EVENTS = 500  # … or after this many events
MONITORS_SECONDS = 30.0  # a monitor added or changed is picked up within this
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
HEALTHY_SECONDS = 60.0  # a connection that lived this long starts the backoff over


@dataclass
class StreamStats:
    events: int = 0
    posts: int = 0
    matched: int = 0
    new: int = 0
    duplicates: int = 0
    connections: int = 0
    cursor: int | None = None
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"events": self.events, "posts": self.posts, "matched": self.matched, "new": self.new,
                "duplicates": self.duplicates, "connections": self.connections, "cursor": self.cursor,
                "errors": self.errors[-20:]}


def stream_service(explicit: str | None = None) -> str:
    return (explicit or get_settings().listening_bluesky_stream).strip().rstrip("/")


def saved_cursor(session: Session, service_url: str) -> int | None:
    row = session.get(StreamCursor, service_url)
    return int(row.cursor) if row is not None and row.cursor else None


def _save(session: Session, service_url: str, *, cursor: int | None = None, error: str | None = None) -> None:
    row = session.get(StreamCursor, service_url)
    if row is None:
        row = StreamCursor(service=service_url, cursor=0, last_error="")
        session.add(row)
    if cursor is not None:
        row.cursor = cursor
    if error is not None:
        row.last_error = error[:2000]
    row.updated_at = clock.now()


def _bluesky_monitors(session: Session) -> list[tuple[Monitor, list[str]]]:
    """Active monitors with a Bluesky source, each with the AppViews its sources name."""
    found = []
    for monitor in session.scalars(select(Monitor).where(Monitor.active.is_(True))):
        targets = [s for s in (parse(spec) for spec in monitor.sources) if s.kind == "bluesky"]
        if targets:
            found.append((monitor, [t.target or get_settings().listening_bluesky_service for t in targets]))
    return found


class Listener:
    """Reads the stream until stopped, reconnecting with backoff; `run` returns what it did."""

    def __init__(self, database: Database, service_url: str | None = None, *,
                 stop: threading.Event | None = None, progress: Callable[[StreamStats], None] | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.database = database
        self.service = stream_service(service_url)
        self.stop = stop or threading.Event()
        self.progress = progress
        self.sleep = sleep or self.stop.wait  # waits end early when stopped
        self.stats = StreamStats()
        self.handles: dict[str, str] = {}
        self._monitors: list[tuple[str, list[str]]] = []
        self._monitors_at = 0.0
        self._pending: list[network.StreamPost] = []
        self._pending_seq: int | None = None
        self._pending_events = 0

    # --- the loop -----------------------------------------------------------------------------------------

    def run(self, *, seconds: float | None = None) -> StreamStats:
        deadline = time.monotonic() + seconds if seconds is not None else None
        attempt = 0
        with self.database.unit_of_work(read_only=True) as session:
            self.stats.cursor = saved_cursor(session, self.service)
        while not self.stop.is_set() and (deadline is None or time.monotonic() < deadline):
            opened_at = time.monotonic()
            try:
                self._connect_and_read(deadline)
            except OutboundRefused as exc:
                self._failed(str(exc))
                raise  # the operator's policy refuses the address: retrying cannot help
            except network.FutureCursor as exc:
                # The server's sequence is behind ours (it was reset): its present is all there is.
                self.stats.cursor = None
                with self.database.unit_of_work() as session:
                    _save(session, self.service, cursor=0)
                self._failed(f"{exc}; starting again from the server's present")
            except PermanentNetworkError as exc:
                self._failed(str(exc))
                raise
            except (NetworkError, OSError) as exc:
                self._failed(str(exc))
            else:
                continue
            if time.monotonic() - opened_at >= HEALTHY_SECONDS:
                attempt = 0
            delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** attempt) * random.uniform(0.8, 1.2)
            attempt += 1
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - time.monotonic()))
            self.sleep(delay)
        return self.stats

    def _failed(self, message: str) -> None:
        log.warning("Bluesky stream %s: %s", self.service, message)
        self.stats.errors.append(message)
        with self.database.unit_of_work() as session:
            _save(session, self.service, error=message)
        if self.progress:
            self.progress(self.stats)

    def _connect_and_read(self, deadline: float | None) -> None:
        with network.open_stream(self.service, self.stats.cursor) as connection:
            self.stats.connections += 1
            log.info("Bluesky stream %s open from cursor %s", self.service, self.stats.cursor)
            last_save = time.monotonic()
            try:
                for event in network.events(connection, wait=SAVE_SECONDS):
                    if event is not None:
                        self._take(event)
                    now = time.monotonic()
                    if self._pending_events >= BATCH_EVENTS or (
                            self._pending_events and now - last_save >= SAVE_SECONDS):
                        self.flush()
                        last_save = now
                    if self.stop.is_set() or (deadline is not None and now >= deadline):
                        return
            finally:
                self.flush()  # what was read before a failure is stored with its cursor

    def _take(self, event: network.Event) -> None:
        self.stats.events += 1
        self.handles.update(event.handles)
        if event.note:
            # OutdatedCursor: the server no longer has every event since our cursor; polling's search
            # (one day back) covers the posts of that gap.
            self.stats.errors.append(event.note)
            log.warning("Bluesky stream %s: %s", self.service, event.note)
        self.stats.posts += len(event.posts)
        self._pending.extend(event.posts)
        if event.seq is not None:
            self._pending_seq = event.seq
        self._pending_events += 1

    # --- storing ------------------------------------------------------------------------------------------

    def flush(self) -> None:
        """Store the pending posts that match a monitor, and the cursor after them, in one transaction."""
        if not self._pending_events:
            return
        posts, seq = self._pending, self._pending_seq
        with self.database.unit_of_work() as session:
            self._store(session, posts)
            if seq is not None:
                _save(session, self.service, cursor=seq, error="")
        self._pending, self._pending_events = [], 0
        if seq is not None:
            self.stats.cursor = seq
        if self.progress:
            self.progress(self.stats)

    def _store(self, session: Session, posts: list[network.StreamPost]) -> None:
        if not posts:
            return
        if time.monotonic() - self._monitors_at > MONITORS_SECONDS or not self._monitors_at:
            self._monitors = [(m.id, appviews) for m, appviews in _bluesky_monitors(session)]
            self._monitors_at = time.monotonic()
        for monitor_id, appviews in self._monitors:
            monitor = session.get(Monitor, monitor_id)
            if monitor is None or not monitor.active:
                continue
            matcher = service.matcher_for(monitor)
            wanted = [p for p in posts if matcher.match(p.text) is not None]
            if not wanted:
                continue
            result = service.RunResult(monitor.name)
            service.ingest(session, monitor, [self._found(p, appviews) for p in wanted], result)
            self.stats.matched += result.matched
            self.stats.new += result.new
            self.stats.duplicates += result.duplicates

    def _found(self, post: network.StreamPost, appviews: list[str]) -> FoundPost:
        # The handle, as polling's search shows it, so the URL and the author (the de-duplication keys)
        # are the same whichever of the two found the post first.
        handle = self.handles.get(post.did)
        if handle is None:
            handle = network.handle_of(post.did, [self.service, *appviews])
            if handle is not None:
                self.handles[post.did] = handle
        return FoundPost(source="bluesky", external_id=post.uri, url=web_url(post.uri, handle or post.did),
                         author=handle or post.did,
                         text=post.text, posted_at=post.created_at or clock.now(),
                         language=post.langs[0] if post.langs else None)
