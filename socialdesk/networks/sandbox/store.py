"""The sandbox's own storage: reads and writes, each in its own transaction.

The sandbox plays a remote network, so nothing here joins the caller's transaction: writes go
through `sandbox_database().unit_of_work()` and commit on their own, reads through the read-only
session factory (a deferred transaction on SQLite, so a read never waits for a writer). Rows come
back as frozen records, never as ORM objects bound to a session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialdesk.networks.sandbox.audience import AccountParams
from socialdesk.networks.sandbox.models import (
    SandboxAccount,
    SandboxHiddenItem,
    SandboxLinkClicks,
    SandboxModeration,
    SandboxPost,
    SandboxPostExtra,
    SandboxReply,
)
from socialdesk.networks.sandbox.server import sandbox_database


@dataclass(frozen=True)
class AccountRecord:
    id: str
    handle: str
    display_name: str
    profile: str
    seed: int
    audience_size: int
    settings: dict[str, Any]
    access_token: str
    revoked: bool
    fault_plan: list[Any]
    latency_ms: int
    created_at: datetime

    def params(self) -> AccountParams:
        return AccountParams.from_settings(self.handle, self.seed, self.audience_size, self.created_at,
                                           self.settings)


@dataclass(frozen=True)
class PostRecord:
    seq: int
    text: str
    media: list[dict[str, Any]]
    idempotency_key: str | None
    language: str | None
    reply_to_seq: int | None
    published_at: datetime
    deleted_at: datetime | None


@dataclass(frozen=True)
class ReplyRecord:
    seq: int
    item_external_id: str
    text: str
    created_at: datetime


def _account(row: SandboxAccount) -> AccountRecord:
    return AccountRecord(row.id, row.handle, row.display_name, row.profile, row.seed, row.audience_size,
                         dict(row.settings or {}), row.access_token, row.revoked, list(row.fault_plan or []),
                         row.latency_ms, row.created_at)


def _post(row: SandboxPost) -> PostRecord:
    return PostRecord(row.seq, row.text, list(row.media or []), row.idempotency_key, row.language, row.reply_to_seq,
                      row.published_at, row.deleted_at)


# Plain column reads (no ORM objects) for the lists every call needs: several times faster.
_POST_COLUMNS = (SandboxPost.seq, SandboxPost.text, SandboxPost.media, SandboxPost.idempotency_key,
                 SandboxPost.language, SandboxPost.reply_to_seq, SandboxPost.published_at, SandboxPost.deleted_at)
_REPLY_COLUMNS = (SandboxReply.seq, SandboxReply.item_external_id, SandboxReply.text, SandboxReply.created_at)


def _posts(session: Session, account_id: str) -> list[PostRecord]:
    rows = session.execute(select(*_POST_COLUMNS).where(SandboxPost.account_id == account_id)
                           .order_by(SandboxPost.seq))
    return [PostRecord(seq, text, list(media or []), key, language, reply_to, published, deleted)
            for seq, text, media, key, language, reply_to, published, deleted in rows]


def _replies(session: Session, account_id: str) -> list[ReplyRecord]:
    rows = session.execute(select(*_REPLY_COLUMNS).where(SandboxReply.account_id == account_id)
                           .order_by(SandboxReply.seq))
    return [ReplyRecord(*row) for row in rows]


def _hidden(session: Session, account_id: str) -> dict[str, datetime]:
    rows = session.execute(select(SandboxHiddenItem.item_external_id, SandboxHiddenItem.hidden_at)
                           .where(SandboxHiddenItem.account_id == account_id))
    return {item: at for item, at in rows}


@contextmanager
def _read() -> Iterator[Session]:
    session = sandbox_database().read_sessions()
    try:
        yield session
    finally:
        session.close()


# Accounts ------------------------------------------------------------------------------------------


def find_account(handle: str) -> AccountRecord | None:
    with _read() as session:
        row = session.scalars(select(SandboxAccount).where(SandboxAccount.handle == handle)).first()
        return _account(row) if row else None


@dataclass(frozen=True)
class Snapshot:
    """An account and what a call needs of its rows, read in one transaction."""

    account: AccountRecord
    posts: list[PostRecord]
    replies: list[ReplyRecord]
    hidden: dict[str, datetime]


def snapshot(handle: str, *, posts: bool = False, replies: bool = False, hidden: bool = False) -> Snapshot | None:
    with _read() as session:
        row = session.scalars(select(SandboxAccount).where(SandboxAccount.handle == handle)).first()
        if row is None:
            return None
        return Snapshot(_account(row), _posts(session, row.id) if posts else [],
                        _replies(session, row.id) if replies else [], _hidden(session, row.id) if hidden else {})


def create_account(**values: Any) -> AccountRecord:
    """Insert an account; if the handle was taken meanwhile, return the one that won."""
    try:
        with sandbox_database().unit_of_work() as session:
            row = SandboxAccount(**values)
            session.add(row)
            session.flush()
            return _account(row)
    except IntegrityError:
        existing = find_account(values["handle"])
        if existing is None:
            raise
        return existing


def update_account(handle: str, **values: Any) -> None:
    with sandbox_database().unit_of_work() as session:
        session.execute(update(SandboxAccount).where(SandboxAccount.handle == handle).values(**values))


def rotate_token(handle: str, rotate: Callable[[dict[str, Any]], dict[str, Any] | None], access_token: str) -> bool:
    """Apply `rotate` to the account's settings under a row lock; store the new access token if it agreed."""
    with sandbox_database().unit_of_work() as session:
        row = session.scalars(select(SandboxAccount).where(SandboxAccount.handle == handle)
                              .with_for_update()).first()
        if row is None:
            return False
        settings = rotate(dict(row.settings or {}))
        if settings is None:
            return False
        row.settings = settings
        row.access_token = access_token
        return True


