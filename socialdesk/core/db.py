"""Database engine, sessions and the declarative base shared by every domain's models."""

from __future__ import annotations

import functools
import json
import os
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, MetaData, String, create_engine, event, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from socialdesk.core import clock
from socialdesk.core.ids import new_id

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which has no time zones) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone first")
        value = value.astimezone(UTC)
        # SQLite compares datetimes as text: store one fixed format without an offset.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else clock.utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class IdMixin:
    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


_json_decode = json.JSONDecoder().decode


@functools.cache
def _json_loader() -> type:
    from psycopg.adapt import Loader

    class JsonLoader(Loader):
        """psycopg's JSON loader, less its per-value overhead: most JSON columns of a page hold `null` (a
        publication's options and extras), ~350 values a posts API page, and json.loads on bytes first
        guesses their encoding. PostgreSQL sends the client encoding, UTF-8, so the text is decoded as such."""

        def load(self, data: Any) -> Any:
            if data == b"null":
                return None
            return _json_decode(bytes(data).decode())

    return JsonLoader


def _postgresql_types(dbapi_connection: Any, _record: Any) -> None:
    if dbapi_connection.info.encoding != "utf-8":
        return  # psycopg's own loader decodes other client encodings
    loader = _json_loader()
    dbapi_connection.adapters.register_loader("json", loader)
    dbapi_connection.adapters.register_loader("jsonb", loader)


# A pooled connection idle for longer than this is pinged before use; one used more recently is not.
PING_IDLE_SECONDS = 1.0


def make_engine(url: str, *, immediate: bool = True, ping_every_checkout: bool = False, **kwargs: Any) -> Engine:
    """An engine; on SQLite, `immediate` engines take the write lock when a transaction begins.

    pysqlite defers BEGIN, and a deferred transaction in WAL mode that later writes after another
    writer committed fails at once with "database is locked" (busy_timeout does not help). Writers
    therefore begin IMMEDIATE and queue on busy_timeout; readers use a deferred engine so GET
    requests never wait for a writer.

    A server database's pooled connections are pinged before use only when idle for over
    PING_IDLE_SECONDS (`_ping_when_idle`); `ping_every_checkout` pings each time (SQLAlchemy's pre-ping).
    """
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=ping_every_checkout, pool_size=10, max_overflow=20, **kwargs)
        if not ping_every_checkout:
            _ping_when_idle(engine)
        if engine.dialect.driver == "psycopg":
            event.listen(engine, "connect", _postgresql_types)
        return engine
    # A connection per web thread (FastAPI runs sync routes on a 40-thread pool): SQLite connections
    # are cheap, and a smaller pool makes requests queue for a connection under load.
    if "poolclass" not in kwargs:
        kwargs.update(pool_size=40, max_overflow=10)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15}, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "connect")
    def _manual_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only if it sat unused for over PING_IDLE_SECONDS.

    A ping is a round trip to the server on every checkout: two of them on each publication's path (a
    worker checks a connection out per transaction) cost both the worker and PostgreSQL more CPU than
    the statements they guard. Under load a connection goes back into use within milliseconds, and a
    server restart (which is what the ping is for) takes longer than PING_IDLE_SECONDS, so a connection
    that outlived one has been idle long enough to be pinged. A connection that still fails mid-statement
    invalidates the whole pool (SQLAlchemy's disconnect handling), and its caller sees an OperationalError,
    as it would if the server went away between a ping and the statement.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["socialdesk_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("socialdesk_idle_since", None)
        if idle_since is None or time.monotonic() - idle_since <= PING_IDLE_SECONDS:
            return  # a new connection, or one in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and opens another (up to three tries).
            raise exc.DisconnectionError(f"pooled connection did not answer a ping: {error}") from error


class Database:
    """An engine and its session factory; one per process (the web app and the runner share it)."""

    def __init__(self, url: str, *, ping_every_checkout: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, ping_every_checkout=ping_every_checkout)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if url.startswith("sqlite"):
            self.read_engine = make_engine(url, immediate=False)
        else:
            self.read_engine = self.engine
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        # A forked child (Celery's prefork pool) must open its own connections: two processes
        # talking over one socket corrupt both conversations.
        this = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: (db := this()) is not None and db._forget_connections())

    def _forget_connections(self) -> None:
        self.engine.dispose(close=False)
        self.read_engine.dispose(close=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[Session]:
        """One transaction: commit when the block ends, roll back when it raises.

        `read_only` uses the read engine: on SQLite its transactions never wait for a writer.
        """
        session = (self.read_sessions if read_only else self.sessions)()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def refresh_statistics(self) -> None:
        """Give SQLite's query planner table statistics (PostgreSQL's autovacuum does this itself).

        Without them SQLite may pick a workspace-wide index over a selective one and scan thousands
        of rows for a 50-row page. `analysis_limit` bounds the cost on a large database.
        """
        if self.dialect != "sqlite":
            return
        with self.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=2000")
            conn.exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


_database: Database | None = None


def get_database() -> Database:
    global _database
    if _database is None:
        from socialdesk.core.config import get_settings

        settings = get_settings()
        if settings.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        _database = Database(settings.resolved_database_url)
    return _database


def set_database(database: Database | None) -> None:
    global _database
    _database = database
