"""Shared fixtures: a migrated database per test (SQLite by default, PostgreSQL when
SOCIALDESK_TEST_DATABASE_URL is set), a manual clock, and per-test settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database, set_database
from socialdesk.core.schema import create_schema
from socialdesk.networks.sandbox import server as sandbox_server
from tests.helpers import KEY, PG_URL, apply_settings, fresh_database, install_clock

# Modules that build the app while being collected (to list its routes) need a key before any fixture runs.
os.environ.setdefault("SOCIALDESK_SECRET_KEY", KEY)


# The PostgreSQL pass runs what the database dialect can change: queries, locking, job claims, migrations,
# tenancy. These test what no query of theirs depends on — the browser's view of a page, text models, a
# network's protocol against its contract server, the route table, the docs — and run on SQLite only, which
# keeps the whole suite inside its time budget. SOCIALDESK_TEST_ALL_ON_POSTGRES=1 runs them on PostgreSQL too.
SQLITE_PASS_ONLY = (
    "tests/browser/",
    "tests/text/",
    "tests/contract/",
    "tests/test_docs.py",
    "tests/test_route_matrix.py",
    "tests/test_api_fuzz.py",
    "tests/integration/test_blogs.py",
    "tests/web/test_security_headers.py",
    "tests/web/test_request_bodies.py",
    "tests/networks/facebook/",
    "tests/networks/instagram/",
    "tests/networks/meta/",
    "tests/networks/threads/",
    "tests/networks/telegram/",
    "tests/networks/vk/",
    "tests/networks/x/",
    "tests/networks/test_blog_http.py",
    "tests/networks/test_bluesky_facets.py",
    "tests/networks/test_mastodon_units.py",
    "tests/networks/test_outbound.py",
    "tests/networks/test_outbound_connect.py",
    "tests/networks/test_profiles.py",
    "tests/studio/test_writing.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not PG_URL or os.environ.get("SOCIALDESK_TEST_ALL_ON_POSTGRES"):
        return
    root = Path(str(config.rootpath))
    kept, left = [], []
    for item in items:
        where = Path(str(item.path)).relative_to(root).as_posix()
        (left if where.startswith(SQLITE_PASS_ONLY) else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


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
    db = fresh_database(_template_db, tmp_path)
    yield db
    sandbox_server.reset(db.url)
    set_database(None)
    db.dispose()


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    """Time stands still at T0 unless a test moves it."""
    previous = clock_module.get_clock()
    yield install_clock()
    clock_module.set_clock(previous)


@pytest.fixture(autouse=True)
def _settings(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own data directory and a real encryption key (not demo mode), unless its
    module shares one prepared world between tests (SHARED_WORLD = True)."""
    if getattr(request.module, "SHARED_WORLD", False):
        yield
        return
    apply_settings(monkeypatch, tmp_path / "data")
    yield
    reset_settings_cache()
