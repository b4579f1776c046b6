"""Building blocks for tests: people, workspaces and sandbox channels made through the services."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, make_url, text
from sqlalchemy.orm import Session

from socialdesk.auth.models import User
from socialdesk.auth.service import create_user, user_by_email
from socialdesk.channels import service as channels
from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.crypto import generate_key
from socialdesk.core.db import Database, set_database
from socialdesk.core.schema import table_names
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.models import Role, Workspace

PASSWORD = "correct horse battery"


def worker_database_url(url: str | None) -> str | None:
    """Under pytest-xdist each worker has a PostgreSQL database of its own beside the one named:
    …/test becomes …/test_gw0, …/test_gw1 (made if missing, see ensure_database)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database `url` names, if it is not there, through the server's `postgres`
    database (a worker's own database does not exist on a fresh server)."""
    import time

    from sqlalchemy.exc import DBAPIError

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(10):
            with admin.connect() as conn:
                if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                {"name": parsed.database}).first():
                    return
                try:
                    conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
                    return
                except DBAPIError as exc:
                    # Another process made it meanwhile, or is copying the template right now: look again.
                    if attempt == 9 or not any(words in str(exc) for words in ("already exists", "duplicate key",
                                                                                "being accessed by other users")):
                        raise
            time.sleep(0.5)
    finally:
        admin.dispose()


PG_URL = worker_database_url(os.environ.get("SOCIALDESK_TEST_DATABASE_URL"))
KEY = generate_key()
# Monday 2026-03-02 09:00 UTC: where the manual clock starts.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fresh_database(template_url: str, folder: Path) -> Database:
    """An empty, migrated database, installed as the process's database."""
    if PG_URL:
        db = Database(PG_URL)
        empty_tables(db.engine, table_names())
    else:
        path = folder / "socialdesk.db"
        shutil.copy(template_url.removeprefix("sqlite:///"), path)
        db = Database(f"sqlite:///{path}")
    set_database(db)
    return db


def empty_tables(engine: Engine, names: list[str]) -> None:
    """Delete every row, children first. DELETE on a test's few rows takes milliseconds where TRUNCATE
    takes ~0.2 s (it makes new files), which over the PostgreSQL pass is minutes."""
    existing = set(inspect(engine).get_table_names())
    statements = [f'DELETE FROM "{name}"' for name in reversed(names) if name in existing]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # All in one round trip (psycopg runs several statements in one call without parameters): 86
            # round trips were ~0.2 s of a test's set-up on a busy machine, this is ~0.05 s.
            conn.exec_driver_sql("; ".join(statements))
        else:
            for statement in statements:
                conn.exec_driver_sql(statement)


def install_clock(start: datetime = T0) -> ManualClock:
    manual = ManualClock(start)
    clock_module.set_clock(manual)
    return manual


def apply_settings(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.setenv("SOCIALDESK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SOCIALDESK_SECRET_KEY", KEY)
    monkeypatch.delenv("SOCIALDESK_DEMO_MODE", raising=False)
    monkeypatch.delenv("SOCIALDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS", raising=False)
    reset_settings_cache()


# Test servers listen on loopback; the outbound policy refuses it unless the operator's setting allows it.
LOOPBACK = "127.0.0.0/8,::1/128"


def allow_private_targets(monkeypatch: pytest.MonkeyPatch, networks: str = LOOPBACK) -> None:
    monkeypatch.setenv("SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS", networks)
    reset_settings_cache()




@dataclass
class World:
    """A workspace with its people (by role) and channels (by imitated network)."""

    workspace_id: str
    users: dict[str, str] = field(default_factory=dict)  # role -> e-mail
    channels: dict[str, str] = field(default_factory=dict)  # profile -> channel id
    media: list[str] = field(default_factory=list)  # media ids, when a test uploaded some

    def ctx(self, session: Session, role: str = "owner") -> WorkspaceContext:
        user = user_by_email(session, self.users[role])
        assert user is not None
        workspace = session.get(Workspace, self.workspace_id)
        assert workspace is not None
        return WorkspaceContext(session, workspace, Actor(user.id, user.email), Role(role))


def bench_world(prefix: str, **world_options: Any) -> tuple[Database, World]:
    """A socialdesk of a benchmark's own (bench/*.py): a data folder, a fresh key, a migrated SQLite database
    and a workspace "Bench" (make_world's options)."""
    import tempfile

    from socialdesk.core.schema import create_schema

    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-bench-"))
    os.environ["SOCIALDESK_DATA_DIR"] = str(folder)
    os.environ["SOCIALDESK_SECRET_KEY"] = generate_key()
    reset_settings_cache()
    url = f"sqlite:///{folder / 'bench.db'}"
    create_schema(url)
    db = Database(url)
    set_database(db)
    return db, make_world(db, "Bench", **world_options)


def make_world(db: Database, name: str = "Brand A", *, profiles: tuple[str, ...] = ("x", "instagram"),
               approval_steps: list[str] | None = None, timezone: str = "Europe/Zagreb",
               roles: tuple[str, ...] = ("editor", "approver", "client_reviewer", "viewer"),
               audience: int = 3000) -> World:
    slug = name.lower().replace(" ", "")
    with db.unit_of_work() as session:
        owner = _user(session, f"owner@{slug}.test", f"{name} owner")
        org = workspaces.create_organisation(session, f"{name} agency")
        workspace = workspaces.create_workspace(session, org, name, owner, timezone=timezone,
                                                approval_steps=approval_steps or [])
        world = World(workspace.id, {"owner": owner.email})
        ctx = world.ctx(session)
        for role in roles:
            user = _user(session, f"{role}@{slug}.test", f"{name} {role}")
            workspaces.add_member(ctx, user, Role(role))
            world.users[role] = user.email
        for profile in profiles:
            channel = channels.connect(ctx, "sandbox", f"{name} {profile}", handle=f"{slug}_{profile}",
                                       profile=profile, audience_size=audience)
            world.channels[profile] = channel.id
    return world


def _user(session: Session, email: str, name: str) -> User:
    return user_by_email(session, email) or create_user(session, email, name, PASSWORD)


def image_bytes(seed: int = 0, size: tuple[int, int] = (64, 64), fmt: str = "JPEG") -> bytes:
    """A small real image, different for each seed (the media library de-duplicates identical files)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, ((seed * 40) % 256, (seed * 90) % 256, 120)).save(out, fmt)
    return out.getvalue()


def sandbox_post_count() -> int:
    """How many posts the sandbox network holds (deleted ones included): what reached the "network"."""
    from sqlalchemy import func, select

    from socialdesk.networks.sandbox.models import SandboxPost
    from socialdesk.networks.sandbox.server import sandbox_database

    with sandbox_database().read_sessions() as session:
        return session.scalar(select(func.count()).select_from(SandboxPost)) or 0


@contextmanager
def serving(server: HTTPServer) -> Iterator[None]:
    """Run a test's local HTTP server on a thread for the duration, then close it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
