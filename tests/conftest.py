"""Shared fixtures: a migrated database per test (SQLite by default, PostgreSQL when
SOCIALDESK_TEST_DATABASE_URL is set), and a manual clock."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database, set_database
from socialdesk.core.schema import create_schema, table_names

PG_URL = os.environ.get("SOCIALDESK_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per session; each test then starts from a copy (SQLite) or truncated tables (PG)."""
    if PG_URL:
        create_schema(PG_URL, reset=True)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    create_schema(url)
    return url


@pytest.fixture
def database(_template_db: str, tmp_path: Path) -> Iterator[Database]:
    if PG_URL:
        db = Database(PG_URL)
        with db.engine.begin() as conn:
            names = ", ".join(f'"{t}"' for t in table_names() if t != "alembic_version")
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        path = tmp_path / "socialdesk.db"
        shutil.copy(_template_db.removeprefix("sqlite:///"), path)
        db = Database(f"sqlite:///{path}")
    set_database(db)
    yield db
    set_database(None)
    db.dispose()


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    """Time stands still at Monday 2026-03-02 09:00 UTC unless a test moves it."""
    manual = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    previous = clock_module.get_clock()
    clock_module.set_clock(manual)
    yield manual
    clock_module.set_clock(previous)