def take_fault(handle: str, matches: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    """Remove and return the first queued fault for which `matches(fault)` is true (row-locked)."""
    with sandbox_database().unit_of_work() as session:
        row = session.scalars(select(SandboxAccount).where(SandboxAccount.handle == handle)
                              .with_for_update()).first()
        if row is None:
            return None
        plan = list(row.fault_plan or [])
        for position, fault in enumerate(plan):
            if matches(fault):
                # A new list, so SQLAlchemy sees the JSON column change.
                row.fault_plan = plan[:position] + plan[position + 1:]
                return dict(fault)
        return None


def append_faults(handle: str, faults: Sequence[dict[str, Any]]) -> None:
    with sandbox_database().unit_of_work() as session:
        row = session.scalars(select(SandboxAccount).where(SandboxAccount.handle == handle)
                              .with_for_update()).first()
        if row is None:
            raise LookupError(f"no sandbox account {handle!r}")
        row.fault_plan = [*(row.fault_plan or []), *faults]


def delete_account(handle: str) -> bool:
    with sandbox_database().unit_of_work() as session:
        account_id = session.scalar(select(SandboxAccount.id).where(SandboxAccount.handle == handle))
        if account_id is None:
            return False
        for model in (SandboxHiddenItem, SandboxReply, SandboxPost):
            session.execute(delete(model).where(model.account_id == account_id))
        session.execute(delete(SandboxAccount).where(SandboxAccount.id == account_id))
        return True


# Posts ---------------------------------------------------------------------------------------------


def post_by_key(account_id: str, key: str) -> PostRecord | None:
    with _read() as session:
        row = session.scalars(select(SandboxPost).where(SandboxPost.account_id == account_id,
                                                        SandboxPost.idempotency_key == key)).first()
        return _post(row) if row else None


def post_by_seq(account_id: str, seq: int) -> PostRecord | None:
    with _read() as session:
        row = session.scalars(select(SandboxPost).where(SandboxPost.account_id == account_id,
                                                        SandboxPost.seq == seq)).first()
        return _post(row) if row else None


def posts_since(account_id: str, since: datetime) -> list[datetime]:
    """Publication times of the account's posts after `since`, deleted ones included, oldest first."""
    with _read() as session:
        return list(session.scalars(select(SandboxPost.published_at).where(
            SandboxPost.account_id == account_id, SandboxPost.published_at > since)
            .order_by(SandboxPost.published_at)))


def _lock_account(session: Session, account_id: str) -> None:
    """Serialise writers of one account: numbers are allocated as max + 1 under this lock.

    PostgreSQL locks the account's row; SQLite's writers already take the database's write lock when
    their transaction begins (core.db begins them IMMEDIATE), and ignore FOR UPDATE.
    """
    session.execute(select(SandboxAccount.id).where(SandboxAccount.id == account_id).with_for_update())


def insert_post(account_id: str, *, text: str, media: list[dict[str, Any]], idempotency_key: str | None,
                language: str | None, reply_to_seq: int | None, published_at: datetime,
                extra: dict[str, Any] | None = None) -> tuple[PostRecord, bool]:
    """Store a post under the next sequence number; (post, True), or (the existing post, False) when
    a post with the same idempotency key is there already."""
    with sandbox_database().unit_of_work() as session:
        _lock_account(session, account_id)
        if idempotency_key:
            existing = session.scalars(select(SandboxPost).where(
                SandboxPost.account_id == account_id, SandboxPost.idempotency_key == idempotency_key)).first()
            if existing is not None:
                return _post(existing), False
        seq = (session.scalar(select(func.max(SandboxPost.seq)).where(SandboxPost.account_id == account_id)) or 0) + 1
        row = SandboxPost(account_id=account_id, seq=seq, text=text, media=media, idempotency_key=idempotency_key,
                          language=language, reply_to_seq=reply_to_seq, published_at=published_at)
        session.add(row)
        if extra:  # in the same transaction: a post never exists without its poll
            session.add(SandboxPostExtra(account_id=account_id, seq=seq, data=extra))
        session.flush()
        return _post(row), True


def extras(account_id: str) -> dict[int, dict[str, Any]]:
    with _read() as session:
        rows = session.execute(select(SandboxPostExtra.seq, SandboxPostExtra.data)
                               .where(SandboxPostExtra.account_id == account_id))
        return {seq: dict(data or {}) for seq, data in rows}


def mark_deleted(account_id: str, seq: int, at: datetime) -> None:
    with sandbox_database().unit_of_work() as session:
        session.execute(update(SandboxPost).where(SandboxPost.account_id == account_id, SandboxPost.seq == seq,
                                                  SandboxPost.deleted_at.is_(None)).values(deleted_at=at))


# Replies and hidden items ------------------------------------------------------------------------------


def insert_reply(account_id: str, item_external_id: str, text: str, at: datetime) -> int:
    with sandbox_database().unit_of_work() as session:
        _lock_account(session, account_id)
        seq = (session.scalar(select(func.max(SandboxReply.seq)).where(SandboxReply.account_id == account_id))
               or 0) + 1
        session.add(SandboxReply(account_id=account_id, seq=seq, item_external_id=item_external_id, text=text,
                                 created_at=at))
        return seq


def insert_hidden(account_id: str, item_external_id: str, at: datetime) -> None:
    try:
        with sandbox_database().unit_of_work() as session:
            session.add(SandboxHiddenItem(account_id=account_id, item_external_id=item_external_id, hidden_at=at))
    except IntegrityError:
        pass  # hidden already: hiding is idempotent


def remove_hidden(account_id: str, item_external_id: str) -> None:
    with sandbox_database().unit_of_work() as session:
        session.execute(delete(SandboxHiddenItem).where(SandboxHiddenItem.account_id == account_id,
                                                        SandboxHiddenItem.item_external_id == item_external_id))


# Likes, deletions and blocks -----------------------------------------------------------------------


def set_mark(account_id: str, action: str, target: str, at: datetime, *, on: bool = True) -> None:
    """Record (or, with on=False, take back) a like, deletion or block; repeating either is harmless."""
    try:
        with sandbox_database().unit_of_work() as session:
            if on:
                session.add(SandboxModeration(account_id=account_id, action=action, target=target, at=at))
            else:
                session.execute(delete(SandboxModeration).where(
                    SandboxModeration.account_id == account_id, SandboxModeration.action == action,
                    SandboxModeration.target == target))
    except IntegrityError:
        pass


def marks(account_id: str, action: str) -> dict[str, datetime]:
    with _read() as session:
        return dict(session.execute(select(SandboxModeration.target, SandboxModeration.at).where(
            SandboxModeration.account_id == account_id, SandboxModeration.action == action)).all())


# Link clicks sent to socialdesk's short-link server ----------------------------------------------------


def link_clicks_delivered(account_id: str, seq: int) -> int | None:
    """Clicks of the post sent so far; None: none, and not its link preview either."""
    with _read() as session:
        found = session.scalars(select(SandboxLinkClicks.delivered).where(
            SandboxLinkClicks.account_id == account_id, SandboxLinkClicks.seq == seq)).first()
        return None if found is None else int(found)


def claim_link_clicks(account_id: str, seq: int, before: int | None, after: int) -> bool:
    """Move the post's delivered count from `before` to `after`; False when another caller moved it first
    (so each simulated click is sent once)."""
    with sandbox_database().unit_of_work() as session:
        if before is None:
            try:
                with session.begin_nested():
                    session.add(SandboxLinkClicks(account_id=account_id, seq=seq, delivered=after))
                return True
            except IntegrityError:
                return False
        moved = session.execute(update(SandboxLinkClicks).where(
            SandboxLinkClicks.account_id == account_id, SandboxLinkClicks.seq == seq,
            SandboxLinkClicks.delivered == before).values(delivered=after))
        return bool(moved.rowcount)  # type: ignore[attr-defined]
