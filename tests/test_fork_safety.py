"""A forked child (Celery's prefork pool) must not talk over its parent's database connections."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from socialdesk.core.db import Database


def _connection_id(database: Database) -> str:
    """The server process behind the connection (PostgreSQL), or the SQLite connection object."""
    with database.unit_of_work() as session:
        if database.dialect == "postgresql":
            return str(session.execute(text("SELECT pg_backend_pid()")).scalar())
        return str(id(session.connection().connection.dbapi_connection))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_child_opens_its_own_connections(database: Database, tmp_path: Path) -> None:
    parent = _connection_id(database)  # the parent's pool now holds this open connection
    answer = tmp_path / "child"
    pid = os.fork()
    if pid == 0:
        try:
            answer.write_text(_connection_id(database))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    child = answer.read_text()
    assert child, "the child could not use the database"
    if database.dialect == "postgresql":
        assert child != parent, "the child talked over its parent's connection"
    # The parent's pooled connection still answers (a socket shared with the child would be corrupted).
    for _ in range(3):
        assert _connection_id(database) == parent
