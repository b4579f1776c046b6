"""Shared fixtures: a migrated database per test (SQLite by default, PostgreSQL when
SOCIALDESK_TEST_DATABASE_URL is set), a manual clock, and per-test settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from socialdesk.auth import service as auth_service
from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database, set_database
from socialdesk.core.schema import create_schema
from socialdesk.networks.sandbox import server as sandbox_server
from tests.helpers import KEY, PG_URL, apply_settings, ensure_database, fresh_database, install_clock

# Modules that build the app while being collected (to list its routes) need a key before any fixture runs.
os.environ.setdefault("SOCIALDESK_SECRET_KEY", KEY)

# Passwords: argon2id at its production cost (t=3, 64 MiB, p=4) is ~0.2 s of CPU a hash, and every test world
# stores five passwords and signs someone in: that was a quarter of the suite's CPU time. Tests store and check
# passwords with argon2id at its lowest cost; tests/test_auth.py proves the production cost with the
# production hasher (PRODUCTION_HASHER), and processes the tests start (`socialdesk serve`) keep it.
PRODUCTION_HASHER = auth_service._hasher
auth_service._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
auth_service._DUMMY_HASH = auth_service._hasher.hash("not-a-real-password")


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
    "tests/networks/vk/test_vk_oauth.py",
    "tests/networks/youtube/test_oauth_web.py",
    # Single tests (node ids): every command's help text, and the demo's four-week replay (the demo runs on
    # SQLite; the pipeline it replays is tested on PostgreSQL by the publishing, inbox and analytics tests).
    "tests/test_cli_defects.py::test_every_help_reads_like_a_person_wrote_it",
    "tests/test_demo.py::test_demo_has_history_and_a_future_and_is_idempotent[replayed]",
    "tests/test_demo.py::test_the_moved_history_agrees_with_what_the_sandbox_computes_now",
    "tests/test_demo_quiz_thread_poll.py",
    # `socialdesk demo`, `demo --check` and `migrate` run as commands on their own SQLite data folder in both
    # passes: on PostgreSQL they repeated the SQLite run exactly.
    "tests/test_cli_first_hour.py::test_migrate_is_quiet_unless_asked",
    "tests/test_cli_first_hour.py::test_the_demo_prints_one_block_and_no_log_lines",
    "tests/test_cli_first_hour.py::test_demo_check_is_quiet",
    # The start-up heap freeze is the interpreter's, whatever the database.
    "tests/web/test_heap_settled.py",
    # The academy's scenarios drive the product's own services, whose queries the PostgreSQL pass tests
    # directly; the first scenario and the giveaway stay on PostgreSQL as a check that a whole run works there.
    "tests/academy/test_academy_ads.py",
    "tests/academy/test_academy_inbox.py",
    "tests/academy/test_academy_crisis.py",
    "tests/academy/test_academy_pages.py",
    "tests/academy/test_academy_cli.py",
)


# Parallel runs (pytest-xdist; ./scripts/test runs `-n 2 --dist loadgroup`): a module's tests stay together on
# one worker, so a module-scoped world is built once, and the tests that use a server started once per session
# (fixture names on the left) go to one worker per server, so each server starts once per run. See
# _ModulesAndServers below for how the work is shared out.
SERVER_GROUPS = (
    ("bluesky", frozenset({"bluesky", "bare_pds", "wordpress_in_any_pass"})),
    ("blogs", frozenset({"wordpress", "ghost"})),
    ("mastodon", frozenset({"mastodon_peer"})),
    ("broker", frozenset({"broker_url", "cluster_env"})),
)


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_ModulesAndServers(), "socialdesk-xdist-scheduling")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups given here
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL and not os.environ.get("SOCIALDESK_TEST_ALL_ON_POSTGRES"):
        kept, left = [], []
        for item in items:
            (left if item.nodeid.startswith(SQLITE_PASS_ONLY) else kept).append(item)
        if left:
            config.hook.pytest_deselected(items=left)
            items[:] = kept
    if os.environ.get("PYTEST_XDIST_WORKER"):
        for item in items:
            if item.get_closest_marker("alone"):
                item.add_marker(pytest.mark.skip(reason="restarts PostgreSQL or Redis, which the other workers use: "
                                                        "run it on its own, `pytest -m alone` (./scripts/test does)"))
    for item in items:
        # A shared world is built in the set-up of its module's first test, which pytest-timeout counts: on
        # PostgreSQL beside a busy machine test_isolation's took 198 s (one process) and over 300 s (two
        # workers), 12-19 s on a quiet one. A ceiling for that one set-up, not a limit any test comes near.
        module = getattr(item, "module", None)
        if getattr(module, "SHARED_WORLD", False) and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(1200))
    if getattr(config.option, "loadgroup", False):
        for item in items:
            used = set(getattr(item, "fixturenames", ()))
            group = next((name for name, fixtures in SERVER_GROUPS if used & fixtures), None)
            if group and not item.get_closest_marker("xdist_group"):
                item.add_marker(pytest.mark.xdist_group(group))


class _ModulesAndServers:
    """xdist's `--dist loadgroup` with every test in a group: a test marked xdist_group (a server's tests)
    goes with its group, any other with its module (as `--dist loadscope`). Largest groups start first."""

    @pytest.hookimpl
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: object) -> object | None:
        if config.getvalue("dist") != "loadgroup":
            return None
        from xdist.scheduler import LoadScopeScheduling

        class ModulesAndServers(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                if nodeid.rfind("@") > nodeid.rfind("]"):
                    return nodeid.split("@")[-1]
                return nodeid.rsplit("::", 1)[0]

        return ModulesAndServers(config, log)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per session; each test then starts from a copy (SQLite) or truncated tables (PG)."""
    if PG_URL:
        ensure_database(PG_URL)
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
