"""Where the sandbox network keeps its state: a database of its own, as a real network has its own
servers.

With SQLite the sandbox uses a file of its own beside socialdesk's (`sandbox.db`): SQLite allows one
writer at a time, and the sandbox must be able to write while socialdesk holds a write transaction
(connecting a channel or replying to a comment happens inside the request's transaction). With
PostgreSQL it uses the same database through its own connections; its tables never share a lock with
socialdesk's. The tables are the simulated network's own, so it creates them itself on first use
rather than through socialdesk's migrations.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase

from socialdesk.core.db import NAMING, Base, Database, get_database


class SandboxBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = Base.type_annotation_map


_servers: dict[str, Database] = {}
_lock = threading.Lock()


def sandbox_url(main_url: str) -> str:
    url = make_url(main_url)
    if url.get_backend_name() != "sqlite":
        return main_url
    return f"sqlite:///{Path(url.database or 'socialdesk.db').parent / 'sandbox.db'}"


def sandbox_database() -> Database:
    """The sandbox's database for the current socialdesk database (created on first use)."""
    url = sandbox_url(get_database().url)
    with _lock:
        server = _servers.get(url)
        if server is None:
            # Pinged on every checkout, as every engine was before socialdesk's own stopped doing so: the
            # simulated network's costs stay what bench/publishing.py's bare baseline was measured with.
            server = Database(url, ping_every_checkout=True)
            SandboxBase.metadata.create_all(server.engine)
            _servers[url] = server
        return server


def reset(main_url: str) -> None:
    """Forget the sandbox's state for a database (tests): drop its connections, empty its tables."""
    url = sandbox_url(main_url)
    with _lock:
        server = _servers.pop(url, None)
    if server is None:
        return
    if server.dialect == "postgresql":
        # DELETE, children first: milliseconds on a test's few rows, where TRUNCATE takes ~0.2 s.
        with server.engine.begin() as conn:
            for table in reversed(SandboxBase.metadata.sorted_tables):
                conn.execute(table.delete())
    server.dispose()
