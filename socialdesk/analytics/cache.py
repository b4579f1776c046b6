"""Dashboard numbers kept between views until the data behind them changes — never for a length of time.

A dashboard's intervals (bootstrap over the period's posts) and follower sums cost tens to hundreds of
milliseconds; the same view is opened again and again between two collections. So each web process
keeps the last computed numbers per view, tagged with a *token*:

- the workspace's `AnalyticsVersion` (bumped in the same transaction as every metric snapshot written,
  by the collector or anything else, through the ORM listener in analytics/models.py: other processes
  see the bump as soon as the snapshot is committed),
- a fingerprint of the publications behind the view (how many, the last change), so a post published
  since shows at once,
- the channels' names and last changes.

A view reads the current token (two small queries) and uses the kept numbers only when the token is
the same, so it never shows numbers older than the newest snapshot. Snapshots dated after the moment
the numbers were computed for (a clock behind the networks') force a recomputation when that moment
moves.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select

from socialdesk.analytics.models import AnalyticsVersion
from socialdesk.content.models import Publication
from socialdesk.core import clock
from socialdesk.workspaces.context import WorkspaceContext

T = TypeVar("T")
MAX_ENTRIES = 256
_entries: OrderedDict[Hashable, tuple[Hashable, datetime | None, Any]] = OrderedDict()
_lock = threading.Lock()
# Counted for tests and the benchmark: how often a view was computed and how often reused.
stats = {"computed": 0, "reused": 0}


@dataclass(frozen=True)
class Version:
    version: int
    newest_at: datetime | None  # the newest snapshot written for the workspace (None: none recorded)


def version(ctx: WorkspaceContext) -> Version:
    row = ctx.session.execute(select(AnalyticsVersion.version, AnalyticsVersion.newest_at).where(
        AnalyticsVersion.workspace_id == ctx.workspace_id)).first()
    return Version(0, None) if row is None else Version(row[0], clock.utc(row[1]) if row[1] else None)


def publications_fingerprint(ctx: WorkspaceContext, start: datetime, end: datetime) -> tuple[int, Any]:
    """How many publications went out in [start, end), and their latest change."""
    count, changed = ctx.session.execute(select(func.count(), func.max(Publication.updated_at)).where(
        Publication.workspace_id == ctx.workspace_id, Publication.published_at >= start,
        Publication.published_at < end)).one()
    return int(count), changed


def kept(key: Hashable, token: Hashable, until: datetime | None, newest_at: datetime | None,
         compute: Callable[[], T]) -> T:
    """The value kept for `key` if it was computed under `token` (and, where a snapshot newer than the
    moment `until` it was computed for exists, for the same `until`); else `compute()`, kept."""
    with _lock:
        found = _entries.get(key)
        if found is not None:
            kept_token, kept_until, value = found
            future = newest_at is not None and kept_until is not None and newest_at >= kept_until
            if kept_token == token and not (future and kept_until != until):
                _entries.move_to_end(key)
                stats["reused"] += 1
                return value  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        stats["computed"] += 1
        _entries[key] = (token, until, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every kept view (and the resampled sums statistics.py keeps by content)."""
    from socialdesk.analytics import statistics

    statistics._sums_of.cache_clear()
    with _lock:
        _entries.clear()
        stats.update(computed=0, reused=0)
