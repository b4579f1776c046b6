"""socialdesk's PostgreSQL connections are pinged only after idling: a connection whose server process went
away while it sat in the pool is replaced at checkout, and one in use a moment ago is not pinged."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from socialdesk.core import db as core_db
from socialdesk.core.db import Database


def _backend(database: Database) -> int:
    with database.unit_of_work() as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _pings(database: Database) -> list[str]:
    """Records each ping's statement (the dialect's SELECT 1 runs on the raw connection, not through the
    engine's events, so count the calls)."""
    seen: list[str] = []
    dialect = database.engine.dialect
    original = dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        seen.append("ping")
        return original(dbapi_connection)

    dialect.do_ping = counted  # type: ignore[method-assign]
    return seen


def test_a_connection_dropped_while_idle_is_replaced_at_checkout(database: Database,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    if database.dialect != "postgresql":
        pytest.skip("pings are for server databases")
    private = Database(database.url)  # its own pool: one connection, killed below
    try:
        pings = _pings(private)
        first = _backend(private)
        assert _backend(private) == first  # the same pooled connection, back in use at once
        assert pings == [], "a connection used a moment ago is not pinged"
        with database.unit_of_work() as session:  # another connection ends the first one's server process
            session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        monkeypatch.setattr(core_db, "PING_IDLE_SECONDS", 0.0)  # every pooled connection counts as idle
        second = _backend(private)  # the ping finds it dead, the pool opens another, no error
        assert pings == ["ping"]
        assert second != first
    finally:
        private.dispose()

