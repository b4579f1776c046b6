"""How many conversations each inbox view holds, without counting 100,000 conversations on every request.

The list pane shows the count beside every view and redraws itself every 15 seconds while the inbox is open.
Counted afresh, the views cost ~115 ms of CPU at 100,000 conversations (most of it the "Ad comments" view's
look-up in the messages for every conversation). So each process keeps the counts per workspace, tagged with
the workspace's `InboxVersion` — bumped in the same transaction as every change to its conversations or
messages (the ORM listener in inbox/models.py) — and uses them only while that version is still current:
the counts are never older than the last committed change, in any process.

"Assigned to me" depends on the reader too: kept per reader beside the rest. "Overdue" depends on the clock (a
conversation becomes overdue without any write), so it is counted on each request: the waiting conversations,
kept, less those still inside the response target (a short range of the (workspace, waiting_since) index).

The message list's total (`GET /api/v1/workspaces/{id}/inbox`: ~11 ms to count 100,000 messages on SQLite) is
kept the same way, by filter, for the filters whose columns bump the version when they change (`kept_total`).

Writes that bypass the ORM (a bulk load, a manual SQL fix) call `bump` themselves.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, event, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from socialdesk.inbox.models import Conversation, ConversationStatus, InboxItem, InboxVersion
from socialdesk.workspaces.context import WorkspaceContext

MAX_WORKSPACES = 512
# The views counted from the data alone (kept), in the order conversations.VIEWS lists them.
KEPT = ("all", "unanswered", "negative", "questions", "offensive", "spam", "closed", "ads")
# workspace -> (version, the KEPT counts, languages, "Assigned to me" by reader)
_kept: OrderedDict[str, tuple[int, dict[str, int], list[str], dict[str, int]]] = OrderedDict()
_lock = threading.Lock()
MAX_TOTALS = 4096
# (workspace, filter) -> (version, how many messages match)
_totals: OrderedDict[tuple[str, Hashable], tuple[int, int]] = OrderedDict()
stats = {"counted": 0, "reused": 0}  # for the tests and the benchmark
WROTE = "inbox_version_bumped"  # in Session.info while a transaction has bumped a version


def bump(conn: Connection, workspace_ids: Iterable[str]) -> None:
    """The workspaces' conversations or messages changed: kept counts are out of date."""
    table = InboxVersion.__table__
    dialect = conn.dialect.name

    for workspace_id in sorted(set(workspace_ids)):
        if dialect in ("sqlite", "postgresql"):
            make = sqlite.insert if dialect == "sqlite" else postgresql.insert
            stmt = make(table).values(workspace_id=workspace_id, version=1)
            conn.execute(stmt.on_conflict_do_update(index_elements=["workspace_id"],
                                                    set_={"version": table.c.version + 1}))
        elif not conn.execute(update(table).where(table.c.workspace_id == workspace_id)  # pragma: no cover
                              .values(version=table.c.version + 1)).rowcount:
            conn.execute(insert(table).values(workspace_id=workspace_id, version=1))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _transaction_over(session: Session, *args: object) -> None:
    session.info.pop(WROTE, None)


@dataclass(frozen=True)
class ViewCounts:
    counts: dict[str, int]  # view -> conversations, every view of conversations.VIEWS
    languages: list[str]  # the languages the workspace's conversations are in


def _waiting(c: type[Conversation]) -> object:
    return and_(c.waiting_since.is_not(None), c.status != ConversationStatus.CLOSED, c.spam.is_(False))


