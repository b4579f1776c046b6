"""Daily API quotas that belong to an operator's app, not to one channel (YouTube: per Google Cloud project).

Every channel connected through the same project spends the same units, so the ledger is a table rather
than a channel setting: one row per (network, project, bucket, day), where "day" is the network's own
quota day (YouTube: midnight to midnight Pacific time). A call is charged *before* it is sent, with an
UPDATE that succeeds only while the units fit, so two workers can never spend past the limit together;
a call that would not fit raises `QuotaExhausted` naming the quota and when it resets.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, String, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from socialdesk.core import clock
from socialdesk.core.db import Base, Database, IdMixin, get_database
from socialdesk.networks.base import RateLimited

log = logging.getLogger(__name__)


class QuotaUsage(IdMixin, Base):
    __tablename__ = "api_quota_usage"
    __table_args__ = (UniqueConstraint("network", "project", "bucket", "day"),)

    network: Mapped[str] = mapped_column(String(32))
    project: Mapped[str] = mapped_column(String(200))  # the operator's app (Google: the OAuth client id)
    bucket: Mapped[str] = mapped_column(String(64))  # "units", or a method with its own count ("videos.insert")
    day: Mapped[date] = mapped_column(Date)
    used: Mapped[int] = mapped_column(Integer, default=0)


class QuotaExhausted(RateLimited):
    """The day's quota would be exceeded: nothing was sent. `retry_after` is the time to the reset."""


@dataclass(frozen=True)
class Usage:
    bucket: str
    used: int
    limit: int
    day: date
    resets_at: datetime  # UTC

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    def to_dict(self) -> dict[str, object]:
        return {"bucket": self.bucket, "used": self.used, "limit": self.limit, "left": self.left,
                "day": self.day.isoformat(), "resets_at": self.resets_at.isoformat()}


@dataclass(frozen=True)
class QuotaDay:
    """Where a network's quota day begins and ends."""

    zone: ZoneInfo

    def today(self, now: datetime | None = None) -> date:
        return (now or clock.now()).astimezone(self.zone).date()

    def resets_at(self, now: datetime | None = None) -> datetime:
        tomorrow = self.today(now) + timedelta(days=1)
        return datetime.combine(tomorrow, time(0), tzinfo=self.zone).astimezone(UTC)


PACIFIC = QuotaDay(ZoneInfo("America/Los_Angeles"))

# SQLite only: units charged by this process and not yet written, by (database, project, bucket, day).
_pending: dict[tuple[str, str, str, date], int] = {}
_pending_lock = threading.Lock()
_flushing: set[str] = set()


def _flush_soon(ledger: Ledger, db: Database) -> None:
    """Write the pending units from a thread (it waits for any transaction the caller holds)."""
    with _pending_lock:
        if db.url in _flushing:
            return
        _flushing.add(db.url)

    def run() -> None:
        try:
            ledger.flush(db)
        except Exception:  # the units stay pending; the next charge tries again
            log.warning("could not record %s API quota use yet", ledger.network, exc_info=True)
        finally:
            with _pending_lock:
                _flushing.discard(db.url)

    threading.Thread(target=run, name="quota-ledger", daemon=True).start()


