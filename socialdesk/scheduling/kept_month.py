"""The calendar's grid, kept between requests: drawing a month of 2,000 posts costs ~30 ms of CPU (its one big
statement, media, channels' marks, key dates, assignments, ~4,000 escapes in the template), far above what 150
requests a second on two cores allow.

Each process keeps the rendered grid per workspace, view, shown days, today and whether the reader may move
posts, tagged with the workspace's calendar version: the sum of its `calendar_versions` rows, which database
triggers bump in the same transaction as every change the grid shows, whichever path wrote it (the ORM, a
publishing worker's Core UPDATE, another process). The version is read by one small statement *before* any of
the grid's data, so a kept grid is never older than its version: a change committed after the version was read
makes the next request's version differ and the grid is drawn again.

Time alone changes one thing in the grid: an assignment turns "Overdue" at its due time. A kept grid is
therefore used only until the earliest due time it shows as not yet overdue. Today's date is in the key.
Everything else on the page (the user, CSRF token, flash messages, navigation counts, the content mix and the
key date warnings, which count against the present moment) is drawn on every request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from socialdesk.scheduling.models import CalendarVersion

# A month grid of 2,000 posts is ~170 KB: 48 of them are ~8 MB a process.
MAX_GRIDS = 48


@dataclass(frozen=True)
class KeptGrid:
    version: int
    good_until: datetime | None  # the first moment a shown assignment turns overdue; None: no such moment
    html: str
    filled: bool  # the grid shows something (else the page says "Nothing planned")
    statuses: frozenset[str]  # the statuses on screen, for the legend


_kept: OrderedDict[tuple[str, Hashable], KeptGrid] = OrderedDict()
_lock = threading.Lock()
stats = {"drawn": 0, "reused": 0}  # for the tests and the benchmark

# Built once: one small statement on every request (a workspace has at most a few rows).
_VERSION = (select(func.coalesce(func.sum(CalendarVersion.version), 0))
            .where(CalendarVersion.workspace_id == bindparam("workspace_id")))


def version(session: Session, workspace_id: str) -> int:
    """The workspace's calendar version now; read it before the grid's data."""
    return int(session.scalar(_VERSION, {"workspace_id": workspace_id}) or 0)


def kept(workspace_id: str, key: Hashable, current: int, now: datetime) -> KeptGrid | None:
    """The grid kept for this workspace and key, if it was drawn at the current version and is still good."""
    with _lock:
        found = _kept.get((workspace_id, key))
        if found is None or found.version != current or (found.good_until is not None and now >= found.good_until):
            return None
        _kept.move_to_end((workspace_id, key))
        stats["reused"] += 1
        return found


def keep(session: Session, workspace_id: str, key: Hashable, grid: KeptGrid) -> None:
    """Keep a grid just drawn, unless this session holds unflushed changes: the calendar page only reads, and
    a grid drawn from writes that may still roll back must not be kept."""
    with _lock:
        stats["drawn"] += 1
        if session.new or session.dirty or session.deleted:
            return
        _kept[(workspace_id, key)] = grid
        _kept.move_to_end((workspace_id, key))
        while len(_kept) > MAX_GRIDS:
            _kept.popitem(last=False)


def forget() -> None:
    """Drop every kept grid (tests)."""
    with _lock:
        _kept.clear()
