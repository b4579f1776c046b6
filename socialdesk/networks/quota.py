"""Daily API quotas that belong to an operator's app, not to one channel (YouTube: per Google Cloud project).

Every channel connected through the same project spends the same units, so the ledger is a table rather
than a channel setting: one row per (network, project, bucket, day), where "day" is the network's own
quota day (YouTube: midnight to midnight Pacific time). A call is charged *before* it is sent, with an
UPDATE that succeeds only while the units fit, so two workers can never spend past the limit together;
a call that would not fit raises `QuotaExhausted` naming the quota and when it resets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, String, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from socialdesk.core import clock
from socialdesk.core.db import Base, Database, IdMixin, get_database
from socialdesk.networks.base import RateLimited


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
        where = (QuotaUsage.network == self.network, QuotaUsage.project == project,
                 QuotaUsage.bucket == bucket, QuotaUsage.day == today)
        with self.db.unit_of_work() as session:
            if session.scalars(select(QuotaUsage.id).where(*where)).first() is None:
                try:
                    with session.begin_nested():
                        session.add(QuotaUsage(network=self.network, project=project, bucket=bucket, day=today,
                                               used=0))
                except IntegrityError:
                    pass  # another worker made today's row at the same moment
            done = session.execute(update(QuotaUsage).where(*where, QuotaUsage.used + units <= limit)
                                   .values(used=QuotaUsage.used + units)
                                   .execution_options(synchronize_session=False))
            used = session.scalars(select(QuotaUsage.used).where(*where)).one()
        resets = self.day.resets_at(now)
        if done.rowcount != 1:  # type: ignore[attr-defined]
            name = self.label if bucket == "units" else f"{self.label} for {bucket}"
            raise QuotaExhausted(
                f"{name} would be exceeded{f' by {what}' if what else ''}: {used} of {limit} used today, "
                f"this needs {units}. It resets at midnight Pacific time ({resets:%Y-%m-%d %H:%M} UTC); "
                f"the work waits until then.",
                status_code=403, retry_after=max(1.0, (resets - now).total_seconds()),
                details={"quota": bucket, "used": used, "limit": limit, "resets_at": resets.isoformat()})
        return Usage(bucket, used, limit, today, resets)

    def refund(self, project: str, bucket: str, units: int) -> None:
        """Give back units charged for a call that never left this machine (refused before sending)."""
        today = self.day.today()
        with self.db.unit_of_work() as session:
            session.execute(update(QuotaUsage).where(
                QuotaUsage.network == self.network, QuotaUsage.project == project, QuotaUsage.bucket == bucket,
                QuotaUsage.day == today, QuotaUsage.used >= units).values(used=QuotaUsage.used - units)
                .execution_options(synchronize_session=False))

    def usage(self, project: str, limits: dict[str, int]) -> list[Usage]:
        """Today's use of every bucket, for the channel page."""
        now = clock.now()
        today = self.day.today(now)
        with self.db.unit_of_work(read_only=True) as session:
            found = session.execute(select(QuotaUsage.bucket, QuotaUsage.used).where(
                QuotaUsage.network == self.network, QuotaUsage.project == project, QuotaUsage.day == today)).all()
        rows = {bucket: used for bucket, used in found}
        return [Usage(bucket, int(rows.get(bucket, 0)), limit, today, self.day.resets_at(now))
                for bucket, limit in limits.items()]