class Ledger:
    """One network's ledger. `limits` maps a bucket to its daily limit."""

    def __init__(self, network: str, day: QuotaDay, *, label: str, db: Database | None = None) -> None:
        self.network = network
        self.day = day
        self.label = label  # how the user knows the quota: "YouTube Data API daily quota"
        self._db = db

    @property
    def db(self) -> Database:
        return self._db or get_database()

    def charge(self, project: str, bucket: str, units: int, limit: int, *, what: str = "") -> Usage:
        """Spend `units` of today's `bucket`, or raise QuotaExhausted when they would not fit."""
        now = clock.now()
        today = self.day.today(now)
        db = self.db
        if db.dialect == "sqlite":
            # A network call may run inside a caller's write transaction (connecting a channel, an inbox
            # action), and SQLite has one writer: a second connection writing here would wait for it
            # forever. So: check against what is stored plus what this process has not written yet, and
            # write it from a thread of its own once the caller's transaction is over.
            key = (db.url, project, bucket, today)
            with _pending_lock:
                used = self._stored(db, project, bucket, today) + _pending.get(key, 0)
                fits = used + units <= limit
                if fits:
                    _pending[key] = _pending.get(key, 0) + units
                    used += units
            if fits:
                _flush_soon(self, db)
        else:
            used, fits = self._charge_atomically(db, project, bucket, today, units, limit)
        resets = self.day.resets_at(now)
        if not fits:
            name = self.label if bucket == "units" else f"{self.label} for {bucket}"
            raise QuotaExhausted(
                f"{name} would be exceeded{f' by {what}' if what else ''}: {used} of {limit} used today, "
                f"this needs {units}. It resets at midnight Pacific time ({resets:%Y-%m-%d %H:%M} UTC); "
                f"the work waits until then.",
                status_code=403, retry_after=max(1.0, (resets - now).total_seconds()),
                details={"quota": bucket, "used": used, "limit": limit, "resets_at": resets.isoformat()})
        return Usage(bucket, used, limit, today, resets)

    def _where(self, project: str, bucket: str, day: date) -> tuple[Any, ...]:
        return (QuotaUsage.network == self.network, QuotaUsage.project == project, QuotaUsage.bucket == bucket,
                QuotaUsage.day == day)

    def _stored(self, db: Database, project: str, bucket: str, day: date) -> int:
        with db.unit_of_work(read_only=True) as session:
            return int(session.scalars(select(QuotaUsage.used).where(*self._where(project, bucket, day))).first()
                       or 0)

    def _add(self, session: Session, project: str, bucket: str, day: date, units: int,
             limit: int | None = None) -> bool:
        """Add `units` to the day's row (made if missing); with `limit`, only while they fit."""
        where = self._where(project, bucket, day)
        if session.scalars(select(QuotaUsage.id).where(*where)).first() is None:
            try:
                with session.begin_nested():
                    session.add(QuotaUsage(network=self.network, project=project, bucket=bucket, day=day, used=0))
            except IntegrityError:
                pass  # another worker made today's row at the same moment
        condition = (QuotaUsage.used + units <= limit,) if limit is not None else ()
        done = session.execute(update(QuotaUsage).where(*where, *condition).values(used=QuotaUsage.used + units)
                               .execution_options(synchronize_session=False))
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    def _charge_atomically(self, db: Database, project: str, bucket: str, day: date, units: int,
                           limit: int) -> tuple[int, bool]:
        """One conditional UPDATE: two workers can never spend past the limit together (PostgreSQL)."""
        with db.unit_of_work() as session:
            fits = self._add(session, project, bucket, day, units, limit)
            used = int(session.scalars(select(QuotaUsage.used).where(*self._where(project, bucket, day))).one())
        return used, fits

    def flush(self, db: Database) -> None:
        """Write what this process has charged and not yet stored (SQLite)."""
        with _pending_lock:
            taken = {k: v for k, v in _pending.items() if k[0] == db.url and v}
        if not taken:
            return
        with db.unit_of_work() as session:
            for (_url, project, bucket, day), units in taken.items():
                self._add(session, project, bucket, day, units)
            # The units move from pending to stored in one step for a reader in `charge`: committed
            # outside the lock, a charge in between would count them twice. The write lock is already
            # held here (the UPDATEs waited for it), so the commit itself does not wait.
            with _pending_lock:
                session.commit()
                for key, units in taken.items():
                    _pending[key] -= units
                    if not _pending[key]:
                        del _pending[key]

    def usage(self, project: str, limits: dict[str, int]) -> list[Usage]:
        """Today's use of every bucket, for the channel page."""
        now = clock.now()
        today = self.day.today(now)
        # Stored and pending are read under the lock that `flush` commits under (as `charge` does): read
        # apart, units written in between were counted neither as stored nor as pending.
        with _pending_lock, self.db.unit_of_work(read_only=True) as session:
            found = session.execute(select(QuotaUsage.bucket, QuotaUsage.used).where(
                QuotaUsage.network == self.network, QuotaUsage.project == project, QuotaUsage.day == today)).all()
            rows = {bucket: used for bucket, used in found}
            for (url, pending_project, bucket, day), units in _pending.items():
                if url == self.db.url and pending_project == project and day == today:
                    rows[bucket] = rows.get(bucket, 0) + units
        return [Usage(bucket, int(rows.get(bucket, 0)), limit, today, self.day.resets_at(now))
                for bucket, limit in limits.items()]