def _count_kept(ctx: WorkspaceContext) -> tuple[dict[str, int], list[str]]:
    c = Conversation
    ham = c.spam.is_(False)
    ads = (select(InboxItem.conversation_id).join(c, c.id == InboxItem.conversation_id)
           .where(InboxItem.workspace_id == ctx.workspace_id, InboxItem.ad_comment.is_(True), ham)
           .distinct().subquery())
    row = ctx.session.execute(select(
        func.count().filter(ham),
        func.count().filter(_waiting(c)),
        func.count().filter(and_(c.negative.is_(True), ham)),
        func.count().filter(and_(c.question.is_(True), ham)),
        func.count().filter(and_(c.offensive.is_(True), ham)),
        func.count().filter(c.spam.is_(True)),
        func.count().filter(and_(c.status == ConversationStatus.CLOSED, ham)),
        select(func.count()).select_from(ads).scalar_subquery(),
    ).where(c.workspace_id == ctx.workspace_id)).one()
    languages = [lang for lang in ctx.session.scalars(
        select(c.language).where(c.workspace_id == ctx.workspace_id).distinct()) if lang]
    return dict(zip(KEPT, (int(v or 0) for v in row), strict=True)), languages


def view_counts(ctx: WorkspaceContext, overdue_before: datetime) -> ViewCounts:
    """Every view's count (and the languages) for this reader at this moment: one small statement when the
    kept counts are current, three more when the workspace changed since they were counted."""
    c = Conversation
    current, not_yet_overdue = ctx.session.execute(select(
        select(InboxVersion.version).where(InboxVersion.workspace_id == ctx.workspace_id).scalar_subquery(),
        select(func.count()).where(c.workspace_id == ctx.workspace_id, c.waiting_since >= overdue_before,
                                   _waiting(c)).scalar_subquery(),
    )).one()
    version, reader = int(current or 0), ctx.actor.user_id or ""
    with _lock:
        found = _kept.get(ctx.workspace_id)
        if found is not None and found[0] == version:
            _kept.move_to_end(ctx.workspace_id)
            stats["reused"] += 1
        else:
            found = None
    if found is None:
        kept, languages = _count_kept(ctx)
        found = (version, kept, languages, {})
        with _lock:
            stats["counted"] += 1
            # Counts that see this transaction's own uncommitted writes are not kept: it may still roll back.
            if not ctx.session.info.get(WROTE):
                _kept[ctx.workspace_id] = found
                _kept.move_to_end(ctx.workspace_id)
                while len(_kept) > MAX_WORKSPACES:
                    _kept.popitem(last=False)
    _, kept, languages, mine_by_reader = found
    mine = mine_by_reader.get(reader)
    if mine is None:
        mine = mine_by_reader[reader] = ctx.session.scalar(select(func.count()).where(
            c.workspace_id == ctx.workspace_id, c.assignee_id == ctx.actor.user_id, c.spam.is_(False))) or 0
    counts = {**kept, "mine": mine, "overdue": kept["unanswered"] - int(not_yet_overdue or 0)}
    from socialdesk.inbox.conversations import VIEWS

    return ViewCounts({view: counts[view] for view in VIEWS}, list(languages))


def _version(ctx: WorkspaceContext) -> int:
    return int(ctx.session.scalar(select(InboxVersion.version)
                                  .where(InboxVersion.workspace_id == ctx.workspace_id)) or 0)


def kept_total(ctx: WorkspaceContext, key: Hashable, count: Callable[[], int]) -> int:
    """`count()`, kept per workspace and `key` while the workspace's inbox version stays the same: one small
    statement instead of the count. Only for counts that no change can move without bumping the version."""
    version, entry = _version(ctx), (ctx.workspace_id, key)
    with _lock:
        found = _totals.get(entry)
        if found is not None and found[0] == version:
            _totals.move_to_end(entry)
            stats["reused"] += 1
            return found[1]
    total = count()
    with _lock:
        stats["counted"] += 1
        if not ctx.session.info.get(WROTE):  # as in view_counts: a count of uncommitted writes is not kept
            _totals[entry] = (version, total)
            _totals.move_to_end(entry)
            while len(_totals) > MAX_TOTALS:
                _totals.popitem(last=False)
    return total


def forget() -> None:
    """Drop every kept count (tests)."""
    with _lock:
        _kept.clear()
        _totals.clear()
